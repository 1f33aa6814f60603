"""The board knows git state: ahead/behind and conflicted customers in the status bar, the
conflict marked on the card, actions on it refused, settled on the board, synced with S."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input

from pipeline.gitrepo import local_state
from tests.gitteam import conflict_on_next, git, head, ok, shared_customer, tb
from tests.support import until
from tuiboard.app import BoardApp
from tuiboard.board.screen import BoardScreen
from tuiboard.screens.conflicts import ConflictsScreen
from tuiboard.screens.settle import EditValueScreen, SettleScreen
from tuiboard.widgets.statusbar import StatusBar


@pytest.fixture
def conflicted(team: tuple[Path, list[Path]]) -> tuple[Path, str]:
    """A clone in the middle of a sync that stopped on a conflict over one customer."""
    _, (a, b) = team
    cid = shared_customer(a, b)
    conflict_on_next(a, b, cid)
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


def card_text(app: BoardApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def said(app: BoardApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_conflict_on_the_board_is_marked_refused_settled_by_picking_and_synced(
    team: tuple[Path, list[Path]],
) -> None:
    remote, (a, b) = team
    cid = shared_customer(a, b)
    ok(a, "next", cid, "安排演示", "--due", "2026-12-01")
    ok(a, "sync")
    ok(b, "next", cid, "发送报价", "--due", "2026-12-01")
    app = BoardApp(b)
    app.NOTIFICATION_TIMEOUT = 600  # toasts outlast a slow run on a loaded machine (said() reads them)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(app, pilot, lambda: "▸ 发送报价" in card_text(app))
        await pilot.press("S")  # sync: it stops on the conflict and says how to go on
        await until(app, pilot, lambda: any("按 C" in n for n in said(app)))
        await until(app, pilot, lambda: "⚡ 冲突 · 按 C 解决" in card_text(app))  # last good data kept
        assert "杭州中联" in card_text(app)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.focus_customer(cid)
        await pilot.press("a")  # next action: refused before its dialog opens
        await pilot.pause()
        assert app.screen is board and "杭州中联 有合并冲突" in said(app)[-1]
        await pilot.press("exclamation_mark")
        await until(app, pilot, lambda: isinstance(app.screen, ConflictsScreen))
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, SettleScreen))
        await pilot.press("t", "ctrl+s")  # next.action: theirs
        await until(app, pilot, lambda: "⚡" not in card_text(app) and "▸ 安排演示" in card_text(app))
        assert git(b, "ls-files", "-u").stdout == ""  # settled and staged
        assert "已解决并暂存" in said(app)[-1]
        await pilot.press("S")
        await until(app, pilot, lambda: any("已推送" in n for n in said(app)))
    assert git(b, "status", "--porcelain").stdout == "" and head(b) == head(remote, "main")
    ok(b, "check")


async def test_the_status_bar_says_a_rebase_waits_to_go_on(conflicted: tuple[Path, str]) -> None:
    folder, cid = conflicted
    ok(folder, "resolve", cid, "--ours", "next.action")
    ok(folder, "sync")  # concludes the merge; now a rebase that stops on the same kind of conflict
    ok(folder.parent.parent / "rep0" / "sales", "sync")
    ok(folder.parent.parent / "rep0" / "sales", "next", cid, "C", "--due", "2026-12-01")
    ok(folder.parent.parent / "rep0" / "sales", "sync")
    ok(folder, "next", cid, "D", "--due", "2026-12-01")
    assert tb(folder, "sync", "--rebase").exit_code == 1
    ok(folder, "resolve", cid, "--ours", "next.action")
    app = BoardApp(folder)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(
            app,
            pilot,
            lambda: bool(app.screen.query(StatusBar)) and app.screen.query_one(StatusBar).git is not None,
        )
        assert "变基中" in str(app.screen.query_one(StatusBar).render())


async def test_a_settle_the_write_refuses_opens_again_with_the_picks_and_values_read_by_kind(
    team: tuple[Path, list[Path]],
) -> None:
    """b's sync from the board stops on amount. Settling while git's index is locked (an
    editor's git running) is refused, said in Chinese, and the dialog is back with the pick
    made (it closed and forgot every pick). A value typed as 28万 is 280000 (it was written
    as the string "28万" and refused); one that is no amount is said in the dialog."""
    _, (a, b) = team
    cid = shared_customer(a, b)
    for rep, amount in ((a, 216000), (b, 250000)):
        path = rep / "customers" / f"{cid}.toml"
        text = path.read_text("utf-8")
        path.write_text(text.replace("stage = ", f"amount = {amount}\nstage = ", 1), "utf-8")
    ok(a, "sync")
    app = BoardApp(b)
    app.NOTIFICATION_TIMEOUT = 600
    async with app.run_test(size=(160, 40)) as pilot:
        await until(app, pilot, lambda: "杭州中联" in card_text(app))
        await pilot.press("S")  # sync: it stops on amount
        await until(app, pilot, lambda: "⚡ 冲突 · 按 C 解决" in card_text(app))
        await pilot.press("exclamation_mark")
        await until(app, pilot, lambda: isinstance(app.screen, ConflictsScreen))
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, SettleScreen))
        first = app.screen
        lock = b.parent / ".git" / "index.lock"
        lock.touch()
        await pilot.press("t", "ctrl+s")  # a's 216000
        await until(app, pilot, lambda: any("未解决，文件未写入" in n for n in said(app)))
        await until(app, pilot, lambda: isinstance(app.screen, SettleScreen) and app.screen is not first)
        assert app.screen.picks == {"amount": "theirs"}  # type: ignore[attr-defined]
        lock.unlink()
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, EditValueScreen))
        app.screen.query_one(Input).value = "很多"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditValueScreen)  # not an amount: said under the field
        app.screen.query_one(Input).value = "28万"
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, SettleScreen))
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "⚡" not in card_text(app))
    assert tomllib.loads((b / "customers" / f"{cid}.toml").read_text("utf-8"))["amount"] == 280000
    assert git(b, "ls-files", "-u").stdout == ""


async def test_a_board_opened_on_a_conflicted_clone_shows_the_customer_marked(
    conflicted: tuple[Path, str],
) -> None:
    """The sync stopped on the command line and the board opens afterwards, with no earlier
    read of the file kept (no cache): the customer is there, marked, not gone from the board."""
    b, cid = conflicted
    shutil.rmtree(b / ".tuiboard", ignore_errors=True)
    app = BoardApp(b)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(app, pilot, lambda: "⚡ 冲突 · 按 C 解决" in card_text(app))
        assert "杭州中联" in card_text(app) and cid in app.board.customers  # type: ignore[union-attr]
