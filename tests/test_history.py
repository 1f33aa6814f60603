"""`tuiboard history` and pipeline.githistory: who changed which field when, from git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.githistory import History, diff_fields
from pipeline.gitrepo import Repo
from tests.gitteam import git, isolate_git, make_team, ok, tb


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Path]]:
    isolate_git(tmp_path, monkeypatch)
    return make_team(tmp_path, ["wang.li", "zhang.wei"])


def test_diff_fields_leaves_and_entries() -> None:
    before = {"amount": 1, "next": {"action": "a", "due": 1}, "log": [{"n": 1}], "gone": True}
    after = {"amount": 2, "next": {"action": "b", "due": 1}, "log": [{"n": 1}, {"n": 2}], "tags": ["x"]}
    assert diff_fields(before, after) == [
        ("amount", 1, 2),
        ("next.action", "a", "b"),
        ("log", None, {"n": 2}),
        ("tags", None, ["x"]),
        ("gone", True, None),
    ]
    assert diff_fields(None, {"next": {"action": "a"}}) == [("next.action", None, "a")]


def test_history_names_who_changed_which_field_when_newest_first(team: tuple[Path, list[Path]]) -> None:
    _, (a, b) = team
    cid = Path(ok(a, "new", "杭州中联", "--amount", "100000").strip()).stem
    ok(a, "sync")
    ok(b, "sync")
    ok(b, "log", cid, "call", "聊了预算")
    ok(b, "sync")
    ok(a, "sync")
    ok(a, "move", cid, "intent")
    ok(a, "sync")
    out = ok(a, "history", cid).splitlines()
    assert 'wang.li  stage  "target" → "intent"' in out[0] or "stage" in out[0]
    assert any("zhang.wei  log  + 2026-11-23 call 聊了预算" in line for line in out)
    assert any("wang.li  amount  — → 100000" in line for line in out)
    only = ok(a, "history", cid, "--field", "stage").splitlines()
    assert only and all("  stage  " in line for line in only)
    records = json.loads(ok(a, "history", cid, "--json"))
    assert {r["author"] for r in records} == {"wang.li", "zhang.wei"}


def test_a_value_made_in_a_merge_is_credited_to_who_settled_it(team: tuple[Path, list[Path]]) -> None:
    _, (a, b) = team
    cid = Path(ok(a, "new", "杭州中联").strip()).stem
    ok(a, "sync")
    ok(b, "sync")
    ok(a, "next", cid, "A", "--due", "2026-12-01")
    ok(b, "next", cid, "B", "--due", "2026-12-01")
    ok(a, "sync")
    assert tb(b, "sync").exit_code == 1
    ok(b, "resolve", cid, "--theirs", "next.action")
    path = b / "customers" / f"{cid}.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"A"', '"A 和 B"'), encoding="utf-8")
    ok(b, "sync")
    repo = Repo(b)
    changes = History(repo).timeline(repo.rel(path), "next.action")
    assert (changes[0].author, changes[0].new, changes[0].settled) == (
        "zhang.wei",
        "A 和 B",
        True,
    )
    assert sorted((c.author, c.new, c.settled) for c in changes[1:]) == [
        ("wang.li", "A", False),
        ("zhang.wei", "B", False),
    ]
    assert "(settled in a merge)" in ok(b, "history", cid).splitlines()[0]


def test_renamed_files_are_followed_and_the_cache_reads_only_new_commits(
    team: tuple[Path, list[Path]],
) -> None:
    _, (a, _) = team
    cid = Path(ok(a, "new", "杭州中联", "--amount", "1").strip()).stem
    ok(a, "sync")
    git(a.parent, "mv", f"sales/customers/{cid}.toml", "sales/customers/hz.toml")
    git(a.parent, "commit", "-q", "-m", "rename")
    repo = Repo(a)
    history = History(repo)
    first = history.timeline("sales/customers/hz.toml")
    assert [c.field for c in first if c.field == "amount"] == ["amount"]
    ok(a, "log", "hz", "call", "x")
    ok(a, "sync")
    calls = []
    real = repo.blobs
    repo.blobs = lambda specs: calls.append(len(specs)) or real(specs)  # type: ignore[method-assign]
    again = history.timeline("sales/customers/hz.toml")
    assert calls == [2] and again[0].field == "log" and again[1:] == first
