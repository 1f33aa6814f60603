"""Conflicts on the board's screens, driven with Pilot over a real conflicted clone: the
conflicts view, the settle screen (pick per field or edit), and sync as the board says it."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input

from pipeline.config import load_config
from pipeline.merge import MISSING
from pipeline.settle import parse_value
from tests.gitteam import conflict_on_next, git, ok, shared_customer, tb
from tuiboard.labels import labels
from tuiboard.screens.conflicts import ConflictsScreen
from tuiboard.screens.settle import EditValueScreen, SettleScreen
from tuiboard.teamboard import conflicts, settle_board, sync_board


@pytest.fixture
def conflicted(team: tuple[Path, list[Path]]) -> tuple[Path, Path, str]:
    """Two reps; the second's sync stopped on next.action and next.due of one customer."""
    _, (a, b) = team
    cid = shared_customer(a, b)
    conflict_on_next(a, b, cid, ("安排演示", "2026-12-01"), ("发送报价", "2026-12-02"))
    return a, b, cid


class Host(App[None]):
    """A bare app that shows one screen and keeps what it returns."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.first = screen
        self.result: Any = "not returned"

    def on_mount(self) -> None:
        self.push_screen(self.first, self._keep)

    def _keep(self, result: Any) -> None:
        self.result = result


async def test_settle_screen_picks_one_field_edits_another_and_the_file_is_written_and_staged(
    conflicted: tuple[Path, Path, str],
) -> None:
    _, b, cid = conflicted
    (item,) = conflicts(b)
    assert item.name == "杭州中联" and [f.field for f in item.conflict.fields] == ["next.action", "next.due"]
    app = Host(SettleScreen(item.conflict, item.name))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = "\n".join(
            str(app.screen.query_one("OptionList").get_option_at_index(i).prompt) for i in (0, 1)
        )
        lines = [" ".join(line.split()) for line in text.split("\n")]
        assert '我的 "发送报价"' in lines and '对方 "安排演示"' in lines
        await pilot.press("ctrl+s")  # nothing picked yet: refused, the screen stays
        assert isinstance(app.screen, SettleScreen) and "还有字段未选" in str(
            app.screen.query_one("#status").render()
        )
        await pilot.press("t")  # next.action: theirs; the highlight moves on to next.due
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditValueScreen)
        app.screen.query_one(Input).value = "2026-12-24"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result is not None and set(app.result) == {"next.action", "next.due"}
    config, _ = load_config(b)
    said = settle_board(b, config, item, app.result, labels("en"))
    assert said.severity == "information" and "settled and staged" in said.message
    assert git(b, "ls-files", "-u").stdout == ""  # staged: no longer conflicted
    data = tomllib.loads((b / "customers" / f"{cid}.toml").read_text(encoding="utf-8"))
    assert data["next"]["action"] == "安排演示" and str(data["next"]["due"]) == "2026-12-24"
    assert "0 errors" in ok(b, "check") or tb(b, "check").exit_code == 0


async def test_conflicts_view_lists_the_conflicted_customers_and_enter_picks_one(
    conflicted: tuple[Path, Path, str],
) -> None:
    _, b, cid = conflicted
    app = Host(ConflictsScreen(conflicts(b)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        row = str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        assert row.startswith("⚡ 杭州中联") and "next.action, next.due" in row
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == cid


def test_sync_from_the_board_says_what_came_in_and_what_stopped_it(
    conflicted: tuple[Path, Path, str],
) -> None:
    a, b, cid = conflicted
    config, _ = load_config(b)
    stopped = sync_board(b, config, labels("zh"))
    assert stopped.severity == "warning" and "按 C" in stopped.message
    ok(b, "resolve", cid, "--ours", "next.action", "--ours", "next.due")
    assert "pushed" in sync_board(b, config, labels("en")).message
    ok(b, "log", cid, "call", "b")
    came = sync_board(a, config, labels("en"))
    assert came.message.split("\n")[0] == "1 customer changed by zhang.wei (杭州中联)"
    ok(b, "log", cid, "visit", "b2")
    ok(b, "sync")
    assert sync_board(a, config, labels("zh")).message.startswith("zhang.wei 改了 1 个客户（杭州中联）")


def test_a_value_typed_while_settling_is_read_by_the_fields_kind() -> None:
    assert parse_value("28万", "amount", 250000) == 280000
    assert parse_value("2026年12月", "next.due", MISSING) == date(2026, 12, 31)
    assert parse_value(" 张伟 ", "contact.name", "李娜") == "张伟"
    assert parse_value("[1, 2]", "custom", MISSING) == [1, 2]  # not a known field: TOML
    assert parse_value("自定义", "custom", MISSING) == "自定义"  # else the text
    with pytest.raises(ValueError, match="amount"):
        parse_value("很多", "amount", 250000)
