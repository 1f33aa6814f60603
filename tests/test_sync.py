"""`tuiboard sync` with the real git binary: a bare remote and clones in tmp_path."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.sync import sync
from pipeline.sync_said import commit_message, describe_change
from tests.gitteam import (
    conflict_on_next,
    data,
    git,
    head,
    isolate_git,
    make_team,
    new,
    ok,
    shared_customer,
    tb,
    tree,
)
from tuiboard.cli.team import open_repo
from tuiboard.labels import labels
from tuiboard.teamboard import sync_board


@pytest.fixture
def team(git_env: Path) -> tuple[Path, list[Path]]:
    """Three reps on one remote (conftest's `team` has two)."""
    return make_team(git_env, ["wang.li", "zhang.wei", "chen.jing"])


def test_describe_change_reads_actions_from_the_diff() -> None:
    before = {"name": "杭州中联", "stage": "intent", "amount": 1, "log": [{"kind": "call", "note": "a"}]}
    after = {
        "name": "杭州中联",
        "stage": "project",
        "amount": 2,
        "log": [{"kind": "call", "note": "a"}, {"kind": "visit", "note": "b"}],
        "next": {"action": "报价"},
    }
    assert describe_change("hz", before, after) == [
        "move 杭州中联 intent → project",
        "log 杭州中联 visit",
        "next 杭州中联",
        "edit 杭州中联 amount",
    ]
    assert describe_change("hz", None, after) == ["new 杭州中联 (project)"]
    assert describe_change("hz", before, None) == ["delete 杭州中联"]
    assert describe_change("x", {"name": "\x1b[31m", "stage": "a"}, None) == ["delete \\x1b[31m"]
    assert commit_message(["a"]) == "a"
    assert commit_message(["a", "b"]) == "sync: 2 changes\n\n- a\n- b"


def test_sync_commits_structured_messages_pushes_and_says_what_came_in(team: tuple[Path, list[Path]]) -> None:
    remote, (a, b, _) = team
    cid = new(a, "杭州中联", "--stage", "intent")
    ok(a, "sync")
    ok(a, "move", cid, "project")
    ok(a, "log", cid, "call", "聊了预算")
    out = ok(a, "sync")
    assert "move 杭州中联 intent → project" in out and "log 杭州中联 call" in out and "pushed" in out
    message = git(a, "log", "-1", "--format=%B").stdout
    assert "- move 杭州中联 intent → project" in message and "- log 杭州中联 call" in message
    assert head(a) == head(remote, "main")
    out = ok(b, "sync")
    assert "1 customer changed by wang.li (杭州中联)" in out
    assert data(b, cid) == data(a, cid)
    assert "up to date" in ok(b, "sync")


def test_dry_run_changes_nothing(team: tuple[Path, list[Path]]) -> None:
    remote, (a, _, _) = team
    new(a, "杭州中联")
    before = head(a), git(a, "status", "--porcelain").stdout, head(remote, "main")
    out = ok(a, "sync", "--dry-run")
    assert "would commit:" in out and "new 杭州中联" in out and "would fetch origin/main" in out
    assert (head(a), git(a, "status", "--porcelain").stdout, head(remote, "main")) == before


def test_files_with_problems_or_conflict_markers_are_never_committed(team: tuple[Path, list[Path]]) -> None:
    _, (a, _, _) = team
    good = new(a, "好客户")
    (a / "customers" / "broken.toml").write_text('name = "坏"\nstage = \n', encoding="utf-8")
    marked = a / "customers" / f"{good}.toml"
    text = marked.read_text(encoding="utf-8")
    marked.write_text("<<<<<<< ours\n" + text + "=======\n" + text + ">>>>>>> theirs\n", encoding="utf-8")
    before = head(a)
    result = tb(a, "sync")
    assert result.exit_code == 1
    assert "nothing committed" in result.output
    assert "customers/broken.toml:2:" in result.output
    assert f"customers/{good}.toml:1:1: error: unresolved merge conflict" in result.output
    assert head(a) == before and "broken.toml" in git(a, "status", "--porcelain", "-uall").stdout


def test_without_a_remote_it_commits_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)
    folder = tmp_path / "solo"
    folder.mkdir()
    git(folder, "init", "-q")
    ok(folder, "init")
    new(folder, "苏州华东")
    out = ok(folder, "sync")
    assert "no remote: committed locally only" in out
    assert git(folder, "status", "--porcelain").stdout == ""


