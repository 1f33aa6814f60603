"""Snapshots of the key dialogs at 100x30, with Chinese names and labels (CJK cells line up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from pipeline.problems import Problem, Severity
from pipeline.query import Filter
from pipeline.store import load_board
from tests.conftest import TODAY
from tests.test_screens import CONFIG, SUZHOU, Host, parse
from tuiboard.screens.criteria import CriteriaScreen
from tuiboard.screens.customer_form import CustomerFormScreen
from tuiboard.screens.details import DetailsScreen
from tuiboard.screens.filter import FilterScreen
from tuiboard.screens.today import TodayScreen

SIZE = (100, 30)


def test_snapshot_edit_form_with_an_inline_error(snap_compare: Any) -> None:
    async def bad_amount(pilot: Pilot[None]) -> None:
        amount = pilot.app.screen.query_one("#f-amount", Input)
        amount.cursor_blink = False  # a blinking cursor makes the snapshot depend on the clock
        amount.focus()
        await pilot.press("ctrl+u", *"18万x")  # ctrl+u: delete to the start of the line
        await pilot.pause()  # the inline error is drawn after the Changed message is handled

    app = Host(CustomerFormScreen(CONFIG, TODAY, parse(SUZHOU)))
    assert snap_compare(app, terminal_size=SIZE, run_before=bad_amount)


def test_snapshot_details(snap_compare: Any) -> None:
    c = parse(SUZHOU)
    problem = Problem(
        c.path, 11, 15, Severity.WARNING, "budget_year is not a known key", "budget_year = 2027"
    )

    async def to_the_end(pilot: Pilot[None]) -> None:
        pilot.app.screen.query_one("#details").scroll_end(animate=False)
        await pilot.pause()

    app = Host(DetailsScreen(c, CONFIG, [problem], TODAY))
    assert snap_compare(app, terminal_size=SIZE, run_before=to_the_end)


def test_snapshot_today_over_the_demo(snap_compare: Any, demo_folder: Path) -> None:
    customers = list(load_board(demo_folder).customers.values())
    assert snap_compare(Host(TodayScreen(customers, CONFIG, TODAY, owner="wang.li")), terminal_size=SIZE)


def test_snapshot_criteria_half_ticked(snap_compare: Any) -> None:
    screen = CriteriaScreen(CONFIG.stage("project"), "苏州华东精密机械有限公司")  # type: ignore[arg-type]
    assert snap_compare(Host(screen), terminal_size=SIZE, press=["space", "down", "down", "space"])


def test_snapshot_filter(snap_compare: Any, demo_folder: Path) -> None:
    customers = list(load_board(demo_folder).customers.values())
    current = Filter(tiers=frozenset({"A", "VIP"}), overdue=True, text="苏州")
    assert snap_compare(Host(FilterScreen(CONFIG, customers, current)), terminal_size=SIZE)
