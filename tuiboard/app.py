"""The board: stage columns of cards over a pipeline folder, live-reloaded, edited by keys.

Every `Store` call (load, reload, rescan, the writes that must update it) runs on one
background thread, in order, so the UI thread never parses TOML and never races the store.
The watcher's batches arrive as `FilesChanged` messages; the board's own writes are noted
in the store (`note_written`), so the watcher's echo of them reports nothing changed.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.actions import ActionParseResult
from textual.app import App, ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import BindingType
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, Static

from pipeline import actions, rules, search
from pipeline.edit import WriteResult
from pipeline.errors import ConflictError, TuiboardError
from pipeline.model import Customer
from pipeline.problems import printable
from pipeline.query import Filter
from pipeline.store import Board, ReloadResult, Store, gc_paused
from pipeline.watch import Batch, FolderWatcher

from . import clock, keymap
from .me import whoami
from .screens.jump import CustomerCommands
from .textout import safe
from .widgets.board_view import BoardView, build_view, next_sort, sort_label
from .widgets.column import CardList, CardPainter, ColumnsRow, StageColumn
from .widgets.fit import DENSITIES
from .widgets.keybar import KeyBar
from .widgets.search import SearchInput
from .widgets.statusbar import StatusBar

T = TypeVar("T")
WRITE_ACTIONS = frozenset({"move", "won", "lost", "new", "edit", "editor", "next_action", "log", "undo"})


class FilesChanged(Message):
    """The watcher saw these files change (posted from the watcher's thread)."""

    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


@dataclass(frozen=True, slots=True)
class Undo:
    customer_id: str
    path: Path
    before: bytes | None  # None: the edit created the file
    after: bytes
    what: str


class BoardScreen(Screen[None]):
    """The board's one screen; its keys call the app's actions (so dialogs on top never see them)."""

    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings()
    COMMANDS = Screen.COMMANDS | {CustomerCommands}

    def on_resize(self) -> None:
        self.app.layout_columns()  # type: ignore[attr-defined]  # Screen.app is typed App; it is BoardApp

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        yield SearchInput()
        yield Static("", id="empty", markup=False)
        yield ColumnsRow(id="columns")
        yield StatusBar(self.app.root)  # type: ignore[attr-defined]  # BoardApp, as above
        yield KeyBar()


class BoardApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "tuiboard"

    def __init__(
        self, root: Path, *, debounce: float = 0.25, rescan_every: float = 30.0, read_only: bool = False
    ) -> None:
        super().__init__()
        self.root = Path(root)
        self.read_only = read_only  # `tuiboard serve --read-only`: every write key is refused
        self.store = Store(self.root)
        self.board: Board | None = None
        self.view: BoardView | None = None
        self.flt = Filter()
        self.sort = "due"
        self.density = DENSITIES[0]
        self.english = False
        self.show_lost = False
        self.today = clock.today()
        self.undo_stack: list[Undo] = []
        self.painter = CardPainter(self.console)
        self.reloaded = asyncio.Event()  # set after every applied load/reload (tests wait on it)
        self._watch_args = (debounce, rescan_every)
        self._watcher: FolderWatcher | None = None
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="tuiboard-store")
        self._last_cards: CardList | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(BoardScreen())
        self.run_worker(self._start(), group="store")

    async def _start(self) -> None:
        debounce, rescan_every = self._watch_args
        self._watcher = FolderWatcher(self.root, self._on_batch, debounce=debounce, rescan_every=rescan_every)
        self._watcher.start()  # before the load: nothing changed during it is missed
        try:
            board = await self._in_store(self.store.load)
        finally:
            # The loaded board stays out of every collection: a full one over it is a 0.3 s
            # freeze at 10k customers (0.7 s at 50k), and it is not needed, as customers hold
            # no cycles: what a reload drops is freed by reference counting.
            gc.freeze()
            gc.enable()  # `tuiboard` starts with no collections (cli.open_board) until here
        await self._show_board(board)
        self.call_after_refresh(bench_mark, "first-paint")
        self._announce_problems(board)
        self.reloaded.set()
        self.call_after_refresh(self._warm_search, list(board.customers.values()))

    def _warm_search(self, customers: list[Customer]) -> None:
        """Search keys for everyone, in a thread started after the first paint: at 10k
        customers a second of CPU that held the first screen back by as much."""
        self.run_worker(partial(_warm_frozen, customers), thread=True, group="warm")

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self._store_thread.shutdown(wait=False, cancel_futures=True)

    def _on_batch(self, batch: Batch) -> None:
        bench_mark("batch")
        self.post_message(FilesChanged(batch))  # watcher thread: post_message is thread-safe

    async def _in_store(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, fn, *args)

    # -- reloads -------------------------------------------------------------------------

    def on_files_changed(self, message: FilesChanged) -> None:
        self.run_worker(self._reload(message.batch), group="store")

    async def _reload(self, batch: Batch, announce: bool = True) -> ReloadResult:
        if batch.rescan:
            result = await self._in_store(self.store.rescan)
        else:
            result = await self._in_store(self.store.reload, batch.paths)
        if self._nothing_new(result):  # the echo of our own write, a rescan that found nothing
            self.board = result.board
        else:
            await self._show_board(result.board)
            self.call_after_refresh(bench_mark, "repainted")
        count = len(result.changed) + len(result.removed)
        if announce and count:
            en = f"{count} customer{'s' if count > 1 else ''} changed on disk"
            self.say(self.t(f"磁盘上有 {count} 个客户的文件已更新", en))
        self.reloaded.set()
        return result

    def _nothing_new(self, result: ReloadResult) -> bool:
        """Nothing on screen would change: no customer, problem, config or day is new."""
        old, new = self.board, result.board
        return (
            old is not None
            and not result.changed
            and not result.removed
            and new.config == old.config
            and new.problems_by_file == old.problems_by_file
            and clock.today() == self.today
        )

    def _announce_problems(self, board: Board) -> None:
        errors = len({p.path for p in board.errors})
        if errors:
            self.say(
                self.t(f"{errors} 个文件有错误（按 p 查看）", f"{errors} file(s) with errors (p)"), "warning"
            )

    # -- drawing -------------------------------------------------------------------------

    @property
    def board_screen(self) -> BoardScreen | None:
        if not self.is_running:  # shutting down: a late reload must not touch the widgets
            return None
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                return screen
        return None

    async def _show_board(self, board: Board) -> None:
        old = self.board
        self.board = board
        if old is None or old.config != board.config:
            await self._build_columns()
        self.refresh_view()
        screen = self.board_screen
        if screen is not None:
            screen.query_one(StatusBar).refresh_git()
        charts = next((s for s in self.screen_stack if type(s).__name__ == "ChartsScreen"), None)
        if charts is not None:
            charts.update_board(board, self.flt)  # type: ignore[attr-defined]  # a ChartsScreen, by name

    async def _build_columns(self) -> None:
        screen = self.board_screen
        if screen is None or self.board is None:
            return
        holder = screen.query_one(ColumnsRow)
        await holder.remove_children()
        columns = [StageColumn(stage, self.painter) for stage in self.board.config.stages]
        for column in columns:  # hidden before they mount: no frame lays out a lost column
            column.display = column.stage.kind != "lost" or self.show_lost
        await holder.mount_all(columns)
        self._set_lost_display()
        first = next((c for c in columns if c.display), None)
        if first is not None:
            self._focus_cards(first.cards)

    def refresh_view(self) -> None:
        """Recompute what is shown (filter, sort, sums) and redraw; selections stay by id."""
        board, screen = self.board, self.board_screen
        if board is None or screen is None:
            return
        self.today = clock.today()
        self.painter.set_context(board.config, self.today, self.english)
        self.view = build_view(board, self.flt, self.sort, self.today)
        for column in screen.query(StageColumn):
            sid = column.stage.id
            column.show(self.view.columns[sid], self.view.sums[sid], board.config.currency, self.english)
        screen.query_one(StatusBar).show(self.view, board.config.currency, self.english)
        screen.query_one(KeyBar).show(self.english, bool(self.flt.text))
        empty = screen.query_one("#empty", Static)
        empty.display = not board.customers
        if empty.display:
            empty.update(self.t("还没有客户：按 n 新建第一个客户", "No customers yet: press n to add one"))
        title, line = self._title(), screen.query_one("#title", Static)
        if title != line.content:
            line.update(title, layout=False)  # one line, always: no layout pass

    def _title(self) -> Text:
        assert self.board is not None
        en = self.english
        text = Text(safe(self.board.config.name), style="bold")
        text.append(f"  {safe(self.root.name)}", style="dim")
        text.append(f"  │ {'sort' if en else '排序'}: {sort_label(self.sort, en)}")
        if self.flt.active:
            text.append(f"  │ {'filter' if en else '筛选'}: ")
            text.append(safe(self.flt.describe()), style="bold yellow")
        if self.show_lost:
            text.append(f"  │ {'lost shown' if en else '显示丢单'}", style="dim")
        return text

    def _set_lost_display(self) -> None:
        screen = self.board_screen
        if screen is None or self.board is None:
            return
        for column in screen.query(StageColumn):
            if column.stage.kind == "lost":
                column.display = self.show_lost
        self.layout_columns()

    def layout_columns(self) -> None:
        """Fit the shown columns to the width (widgets/fit.py), then keep the focused one in view."""
        screen = self.board_screen
        if screen is None:
            return
        columns = self._columns()
        screen.query_one(ColumnsRow).lay_out(columns, self.size.width, self.density)
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        screen, cards = self.board_screen, self._last_cards
        columns = self._columns()
        if screen is not None and cards is not None and cards.parent in columns:
            screen.query_one(ColumnsRow).bring_into_view(columns.index(cards.parent))

    def action_toggle_density(self) -> None:
        self.density = DENSITIES[(DENSITIES.index(self.density) + 1) % len(DENSITIES)]
        self.layout_columns()
        self.refresh_view()

    # -- selection -----------------------------------------------------------------------

    def _columns(self) -> list[StageColumn]:
        screen = self.board_screen
        return [c for c in screen.query(StageColumn) if c.display] if screen else []

    def _current_list(self) -> CardList | None:
        """The column the keys act on: the focused one, or the last one focused (while searching).

        Kept by `_focus_cards` at once: Textual applies a focus change later, and three quick
        presses of ``l`` must move three columns.
        """
        return self._last_cards

    def _focus_cards(self, cards: CardList) -> None:
        self._last_cards = cards
        cards.focus(scroll_visible=False)
        self._keep_in_view()  # whole columns, no animation: quick presses must land exactly

    def selected(self) -> Customer | None:
        cards = self._current_list()
        return cards.selected if cards is not None else None

    def _need_selected(self) -> Customer | None:
        customer = self.selected()
        if customer is None:
            self.say(self.t("没有选中的客户", "no customer selected"), "warning")
        return customer

    def on_descendant_focus(self) -> None:
        if not self.is_running:  # a focus message that arrives while quitting: no screens left
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
            self.say(self.t("已清除筛选以显示该客户", "filter cleared to show the customer"))
            self.refresh_view()
        if rules.stage_kind(customer, board.config) == "lost" and not self.show_lost:
            self.action_toggle_lost()
        for column in self._columns():
            if column.stage.id == customer.stage and column.cards.select_id(customer_id):
                self._focus_cards(column.cards)
                return True
        return False

    def _follow(self, customer_id: str) -> None:
        """After a write: select the card where it now is, if that column is shown."""
        for column in self._columns():
            if column.cards.select_id(customer_id):
                self._focus_cards(column.cards)
                return

    # -- actions: navigation and view ----------------------------------------------------

    def action_focus_column(self, step: int) -> None:
        columns = self._columns()
        current = self._current_list()
        ids = [c.cards for c in columns]
        if not ids:
            return
        i = ids.index(current) if current in ids else 0
        self._focus_cards(ids[max(0, min(len(ids) - 1, i + step))])

    def action_sort(self) -> None:
        self.sort = next_sort(self.sort)
        self.refresh_view()

    def action_toggle_lost(self) -> None:
        self.show_lost = not self.show_lost
        self._set_lost_display()
        current = self._current_list()
        if current is not None and not current.parent.display:  # type: ignore[union-attr]  # in its column
            self.action_focus_column(-1)
        self.refresh_view()

    def action_toggle_language(self) -> None:
        self.english = not self.english
        self.refresh_view()

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):  # by name: its import (markdown) costs 60 ms at start
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_search(self) -> None:
        screen = self.board_screen
        if screen is not None:
            screen.query_one(SearchInput).open(self.flt.text)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.flt = self.flt.with_text(event.value)
        self.refresh_view()

    @on(SearchInput.Done)
    def _search_done(self, event: SearchInput.Done) -> None:
        if event.cleared:
            self.flt = self.flt.with_text("")
            self.refresh_view()
        if self._last_cards is not None:
            self._last_cards.focus()

    def action_toggle_mine(self) -> None:
        """My deals only (owner = TUIBOARD_OWNER or git's user.name), or everyone's again."""
        me = whoami(self.root)
        if me is None:
            self.say(
                self.t(
                    "不知道你是谁：设置 TUIBOARD_OWNER 或 git config user.name",
                    "who are you? set TUIBOARD_OWNER or git config user.name",
                ),
                "warning",
            )
            return
        mine = frozenset({me})
        self.flt = replace(self.flt, owners=frozenset() if self.flt.owners == mine else mine)
        self.refresh_view()
        if self.flt.owners:
            self.say(self.t(f"只看我的客户（{me}）", f"my deals only ({me})"))
        else:
            self.say(self.t("显示全部客户", "everyone's deals"))

    def action_clear_search(self) -> None:
        """Escape on the board: drop the search text (the other filters stay)."""
        if self.flt.text:
            self.flt = self.flt.with_text("")
            self.refresh_view()
            self.say(self.t("已清除搜索", "search cleared"))

    @work(group="dialog")
    async def action_filter(self) -> None:
        if self.board is None:
            return
        from .screens.filter import FilterScreen

        screen = FilterScreen(self.board.config, list(self.board.customers.values()), self.flt)
        new = await self.push_screen_wait(screen)
        if new is not None:
            self.flt = new
            self.refresh_view()

    @work(group="dialog")
    async def action_jump(self) -> None:
        if self.board is None:
            return
        from .screens.jump import JumpScreen

        chosen = await self.push_screen_wait(
            JumpScreen(list(self.board.customers.values()), self.board.config, self.english)
        )
        if chosen is not None:
            self.focus_customer(chosen)

    def action_details(self) -> None:
        customer = self._need_selected()
        if customer is None or self.board is None:
            return
        from .screens.details import DetailsScreen

        problems = self.board.problems_for(customer.id)
        self.push_screen(DetailsScreen(customer, self.board.config, problems, self.today))

    @work(group="dialog")
    async def action_today(self) -> None:
        if self.board is None:
            return
        from .screens.today import TodayScreen

        owner = os.environ.get("TUIBOARD_OWNER") or None
        screen = TodayScreen(list(self.board.customers.values()), self.board.config, self.today, owner)
        chosen = await self.push_screen_wait(screen)
        if chosen is not None:
            self.focus_customer(chosen)

    @work(group="dialog")
    async def action_problems(self) -> None:
        if self.board is None:
            return
        from .screens.problems import ProblemsScreen

        path = await self.push_screen_wait(ProblemsScreen(self.board.problems, self.root))
        if path is not None:
            await self.open_in_editor(path)

    def action_charts(self) -> None:
        if self.board is None:
            return
        from .screens.charts import ChartsScreen

        self.push_screen(ChartsScreen(self.board, self.flt, self.today))

    # -- actions: writes -----------------------------------------------------------------

    async def run_action(self, action: str | ActionParseResult, *args: Any, **kwargs: Any) -> bool:
        name = action if isinstance(action, str) else action[1]
        if self.read_only and name.split("(")[0].rsplit(".", 1)[-1] in WRITE_ACTIONS:
            self.say(self.t("只读模式，未写入", "read-only: nothing written"), "warning")
            return False
        return await super().run_action(action, *args, **kwargs)

    @work(group="dialog")
    async def action_move(self, step: int) -> None:
        customer = self._need_selected()
        if customer is None or self.board is None:
            return
        target = rules.neighbour_stage(self.board.config, customer.stage, step, self.show_lost)
        if target is None:
            self.say(self.t("那边没有阶段了", "no stage that way"), "warning")
            return
        await self._move_to(customer, target)

    @work(group="dialog")
    async def action_won(self) -> None:
        customer = self._need_selected()
        if customer is not None and self.board is not None and self.board.config.won_stage:
            await self._move_to(customer, self.board.config.won_stage.id)

    @work(group="dialog")
    async def action_lost(self) -> None:
        customer = self._need_selected()
        if customer is not None and self.board is not None and self.board.config.lost_stage:
            await self._move_to(customer, self.board.config.lost_stage.id)

    async def _move_to(self, customer: Customer, target: str) -> None:
        assert self.board is not None
        config = self.board.config
        stage = config.stage(target)
        assert stage is not None
        if customer.stage == target:
            title = safe(stage.title(self.english))
            self.say(self.t(f"已经在「{title}」", f"already in {title}"), "warning")
            return
        reason: str | None = None
        if stage.kind == "lost":
            from .screens.lost import LostReasonScreen

            reason = await self.push_screen_wait(LostReasonScreen(config.lost_reasons, customer.name))
            if not reason:
                return
        elif config.stage_index(target) < config.stage_index(customer.stage):
            from .screens.move_back import MoveBackScreen

            reason = await self.push_screen_wait(MoveBackScreen(stage, customer.name, self.english))
            if reason is None:
                return
        else:
            from .screens.criteria import CriteriaScreen

            if not await self.push_screen_wait(CriteriaScreen(stage, customer.name, self.english)):
                return
        from .cli_tools import move_events, move_refusal

        refusal = await self._in_store(move_refusal, self.board, customer, target)
        if refusal is not None:  # the user's pre-move hook said no: nothing is written
            self.say(refusal, "warning")
            return
        title = stage.title(self.english)
        write = partial(actions.move, self.store, customer, target, self.today, reason)
        done = f"{safe(customer.name)} → {safe(title)}"
        if await self._write(customer, write, done, move_events(self.board, target)):
            self._follow(customer.id)

    @work(group="dialog")
    async def action_new(self) -> None:
        if self.board is None:
            return
        from .screens.customer_form import CustomerFormScreen

        values = await self.push_screen_wait(CustomerFormScreen(self.board.config, self.today))
        if values is None:
            return
        try:
            result, board = await self._in_store(self._create_in_store, values)
        except TuiboardError as exc:
            self.say(str(exc), "error")
            return
        self._remember(result, "new")
        await self._show_board(board)
        self._follow(result.customer.id)
        name = safe(result.customer.path.name)
        self.say(self.t(f"已新建 {name}", f"created {name}"))
        await self._run_hooks(result.customer.id, ("on-new",))

    @work(group="dialog")
    async def action_edit(self) -> None:
        customer = self._need_selected()
        if customer is None or self.board is None:
            return
        from .screens.customer_form import CustomerFormScreen

        values = await self.push_screen_wait(CustomerFormScreen(self.board.config, self.today, customer))
        if not values:
            if values is not None:
                self.say(self.t("没有改动", "nothing changed"))
            return
        write = partial(actions.set_fields, self.store, customer, values)
        name = safe(customer.name)
        await self._write(customer, write, self.t(f"已保存 {name}", f"saved {name}"))

    @work(group="dialog")
    async def action_next_action(self) -> None:
        customer = self._need_selected()
        if customer is None or self.board is None:
            return
        from .screens.next_action import NextActionScreen

        picked = await self.push_screen_wait(NextActionScreen(customer, self.board.config, self.today))
        if picked is not None:
            action, due = picked
            write = partial(actions.next_action, self.store, customer, action, due)
            await self._write(customer, write, self._next_set())

    @work(group="dialog")
    async def action_log(self) -> None:
        customer = self._need_selected()
        if customer is None:
            return
        from .screens.log_entry import LogEntryScreen

        entry = await self.push_screen_wait(LogEntryScreen(customer.name, self.today))
        if entry is None:
            return
        kind, note, when = entry
        write = partial(actions.log, self.store, customer, kind, note, when)
        if await self._write(customer, write, self.t("已记录", "logged"), ("on-log",)):
            await self._ask_next(customer.id)

    async def _ask_next(self, customer_id: str) -> None:
        """Log → next: after a contact, what comes next, due by the cadence (escape: nothing)."""
        customer = self.board.customers.get(customer_id) if self.board else None
        if customer is None or self.board is None or not rules.is_open(customer, self.board.config):
            return
        from .screens.next_action import NextActionScreen

        screen = NextActionScreen(customer, self.board.config, self.today, cadence=True)
        picked = await self.push_screen_wait(screen)
        if picked is not None:
            action, due = picked
            write = partial(actions.next_action, self.store, customer, action, due)
            await self._write(customer, write, self._next_set())

    def _next_set(self) -> str:
        return self.t("已设置下一步行动", "next action set")

    async def _write(
        self, customer: Customer, write: Callable[[], WriteResult], done: str, events: tuple[str, ...] = ()
    ) -> bool:
        """Run one `pipeline.actions` write on the store thread; a file changed on disk since
        the board read it is not overwritten: the board reloads it instead. ``events``: the
        user's ``on-*`` hooks to run after it (as the CLI does)."""
        try:
            result, board = await self._in_store(self._edit_in_store, write)
        except ConflictError as exc:
            self.say(f"{exc} — " + self.t("已重新加载，未写入", "reloaded, nothing written"), "warning")
            await self._reload(Batch(frozenset({customer.path}), rescan=False), announce=False)
            return False
        except TuiboardError as exc:
            self.say(str(exc), "error")
            return False
        self._remember(result, done)
        await self._show_board(board)
        self.say(done)
        await self._run_hooks(result.customer.id, events)
        return True

    def _edit_in_store(self, write: Callable[[], WriteResult]) -> tuple[WriteResult, Board]:
        result = write()
        bench_mark("written")
        return result, self.store.board()

    def _create_in_store(self, values: actions.Fields) -> tuple[WriteResult, Board]:
        result = actions.new_customer(self.store, values, self.today)
        return result, self.store.board()

    async def _run_hooks(self, customer_id: str, events: tuple[str, ...]) -> None:
        """The user's ``on-*`` hooks (~/.config/tuiboard/hooks, never the folder's), on the
        store thread; a failing hook is said, the write stands."""
        board = self.board
        customer = board.customers.get(customer_id) if board else None
        if not events or board is None or customer is None:
            return
        from .cli_tools import hook_failures

        for line in await self._in_store(hook_failures, board, customer, events):
            self.say(line, "warning")

    def _remember(self, result: WriteResult, what: str) -> None:
        c = result.customer
        self.undo_stack.append(Undo(c.id, c.path, result.before, result.after, what))

    async def action_undo(self) -> None:
        if not self.undo_stack:
            self.say(self.t("没有可撤销的修改", "nothing to undo"), "warning")
            return
        entry = self.undo_stack.pop()
        try:
            board = await self._in_store(self._restore_in_store, entry)
        except ConflictError as exc:
            self.say(f"{exc}", "warning")
            return
        except TuiboardError as exc:
            self.say(str(exc), "error")
            return
        await self._show_board(board)
        self.focus_customer(entry.customer_id)  # the next key acts on the customer put back
        self.say(self.t(f"已撤销：{entry.what}", f"undone: {entry.what}"))

    def _restore_in_store(self, entry: Undo) -> Board:
        actions.undo(self.store, entry.path, entry.before, entry.after)
        return self.store.board()

    # -- $EDITOR -------------------------------------------------------------------------

    async def action_editor(self) -> None:
        customer = self._need_selected()
        if customer is not None:
            await self.open_in_editor(customer.path)

    async def open_in_editor(self, path: Path) -> None:
        """Hand the terminal to $VISUAL/$EDITOR, then reload the file."""
        try:
            command = editor_command(path)
        except ValueError as exc:
            self.say(str(exc), "error")
            return
        try:
            try:
                with self.suspend():
                    subprocess.run(command, check=False)
            except SuspendNotSupported:  # headless (tests): the editor runs without a terminal
                subprocess.run(command, check=False, stdin=subprocess.DEVNULL, capture_output=True)
        except OSError as exc:
            self.say(f"{command[0]}: {exc.strerror or exc}", "error")
            return
        await self._reload(Batch(frozenset({path}), rescan=False))

    # -- the command palette and messages ------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, BoardScreen):
            for key in keymap.KEYS:
                yield SystemCommand(key.label, key.help, _runner(self, key.action))
        yield from super().get_system_commands(screen)

    def t(self, zh: str, en: str) -> str:
        """Our own words in the board's language."""
        return en if self.english else zh

    def say(self, message: str, severity: SeverityLevel = "information") -> None:
        """A notification; text from files is never markup-interpreted."""
        self.notify(printable(message), severity=severity, markup=False)


