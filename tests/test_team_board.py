"""The board knows git state: ahead/behind and conflicted customers in the status bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.gitrepo import local_state
from tests.gitteam import isolate_git, make_team, ok, tb
from tuiboard.app import BoardApp
from tuiboard.widgets.statusbar import StatusBar


@pytest.fixture
def conflicted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A clone in the middle of a sync that stopped on a conflict over one customer."""
    isolate_git(tmp_path, monkeypatch)
    _, (a, b) = make_team(tmp_path, ["wang.li", "zhang.wei"])
    cid = Path(ok(a, "new", "杭州中联").strip()).stem
    ok(a, "sync")
    ok(b, "sync")
    ok(a, "next", cid, "A", "--due", "2026-12-01")
    ok(b, "next", cid, "B", "--due", "2026-12-01")
    ok(a, "sync")
    assert tb(b, "sync").exit_code == 1
    return b, cid


def test_local_state_counts_commits_both_ways_and_conflicts(conflicted: tuple[Path, str]) -> None:
    folder, cid = conflicted
    state = local_state(folder)
    assert state is not None
    assert (state.branch, state.ahead, state.behind, state.merging) == ("main", 1, 1, True)
    assert state.conflicted == (f"sales/customers/{cid}.toml",)
    ok(folder, "resolve", cid, "--ours", "next.action")
    state = local_state(folder)
    assert state is not None and state.conflicted == () and state.merging
    ok(folder, "sync")
    state = local_state(folder)
    assert state is not None and (state.ahead, state.behind, state.dirty, state.merging) == (0, 0, 0, False)
    assert local_state(folder.parent.parent) is None  # not a repository


async def test_the_status_bar_shows_ahead_behind_and_conflicts(conflicted: tuple[Path, str]) -> None:
    folder, _ = conflicted
    app = BoardApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):  # the board loads, then git runs in a worker
            bars = app.screen.query(StatusBar)
            if bars and bars.first().git is not None:
                break
            await app.workers.wait_for_complete()
            await pilot.pause()
        bar = app.screen.query_one(StatusBar)
        text = str(bar.render())
        assert "⎇ main ↑1 ↓1" in text and "⚠ 1个冲突" in text