def test_offline_it_commits_and_says_so(team: tuple[Path, list[Path]]) -> None:
    remote, (a, _, _) = team
    remote.rename(remote.with_name("gone.git"))
    new(a, "苏州华东")
    out = ok(a, "sync")
    assert "could not reach origin (offline?): committed locally only" in out
    assert git(a, "status", "--porcelain").stdout == ""
    remote.with_name("gone.git").rename(remote)
    assert "pushed" in ok(a, "sync")
    assert head(a) == head(remote, "main")


def test_a_push_the_remote_refused_is_retried_after_merging(team: tuple[Path, list[Path]]) -> None:
    remote, (a, b, _) = team
    cid = shared_customer(a, b, "杭州中联")
    ok(a, "log", cid, "call", "a 的电话")
    pushed_meanwhile = []

    def teammate_pushes() -> None:
        if not pushed_meanwhile:
            ok(b, "log", cid, "visit", "b 的拜访")
            ok(b, "sync")
            pushed_meanwhile.append(head(b))

    config, _ = load_config(a)
    result = sync(open_repo(a), config, before_push=teammate_pushes)
    assert result.pushed and result.ok
    assert result.incoming == {"zhang.wei": {"杭州中联"}}
    notes = [e["note"] for e in data(a, cid)["log"]]
    assert notes == ["a 的电话", "b 的拜访"]
    assert head(a) == head(remote, "main")
    git(a, "merge-base", "--is-ancestor", pushed_meanwhile[0], "HEAD")


def test_a_true_conflict_stops_the_sync_and_resolve_settles_it(team: tuple[Path, list[Path]]) -> None:
    remote, (a, b, c) = team
    cid = shared_customer(a, b, "杭州中联", "--amount", "100000")
    ok(a, "next", cid, "发送报价", "--due", "2026-12-01")
    ok(b, "next", cid, "约见决策人", "--due", "2026-12-01")
    ok(b, "log", cid, "call", "b 的电话")
    ok(a, "sync")
    result = tb(b, "sync")
    assert result.exit_code == 1
    assert f"conflicts in 1 customer: {cid}" in result.output
    assert "tuiboard resolve ID" in result.output
    assert "unresolved merge conflict" in tb(b, "check").output
    listing = ok(b, "resolve")
    assert "next.action" in listing
    assert 'ours    "约见决策人"' in listing and 'theirs  "发送报价"' in listing
    assert "base    (not set)" in listing
    assert tb(b, "resolve", cid, "--ours", "amount").exit_code == 2  # not a conflicting field
    refused = tb(b, "resolve", cid)  # not a terminal: every field must be picked on the command line
    assert refused.exit_code == 1 and "--ours FIELD or --theirs FIELD" in refused.output
    out = ok(b, "resolve", cid, "--theirs", "next.action")
    assert "settled" in out and "staged" in out
    assert git(b, "ls-files", "-u").stdout == ""
    settled = data(b, cid)
    assert settled["next"]["action"] == "发送报价" and [e["note"] for e in settled["log"]] == ["b 的电话"]
    out = ok(b, "sync")
    assert "concluded the merge" in out and "pushed" in out
    ok(a, "sync")
    ok(c, "sync")
    assert tree(a) == tree(b) == tree(c) == tree(remote, "main")
    assert "发送报价" in ok(a, "history", cid, "--field", "next.action")


