"""The board screen without its keys: the columns of cards, the view state that shapes
them (filter and search, sort, density, the lost column), drawing, the selection.

A new board arrives as a `BoardChanged` message (or from a flow that just wrote it) and is
drawn by `show`. The flows (`moves`, `edits`, `undo`, ...) act on this class;
`screen.BoardScreen` adds the keys: those that change the view and those that run a flow.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from pipeline import rules
from pipeline.model import Customer
from pipeline.query import Filter
from pipeline.store import Board

from .. import clock
from ..benchlog import bench_mark
from ..marks import Marks
from ..messages import BoardChanged, KeysDue
from ..textout import safe
from ..viewmodel import BoardView, build_view
from ..widgets.column import CardList, CardPainter, ColumnsRow, StageColumn
from ..widgets.fit import DENSITIES
from ..widgets.keybar import KeyBar
from ..widgets.search import SearchInput
from ..widgets.statusbar import StatusBar
from ..worded import Worded
from . import loading, views
from .team import conflicted_on
from .typeahead import TypeAhead

if TYPE_CHECKING:
    from ..app import BoardApp
    from . import bulk, undo


class BoardBase(Worded[None]):
    """The view state, drawing and selection the flows use; no bindings (see `BoardScreen`)."""

    def __init__(self, host: BoardApp) -> None:
        super().__init__()
        self.host = host  # the store thread, reloads, toasts
        self.board: Board | None = None  # the board drawn
        self.progress: loading.Progress | None = None  # while the board drawn is a partial one
        self.cursors = loading.Cursors()
        self.view: BoardView | None = None
        self.flt = Filter()
        self.sort = "due"
        self.density = DENSITIES[0]
        self.show_lost = False
        self.today = clock.today()
        self.undo_stack: list[undo.Undo | bulk.BatchUndo] = []
        self.marks = Marks()  # marked cards: the write keys act on all of them (board/bulk.py)
        self.view_name: str | None = None  # the saved view shown (board/views.py) ...
        self.view_flt: Filter | None = None  # ... while the filter is still this one
        self.painter = CardPainter(host.console)
        self.painter.marks = self.marks
        self._last_cards: CardList | None = None
        self._building = asyncio.Lock()
        # Held from a write's start until its undo entry is kept and the board it wrote is on
        # the screen: a `u` pressed while a write is on the store thread waits for it instead of
        # finding nothing (or the entry before) to undo; so does every other write (`settled`).
        self.writing = asyncio.Lock()
        self.typeahead = TypeAhead(self.writing, lambda: host.post_message(KeysDue()))

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        yield SearchInput()
        yield Static("", id="empty", markup=False)
        yield ColumnsRow(id="columns")
        yield StatusBar(self.host.root)
        yield KeyBar()

    def on_resize(self) -> None:
        self.layout_columns()

    # -- drawing -------------------------------------------------------------------------

    async def on_board_changed(self, message: BoardChanged) -> None:
        self.progress, started = message.progress, time.monotonic()
        await self.show(message.board)
        if message.source == "loading":
            self.host.pacer.drawn(time.monotonic() - started)
            if message.board.customers:
                self.call_after_refresh(bench_mark, "loading-paint")
        elif message.source in ("load", "reload"):  # the app's load or reload is on screen
            self.call_after_refresh(bench_mark, "first-paint" if message.source == "load" else "repainted")
        if message.source != "write":
            self.host.reloaded.set()

    async def show(self, board: Board) -> None:
        """Draw ``board`` (a reload's or a write's); the selection stays on the same customer."""
        if board is self.board or not self.is_attached:
            return
        old, self.board = self.board, board
        if old is None or old.config != board.config:
            async with self._building:
                await self._build_columns(board)
        self.refresh_view()
        if old is None:
            views.open_first(self, self.host.first_view)
        if self.progress is None:  # git status over a fresh clone's files is slow: once, at the end
            self.query_one(StatusBar).refresh_git()

    async def take(self, board: Board) -> None:
        """A board a flow just wrote: every screen is told, and this one draws it now."""
        self.host.publish(board, "write")
        await self.show(board)
        self.typeahead.landed()

    async def _build_columns(self, board: Board) -> None:
        holder = self.query_one(ColumnsRow)
        await holder.remove_children()
        columns = [StageColumn(stage, self.painter) for stage in board.config.stages]
        for column in columns:  # hidden before they mount: no frame lays out a lost column
            column.display = column.stage.kind != "lost" or self.show_lost
        await holder.mount_all(columns)
        self._set_lost_display()
        first = next((c for c in columns if c.display), None)
        if first is not None:
            self._focus_cards(first.cards)

    def refresh_view(self) -> None:
        """Recompute what is shown (filter, sort, sums) and redraw; selections stay by id."""
        board, words = self.board, self.host.labels
        if board is None or not self.is_attached:
            return
        self.today = clock.today()
        self.painter.set_context(board.config, self.today, words)
        self.painter.set_conflicted(conflicted_on(board))
        self.view = build_view(board, self.flt, self.sort, self.today)
        columns, partial = list(self.query(StageColumn)), self.progress is not None
        self.cursors.before([c.cards for c in columns])
        for column in columns:
            sid = column.stage.id
            column.show(self.view.columns[sid], self.view.sums[sid], board.config.currency, words, partial)
        self.cursors.after([c.cards for c in columns], partial)
        self.query_one(StatusBar).show(self.view, board.config.currency, words)
        self.query_one(StatusBar).show_progress(loading.status(words, self.progress))
        self.query_one(KeyBar).show(words, bool(self.flt.text))
        empty = self.query_one("#empty", Static)
        empty.display = not board.customers
        if empty.display:
            empty.update(words("board.empty"))
        title, line = self._title(board), self.query_one("#title", Static)
        if title != line.content:
            line.update(title, layout=False)  # one line, always: no layout pass

    def _title(self, board: Board) -> Text:
        words = self.host.labels
        text = Text(safe(board.config.name), style="bold")
        text.append(f"  {safe(self.host.root.name)}", style="dim")
        text.append(f"  │ {words('title.sort')}: {words(f'sort.{self.sort}')}")
        view = views.active(self)
        if view is not None:
            text.append(f"  │ {words('title.view')}: ")
            text.append(safe(view), style="bold cyan")
        elif self.flt.active:
            text.append(f"  │ {words('title.filter')}: ")
            text.append(safe(self.flt.describe()), style="bold yellow")
        if self.show_lost:
            text.append(f"  │ {words('title.lost_shown')}", style="dim")
        if self.marks:
            text.append(f"  │ {words('title.marked', count=len(self.marks))}", style="bold green")
        return text

    def _set_lost_display(self) -> None:
        for column in self.query(StageColumn):
            if column.stage.kind == "lost":
                column.display = self.show_lost
        self.layout_columns()

    def layout_columns(self) -> None:
        """Fit the shown columns to the width (widgets/fit.py), then keep the focused one in view."""
        self.query_one(ColumnsRow).lay_out(self._columns(), self.app.size.width, self.density)
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        cards, columns = self._last_cards, self._columns()
        if cards is not None and cards.parent in columns:
            self.query_one(ColumnsRow).bring_into_view(columns.index(cards.parent))

    # -- selection -----------------------------------------------------------------------

    def _columns(self) -> list[StageColumn]:
        return [c for c in self.query(StageColumn) if c.display]

    def _focus_cards(self, cards: CardList) -> None:
        """Kept at once: Textual applies a focus change later, and three quick presses of
        ``l`` must move three columns."""
        self._last_cards = cards
        cards.focus(scroll_visible=False)
        self._keep_in_view()  # whole columns, no animation: quick presses must land exactly

    def selected(self) -> Customer | None:
        """The card the keys act on: in the focused column, or the last one focused (while searching)."""
        cards = self._last_cards
        return cards.selected if cards is not None else None

    async def settled(self) -> None:
        """Wait until a write under way has reached the screen. A write flow starts here
        (`screen.write_flow`): a rep who saves the next action and at once moves the card
        moves the customer as that write left it, not as it was (whose file has changed
        since, which the write path would refuse as a change on disk)."""
        async with self.writing:
            pass

    def on_screen_suspend(self) -> None:
        """A key given back opened a dialog: the keys after it are the dialog's, once it has
        drawn (and put the focus where its keys go)."""
        self.app.screen.call_after_refresh(self.typeahead.go_on)

    def need_selected(self) -> Customer | None:
        customer = self.selected()
        if customer is None:
            self.host.say(self.host.labels("toast.no_selection"), "warning")
        return customer

    def on_descendant_focus(self) -> None:
        if not self.is_attached:  # a focus message that arrives while quitting
            return
        focused = self.focused
        if isinstance(focused, CardList):
            self._last_cards = focused

    def focus_customer(self, customer_id: str) -> bool:
        """Select a customer's card and focus its column (showing it if hidden or filtered)."""
        board = self.board
        customer = board.customers.get(customer_id) if board else None
        if customer is None or board is None:
            return False
        if self.flt.active and not self.flt.matches(customer, board.config, self.today):
            self.flt = Filter()
            self.host.say(self.host.labels("toast.filter_cleared"))
            self.refresh_view()
        if rules.stage_kind(customer, board.config) == "lost" and not self.show_lost:
            self.action_toggle_lost()
        for column in self._columns():
            if column.stage.id == customer.stage and column.cards.select_id(customer_id):
                self._focus_cards(column.cards)
                return True
        return False

    def follow(self, customer_id: str) -> None:
        """After a write: select the card where it now is, if that column is shown."""
        for column in self._columns():
            if column.cards.select_id(customer_id):
                self._focus_cards(column.cards)
                return

    # -- the view ------------------------------------------------------------------------

    def action_focus_column(self, step: int) -> None:
        lists = [c.cards for c in self._columns()]
        if lists:
            i = lists.index(self._last_cards) if self._last_cards in lists else 0
            self._focus_cards(lists[max(0, min(len(lists) - 1, i + step))])

    def action_toggle_lost(self) -> None:
        self.show_lost = not self.show_lost
        self._set_lost_display()
        current = self._last_cards
        if current is not None and isinstance(current.parent, StageColumn) and not current.parent.display:
            self.action_focus_column(-1)
        self.refresh_view()

    def set_filter(self, flt: Filter) -> None:
        self.flt = flt
        self.refresh_view()
