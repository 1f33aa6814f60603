"""The charts screen, hosted in a tiny app over the demo pipeline: snapshots at 120x40, and its
behaviour (recomputing for a new board or filter, resizing, closing)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from pipeline.query import Filter
from pipeline.store import Board, load_board
from tests.conftest import TODAY
from tuiboard.screens.charts_screen import ChartsScreen, ChartView

SIZE = (120, 40)


class Host(App[None]):
    """Pushes the charts screen over an empty default screen, as the board does."""

    def __init__(self, board: Board, flt: Filter, today: date) -> None:
        super().__init__()
        self.args = (board, flt, today)

    async def on_mount(self) -> None:
        await self.push_screen(ChartsScreen(*self.args))


def host(root: Path, flt: Filter | None = None) -> Host:
    return Host(load_board(root), flt or Filter(), TODAY)


async def computed(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_funnel(snap_compare: Any, demo_folder: Path) -> None:
    assert snap_compare(host(demo_folder), terminal_size=SIZE, run_before=computed)


def test_snapshot_conversion(snap_compare: Any, demo_folder: Path) -> None:
    assert snap_compare(host(demo_folder), press=["2"], terminal_size=SIZE, run_before=computed)


def test_snapshot_trend_for_one_owner(snap_compare: Any, demo_folder: Path) -> None:
    app = host(demo_folder, Filter(owners=frozenset({"li.na"})))
    assert snap_compare(app, press=["6"], terminal_size=SIZE, run_before=computed)


def kpi(screen: ChartsScreen, key: str) -> str:
    return str(screen.query_one(f"#kpi-{key}", Static).render()).splitlines()[-1]


async def test_update_board_recomputes_off_the_ui_thread(demo_folder: Path) -> None:
    app = host(demo_folder)
    async with app.run_test(size=SIZE) as pilot:
        await computed(pilot)
        screen = app.screen
        assert isinstance(screen, ChartsScreen) and screen.kpis is not None
        everyone = screen.kpis["overdue"]
        assert kpi(screen, "overdue") == str(everyone)
        screen.update_board(load_board(demo_folder), Filter(overdue=True))
        assert "计算中" in str(screen.query_one("#charts-title", Static).render())
        await computed(pilot)
        assert screen.kpis["overdue"] == everyone and screen.kpis["open"] == everyone
        assert "筛选 overdue" in str(screen.query_one("#charts-title", Static).render())
        funnel = screen.report["funnel"]  # type: ignore[index]
        assert sum(r["count"] for r in funnel) == everyone


async def test_charts_redraw_for_their_size_and_tabs_switch(demo_folder: Path) -> None:
    app = host(demo_folder)
    async with app.run_test(size=SIZE) as pilot:
        await computed(pilot)
        view = app.screen.query_one("#chart-funnel", ChartView)
        wide = view.render()
        assert max(line.cell_len for line in wide.split()) > 100
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        narrow = view.render()
        assert view.size.width < 70 and max(line.cell_len for line in narrow.split()) <= view.size.width
        await pilot.press("5")
        assert app.screen.query_one(TabbedContent).active == "tab-buckets"
        await pilot.press("right")
        assert app.screen.query_one(TabbedContent).active == "tab-trend"


async def test_escape_closes_the_screen(demo_folder: Path) -> None:
    app = host(demo_folder)
    async with app.run_test(size=SIZE) as pilot:
        await computed(pilot)
        assert isinstance(app.screen, ChartsScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ChartsScreen)


async def test_update_before_mount_and_a_failing_metric(demo_folder: Path, monkeypatch: Any) -> None:
    from pipeline.analytics import Analysis

    def broken(self: Analysis) -> dict[str, Any]:
        raise ZeroDivisionError("\x1b[31mboom")

    board = load_board(demo_folder)
    screen = ChartsScreen(board, Filter(), TODAY)
    screen.update_board(board, Filter(owners=frozenset({"li.na"})))  # not mounted yet: kept for mount
    monkeypatch.setattr(Analysis, "report", broken)
    app = App[None]()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(screen)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        title = str(screen.query_one("#charts-title", Static).render())
        assert "owner li.na" in title and "计算失败：ZeroDivisionError: \\x1b[31mboom" in title
        assert app.is_running and screen.report is None