def test_a_conflicted_sync_refuses_to_go_on_until_settled(team: tuple[Path, list[Path]]) -> None:
    _, (a, b, _) = team
    cid = shared_customer(a, b, "杭州中联", "--amount", "100")
    conflict_on_next(a, b, cid, ("A", "2026-12-01"), ("B", "2026-12-02"))
    again = tb(b, "sync")
    assert again.exit_code == 1 and f"conflicts in 1 customer: {cid}" in again.output
    ok(b, "resolve", cid, "--ours", "next.action", "--theirs", "next.due")
    ok(b, "sync")
    assert data(b, cid)["next"]["action"] == "B"
    assert str(data(b, cid)["next"]["due"]) == "2026-12-01"


def test_a_modify_delete_conflict_picks_a_whole_side(team: tuple[Path, list[Path]]) -> None:
    _, (a, b, _) = team
    cid = shared_customer(a, b, "杭州中联")
    git(a.parent, "rm", "-q", f"sales/customers/{cid}.toml")
    ok(a, "sync")
    ok(b, "log", cid, "call", "还在跟")
    assert tb(b, "sync").exit_code == 1
    assert "pick --ours all or --theirs all" in ok(b, "resolve")
    ok(b, "resolve", cid, "--ours", "all")
    ok(b, "sync")
    ok(a, "sync")
    assert [e["note"] for e in data(a, cid)["log"]] == ["还在跟"]


def test_the_light_merge_driver_merges_fields_and_marks_conflicts(tmp_path: Path) -> None:
    base = 'name = "杭州中联"\nstage = "intent"\namount = 1\nowner = "王"\n'
    ours, theirs = base.replace("amount = 1", "amount = 2"), base.replace('"王"', '"李"')
    files = [tmp_path / n for n in ("base", "ours", "theirs")]
    for path, text in zip(files, (base, ours, theirs), strict=True):
        path.write_text(text, encoding="utf-8")
    command = [sys.executable, "-I", "-m", "pipeline.mergedriver", *map(str, files)]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    merged = files[1].read_text(encoding="utf-8")
    assert merged == 'name = "杭州中联"\nstage = "intent"\namount = 2\nowner = "李"\n'
    files[2].write_text(base.replace("amount = 1", "amount = 3"), encoding="utf-8")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "conflict: amount" in done.stderr
    marked = files[1].read_text(encoding="utf-8")
    assert "<<<<<<< ours\namount = 2\n=======\namount = 3\n>>>>>>> theirs\n" in marked


def test_what_came_in_is_checked_after_the_merge(team: tuple[Path, list[Path]]) -> None:
    _, (a, b, _) = team
    cid = shared_customer(a, b, "杭州中联", "--stage", "intent")
    path = a / "customers" / f"{cid}.toml"  # a hand edit that kept the stage but not the history
    path.write_text(path.read_text(encoding="utf-8").replace('stage = "intent"', 'stage = "won"', 1), "utf-8")
    ok(a, "sync")
    ok(b, "log", cid, "call", "b 的电话")
    out = ok(b, "sync")
    assert "after the merge, `tuiboard check` finds:" in out
    assert f"customers/{cid}.toml:2:1: warning: stage is 'won' but the last history entry" in out


def test_text_from_git_and_from_files_reaches_the_terminal_harmless(team: tuple[Path, list[Path]]) -> None:
    _, (a, b, _) = team
    git(a.parent, "config", "user.name", "evil\x1b]0;pwned\x07name")
    cid = new(a, "杭州中联")
    ok(a, "sync")
    out = ok(b, "sync")
    assert "\x1b" not in out and "\x07" not in out
    assert "1 customer changed by evil\\x1b]0;pwned\\x07name (杭州中联)" in out
    ok(a, "next", cid, "A\x1b[2J", "--due", "2026-12-01")
    ok(b, "next", cid, "B\x9b31m", "--due", "2026-12-01")
    ok(a, "sync")
    stopped = tb(b, "sync")
    assert stopped.exit_code == 1
    for text in (ok(b, "resolve"), ok(b, "resolve", cid, "--ours", "next.action"), ok(b, "sync")):
        assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    history = ok(b, "history", cid)
    assert "\x1b" not in history and "\x9b" not in history and "evil\\x1b]0;pwned\\x07name" in history


