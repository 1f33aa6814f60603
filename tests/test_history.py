"""`tuiboard history` and pipeline.githistory: who changed which field when, from git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli

from pipeline.githistory import History, Versions, diff_fields
from pipeline.gitrepo import BlobReader, Repo
from tests.gitteam import conflict_on_next, git, new, ok, shared_customer


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
    cid = shared_customer(a, b, "杭州中联", "--amount", "100000")
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
    cid = shared_customer(a, b)
    conflict_on_next(a, b, cid)
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
    cid = new(a, "杭州中联", "--amount", "1")
    ok(a, "sync")
    git(a.parent, "mv", f"sales/customers/{cid}.toml", "sales/customers/hz.toml")
    git(a.parent, "commit", "-q", "-m", "rename")
    repo = Repo(a)
    history = History(repo)
    first = history.timeline("sales/customers/hz.toml")
    assert [c.field for c in first if c.field == "amount"] == ["amount"]
    ok(a, "log", "hz", "call", "x")
    ok(a, "sync")
    calls: list[object] = []
    real_reader, real_run = repo.blob_reader, repo.run

    def reader() -> BlobReader:
        batch = real_reader()
        real_blobs = batch.blobs
        batch.blobs = lambda specs: calls.append(len(specs)) or real_blobs(specs)  # type: ignore[method-assign]
        return batch

    repo.blob_reader = reader  # type: ignore[method-assign]
    repo.run = lambda *a, **k: calls.append(a[0]) or real_run(*a, **k)  # type: ignore[method-assign]
    again = history.timeline("sales/customers/hz.toml")
    # one git log, then only the new version is read: its parent's was read the first time
    assert calls == ["log", 1] and again[0].field == "log" and again[1:] == first


SECTIONED = [
    'name = "a"\n\n[next]\naction = "x"\n\n[[log]]\nnote = "1"\n\n[[log]]\nnote = "2"\n',
    '[[log]]\nnote = "the first line is a header"\n[[history]]\nstage = "x"\n',
    'name = "crlf"\r\n[[log]]\r\nnote = "1"\r\n[[log]] # c\r\nnote = "2"\r\n',
    'note = """\n[[log]]\nnote = "inside a string"\n"""\n[[log]]\nnote = "real"\n',
    "a = '''\n[b]\n'''\n[b]\nc = 1\n",
    '[[log]]\nnote = "1"\n  [[log]]\n  note = "indented"\n[next]\naction = "x"\n',
    '[[log]]\nnote = "1"\n  [next]\n  action = "an indented table"\n',
    "[next]\naction = 1\n[next.sub]\nk = 1\n[[log]]\nk = 2\n[log.extra]\nk = 3\n",
    "x = [\n[1, 2],\n]\n[next]\na = 1\n",
    'next.action = "dotted"\n[next]\ndue = 1\n',  # invalid: a table after its dotted keys
    "[next]\na = 1\n[next]\nb = 2\n",  # invalid: defined twice
    "log = []\n[[log]]\na = 1\n",  # invalid: an array of tables after a value
    "[[log]]\na = 1\n[log]\nb = 2\n",
    "[next]\na = 1\n[[next]]\nb = 2\n",
    "n = { a = 1 }\n[n]\nb = 2\n",  # invalid: an inline table is closed
    "<<<<<<< ours\n[[log]]\na = 1\n=======\n>>>>>>> theirs\n",
    '\ufeffname = "bom"\n[[log]]\na = 1\n',
]


@pytest.mark.parametrize("text", SECTIONED)
def test_a_version_read_by_sections_equals_the_whole_parse(text: str) -> None:
    """The timeline reuses each section's parse across versions; the result must be exactly
    what the reader makes of the whole file (or nothing, where the reader refuses it)."""
    try:
        whole = tomli.loads(text.removeprefix("\ufeff"))
    except tomli.TOMLDecodeError:
        whole = None
    versions = Versions()
    for _ in range(2):  # the second time every section comes from the cache
        assert versions.parse(text.encode("utf-8")) == whole