def bench_mark(event: str) -> None:
    """With TUIBOARD_BENCH_LOG=path, append ``event <time.monotonic()>``: bench/bench_board.py reads it."""
    log = os.environ.get("TUIBOARD_BENCH_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{event} {time.monotonic():.6f}\n")


def _runner(app: App[Any], action: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action)

    return run


def editor_command(path: Path) -> list[str]:
    """$VISUAL or $EDITOR (else vi) split as a shell would, then the file; ValueError with
    a one-line message when the variable cannot be split (an unbalanced quote)."""
    name = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
    value = os.environ.get(name) or "vi"
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise ValueError(f"${name} cannot be run: {exc} in {value!r}") from None
    if not words:
        raise ValueError(f"${name} names no program")
    return [*words, str(path)]


def _warm_frozen(customers: list[Customer]) -> None:
    """`search.warm` without collections; what it made (the pinyin table, every customer's
    keys) lives as long as the board, so it ends up frozen with the board (`gc_paused`)."""
    with gc_paused():
        search.warm(customers)


def log_gc_pauses() -> None:
    """With TUIBOARD_BENCH_LOG=path, append ``gc-GENERATION-SECONDS <end time>`` for every
    collection over a millisecond: bench/bench_all.py reports the longest after the first paint."""
    log = os.environ.get("TUIBOARD_BENCH_LOG")
    if not log:
        return
    started = 0.0

    def on_gc(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        now = time.monotonic()
        if phase == "start":
            started = now
        elif now - started >= 0.001:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"gc-{info['generation']}-{now - started:.4f} {now:.6f}\n")

    gc.callbacks.append(on_gc)


def run_board(root: Path) -> None:
    log_gc_pauses()
    app = BoardApp(root)
    app.run()
    if app.return_code:  # it crashed (Textual printed why): the shell must see a failure
        sys.exit(app.return_code)