def read_until(fd: int, wanted: bytes, limit: float = 60.0) -> bytes:
    """Bytes from a pty until ``wanted`` shows up (select, not sleep)."""
    got = b""
    while wanted not in got:
        ready, _, _ = select.select([fd], [], [], limit)
        assert ready, f"no {wanted!r} in {got!r}"
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    return got


def test_resolve_asks_for_each_field_in_a_terminal(team: tuple[Path, list[Path]]) -> None:
    _, (a, b, _) = team
    cid = shared_customer(a, b, "杭州中联")
    ok(a, "next", cid, "发送报价", "--due", "2026-12-01")
    ok(b, "next", cid, "约见决策人", "--due", "2026-12-02")
    ok(a, "sync")
    assert tb(b, "sync").exit_code == 1
    master, slave = os.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "tuiboard", "-C", str(b), "resolve", cid],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    try:
        shown = read_until(master, b"next.action: keep")
        assert 'ours    "约见决策人"'.encode() in shown
        os.write(master, b"theirs\n")
        read_until(master, b"next.due: keep")
        os.write(master, b"ours\n")
        done = read_until(master, b"staged")
        assert child.wait(timeout=60) == 0, done
    finally:
        os.close(master)
    settled = data(b, cid)["next"]
    assert (settled["action"], str(settled["due"])) == ("发送报价", "2026-12-02")
    assert git(b, "ls-files", "-u").stdout == ""


def test_a_customer_file_replaced_by_a_fifo_is_refused_not_read(team: tuple[Path, list[Path]]) -> None:
    _, (a, _, _) = team
    cid = new(a, "杭州中联")
    ok(a, "sync")
    path = a / "customers" / f"{cid}.toml"
    path.unlink()
    os.mkfifo(path)  # reading it would block the sync forever
    result = tb(a, "sync")
    assert result.exit_code == 1
    assert f"customers/{cid}.toml: error: is not a regular file" in result.output


def test_odd_file_names_are_committed_and_described(team: tuple[Path, list[Path]]) -> None:
    _, (a, b, _) = team
    odd = a / "customers" / "line\nbreak \x1b[31m.toml"
    odd.write_text('name = "换行"\nstage = "target"\n', encoding="utf-8")
    out = ok(a, "sync")
    assert "new 换行 (target)" in out and "\x1b" not in out
    came = ok(b, "sync")  # git cannot hand over a name with a newline in a batch: the id stands in
    assert "1 customer changed by wang.li (line⏎break \\x1b[31m)" in came
    assert (b / "customers" / "line\nbreak \x1b[31m.toml").read_bytes() == odd.read_bytes()


def test_a_refused_sync_names_a_file_with_escapes_harmlessly(team: tuple[Path, list[Path]]) -> None:
    _, (a, _, _) = team
    (a / "customers" / "bad \x1b]52;c;ZXZpbA==\x07.toml").write_text("name = \n", encoding="utf-8")
    result = tb(a, "sync")
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output, result.output
    assert "customers/bad \\x1b]52;c;ZXZpbA==\\x07.toml:1:" in result.output


def test_the_board_says_a_refused_sync_in_one_harmless_line(team: tuple[Path, list[Path]]) -> None:
    _, (a, _, _) = team
    (a / "customers" / "bad \x1b[2J.toml").write_text("name = \n", encoding="utf-8")
    said = sync_board(a, load_config(a)[0], labels("en"))
    assert said.severity == "error" and "\n" not in said.message and "\x1b" not in said.message
    assert said.message.startswith("nothing committed, fix first: customers/bad \\x1b[2J.toml:1:")
