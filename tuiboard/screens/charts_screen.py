"""The charts screen: a KPI strip and one tab per chart, over the board's filtered customers.

The metrics are computed in a thread worker; a newer board or filter
(`update_board`) supersedes a computation still running. Each chart is drawn by
`tuiboard.textcharts` for the size its widget has, again whenever that size changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tabs
from textual.worker import get_current_worker

from pipeline.query import Filter, select
from pipeline.store import Board

from ..messages import BoardChanged
from ..textcharts import CHARTS, chart_text, slip_text
from ..textout import money, safe
from ..worded import Worded, words_of

TABS = [*CHARTS, "slip"]  # the last is text from git, computed when first shown
KPIS = ("open_amount", "weighted_amount", "win_rate", "leak_rate", "overdue", "stale")  # charts.kpi.*


class ChartView(Widget):
    """One chart, drawn to fit the widget and drawn again when it is resized."""

    DEFAULT_CSS = "ChartView { width: 1fr; height: 1fr; }"

    def __init__(self, chart: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart = chart
        self.data: dict[str, Any] | None = None
        self.currency = "CNY"
        self._cache: tuple[tuple[int, int, int], Text] | None = None

    def show(self, data: dict[str, Any], currency: str) -> None:
        self.data, self.currency = data, currency
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        self.refresh()

    def render(self) -> Text:
        if self.data is None:
            return Text(words_of(self)("charts.busy"), style="dim")
        width, height = self.size
        key = (width, height, id(self.data))
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, chart_text(self.chart, self.data, width, height, currency=self.currency))
        return self._cache[1]


class ChartsScreen(Worded[None]):
    """Funnel analytics for the customers that pass the board's filter."""

    DEFAULT_CSS = """
    ChartsScreen { layout: vertical; }
    ChartsScreen #charts-title { height: 1; padding: 0 1; background: $panel; }
    ChartsScreen #kpis { height: 4; }
    ChartsScreen .kpi { width: 1fr; height: 4; border: round $primary-darken-1; padding: 0 1; }
    ChartsScreen TabbedContent { height: 1fr; }
    ChartsScreen TabPane { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "key.close"),
        Binding("q", "close", "key.close", show=False),
        *(Binding(str(i), f"tab({i})", f"charts.tab.{name}", show=False) for i, name in enumerate(TABS, 1)),
    ]

    def __init__(self, board: Board, flt: Filter, today: date) -> None:
        super().__init__()
        self.board, self.flt, self.today = board, flt, today
        self.kpis: dict[str, Any] | None = None
        self.report: dict[str, Any] | None = None
        self._generation = 0
        self._slip_shown = -1  # the generation the slip tab was computed for

    def compose(self) -> ComposeResult:
        words = self.words
        yield Static(self._title(None), id="charts-title")
        with Horizontal(id="kpis"):
            for key in KPIS:
                yield Static(self._kpi(key), classes="kpi", id=f"kpi-{key}")
        with TabbedContent(id="chart-tabs"):
            for name in CHARTS:
                with TabPane(words(f"charts.tab.{name}"), id=f"tab-{name}"):
                    yield ChartView(name, id=f"chart-{name}")
            with TabPane(words("charts.tab.slip"), id="tab-slip"):
                yield Static("", id="slip-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Tabs).focus()
        self._recompute()

    def update_board(self, board: Board, flt: Filter, today: date | None = None) -> None:
        """The board reloaded or its filter changed: compute everything again, off the UI thread."""
        self.board, self.flt = board, flt
        self.today = today or self.today
        if self.is_mounted:  # else on_mount computes it
            self._recompute()

    def on_board_changed(self, message: BoardChanged) -> None:
        self.update_board(message.board, self.flt)

    def action_close(self) -> None:
        self.dismiss()

    def action_tab(self, number: int) -> None:
        self.query_one(TabbedContent).active = f"tab-{TABS[number - 1]}"

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-slip" and self._slip_shown != self._generation:
            self._slip_shown = self._generation
            self.query_one("#slip-text", Static).update("从 git 历史计算中… reading git history")
            self._compute_slip(self.board, self.flt, self.today, self._generation)

    # -- computing -----------------------------------------------------------------------

    def _recompute(self) -> None:
        self._generation += 1
        self.query_one("#charts-title", Static).update(self._title(None, busy=True))
        self._compute(self.board, self.flt, self.today, self._generation)

    @work(thread=True, exclusive=True, group="charts")
    def _compute(self, board: Board, flt: Filter, today: date, generation: int) -> None:
        from pipeline.analytics import Analysis  # off the UI thread

        customers = select(board.customers, flt, board.config, today)
        try:
            analysis = Analysis(customers, board.config, today)
            report, kpis = analysis.report(), analysis.kpis()
        except Exception as exc:  # a bug in a metric must not take the board down with it
            self.app.call_from_thread(self._failed, generation, f"{type(exc).__name__}: {exc}")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, generation, report, kpis, len(customers))

    @work(thread=True, exclusive=True, group="slip")
    def _compute_slip(self, board: Board, flt: Filter, today: date, generation: int) -> None:
        """`report --slip` for the filtered customers: two git calls each, so only when shown."""
        from pipeline.analytics.from_git import slip_report
        from pipeline.gitrepo import GitError, Repo, is_repo

        if not is_repo(board.root):
            text = self.words("charts.slip_no_git")
        else:
            customers = select(board.customers, flt, board.config, today)
            try:
                text = slip_text(slip_report(Repo(board.root), customers), board.config.currency)
            except GitError as exc:
                text = self.words("charts.slip_failed", why=safe(str(exc)))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_slip, generation, text)

    def _show_slip(self, generation: int, text: str) -> None:
        if generation == self._generation and self.is_attached:
            self.query_one("#slip-text", Static).update(Text(text))

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation and self.is_attached:
            title = self._title(None)
            title.append(" · " + self.words("charts.failed", why=safe(message)), style="bold red")
            self.query_one("#charts-title", Static).update(title)

    def _show(self, generation: int, report: dict[str, Any], kpis: dict[str, Any], count: int) -> None:
        if generation != self._generation or not self.is_attached:
            return  # a newer board or filter is being computed
        self.report, self.kpis = report, kpis
        self.query_one("#charts-title", Static).update(self._title(count))
        for key in KPIS:
            self.query_one(f"#kpi-{key}", Static).update(self._kpi(key))
        for view in self.query(ChartView):
            view.show(report, self.board.config.currency)
        if self.query_one(TabbedContent).active == "tab-slip":
            self._slip_shown = generation
            self._compute_slip(self.board, self.flt, self.today, generation)

    # -- text ----------------------------------------------------------------------------

    def _title(self, count: int | None, busy: bool = False) -> Text:
        words = self.words
        parts = [words("charts.title"), words("charts.as_of", today=self.today.isoformat())]
        if count is not None:
            parts.append(words("many.customers", count=count))
        if self.flt.active:
            parts.append(f"{words('title.filter')} {safe(self.flt.describe())}")
        if busy:
            parts.append(words("charts.busy"))
        return Text(" · ".join(parts))

    def _kpi(self, key: str) -> Text:
        label = self.words(f"charts.kpi.{key}")
        text = Text(label + "\n", style="dim")
        if self.kpis is None:
            return text.append("…")
        value = self.kpis[key]
        if key.endswith("amount"):
            shown = money(value, self.board.config.currency)
        elif key.endswith("rate"):
            shown = "—" if value is None else f"{value * 100:.0f}%"
        else:
            shown = str(value)
        return text.append(shown, style="bold")
