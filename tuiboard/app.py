"""The board app: its lifecycle, the store thread, the watcher and reloads. Nothing it draws.

Every `Store` call (load, reload, rescan, the writes that must update it) runs on one
background thread, in order (`in_store`), so the UI thread never parses TOML and never
races the store. The watcher's batches arrive as `FilesChanged` messages; the board's own
writes are noted in the store (`note_written`), so the watcher's echo of them reports
nothing changed. Each new board is posted to every screen as a `BoardChanged` message:
the board screen (`tuiboard.board`) draws it, the charts screen recomputes.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from textual import events
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from pipeline import gcpause, search
from pipeline.model import Customer
from pipeline.problems import printable
from pipeline.store import Board, ReloadResult, Store, gc_paused
from pipeline.watch import Batch, FolderWatcher

from . import clock, keymap
from .benchlog import bench_mark, log_gc_pauses
from .board import loading, team
from .board.screen import BoardScreen
from .labels import labels
from .messages import BoardChanged, KeysDue, Source
from .widechars import keep_wide_characters_whole
from .widgets.column import CardList

T = TypeVar("T")

WRITE_ACTIONS = frozenset(
    {"move", "won", "lost", "new", "edit", "editor", "next_action", "log", "undo", "sync", "conflicts"}
)
WRITE_ACTIONS |= {"add_contact", "add_product"}  # tuiboard/board/people.py
LOADING_REFUSED = WRITE_ACTIONS | loading.REFUSED_TOO  # until the whole first board is shown


class FilesChanged(Message):
    """The watcher saw these files change (posted from the watcher's thread)."""

    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


class LoadProgress(Message):
    """A partial board of a cold start (posted from the store thread)."""

    def __init__(self, board: Board, done: int, total: int) -> None:
        super().__init__()
        self.board = board
        self.progress = (done, total)


class BoardApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "tuiboard"
    PARTIAL_EVERY = 0.5  # seconds between two partial boards of a cold start (board/loading.py)

    def __init__(
        self,
        root: Path,
        *,
        debounce: float = 0.25,
        rescan_every: float = 30.0,
        read_only: bool = False,
        view: str | None = None,
    ) -> None:
        super().__init__()
        keep_wide_characters_whole()  # Chinese toasts over the columns' edges (widechars.py)
        self.root = Path(root)
        self.read_only = read_only  # `tuiboard serve --read-only`: every write key is refused
        self.first_view = view  # `tuiboard --view NAME`: the saved view the board opens with
        self.store = Store(self.root)
        self.board: Board | None = None  # the store's latest (a partial one while `loading`)
        self.loading = True  # until the first whole board is published
        self.pacer = loading.Pacer(self.PARTIAL_EVERY)
        self.labels = labels()  # the board's language (ctrl+l)
        # Set after every applied load/reload, once the board screen has drawn it (tests wait on it).
        self.reloaded = asyncio.Event()
        self._watch_args = (debounce, rescan_every)
        self._watcher: FolderWatcher | None = None
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="tuiboard-store")
        self._store_closed = False  # on_unmount: no more store calls
        self._day = clock.today()  # the day the last board was posted for

    def get_default_screen(self) -> Screen[Any]:
        return BoardScreen(self)

    # -- lifecycle -----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.run_worker(self._start(), group="store")

    async def _start(self) -> None:
        debounce, rescan_every = self._watch_args
        self._watcher = FolderWatcher(self.root, self._on_batch, debounce=debounce, rescan_every=rescan_every)
        self._watcher.start()  # before the load: nothing changed during it is missed
        try:
            board = await self.in_store(self.store.load, self.load_progress)
        finally:
            # The loaded board stays out of every collection: a full one over it is a 0.3 s
            # freeze at 10k customers (0.7 s at 50k), and it is not needed, as customers hold
            # no cycles: what a reload drops is freed by reference counting.
            gcpause.freeze()
            gc.enable()  # `tuiboard` starts with no collections (cli.open_board) until here
        self.loading = False  # a partial board still in the queue is dropped (on_load_progress)
        self.publish(board, "load")
        self._announce_problems(board)
        self.call_after_refresh(self._warm_search, list(board.customers.values()))

    def load_progress(self, done: int, total: int) -> None:
        """The store thread, before and between the chunks of the first load's parse (a cold
        start): a partial board now and then (`loading.Pacer`); the whole board follows."""
        if done < total and self.pacer.due(done):
            self.post_message(LoadProgress(self.store.board(), done, total))

    def on_load_progress(self, message: LoadProgress) -> None:
        if self.loading:
            self.publish(message.board, "loading", message.progress)

    def _warm_search(self, customers: list[Customer]) -> None:
        """Search keys for everyone, in a thread started after the first paint: at 10k
        customers a second of CPU that held the first screen back by as much."""
        # A description of its own: Textual's default is the repr of 10k customers.
        self.run_worker(
            partial(_warm_frozen, customers), thread=True, group="warm", description="search keys"
        )

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self._store_closed = True
        self._store_thread.shutdown(wait=False, cancel_futures=True)

    def _on_batch(self, batch: Batch) -> None:
        bench_mark("batch")
        self.post_message(FilesChanged(batch))  # watcher thread: post_message is thread-safe

    async def in_store(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the store thread, after every store call before it. Once the
        board is closing, the caller is cancelled: a reload or a hook still on its way as the
        rep quits ends quietly, not as a worker's traceback."""
        if self._store_closed:
            raise asyncio.CancelledError
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, fn, *args)

    def publish(self, board: Board, source: Source, progress: tuple[int, int] | None = None) -> None:
        """The store's latest board, posted to every screen (the board screen draws it)."""
        self.board = board
        self._day = clock.today()
        if not self.is_running:  # shutting down: a late reload must not touch the screens
            return
        for screen in self.screen_stack:
            screen.post_message(BoardChanged(board, source, progress))

    # -- reloads -------------------------------------------------------------------------

    def on_files_changed(self, message: FilesChanged) -> None:
        self.run_worker(self.reload(message.batch), group="store")

    async def reload(self, batch: Batch, announce: bool = True) -> ReloadResult:
        """Reload what ``batch`` names (or rescan); say how many customers changed."""
        if batch.rescan:
            result = await self.in_store(self.store.rescan)
        else:
            result = await self.in_store(self.store.reload, batch.paths)
        if self._nothing_new(result):  # the echo of our own write, a rescan that found nothing
            self.board = result.board
            self.reloaded.set()
        else:
            self.publish(result.board, "reload")
        count = len(result.changed) + len(result.removed)
        if announce and count:
            self.say(
                self.labels(
                    "toast.changed_on_disk_one" if count == 1 else "toast.changed_on_disk", count=count
                )
            )
        return result

    async def reload_paths(self, *paths: Path, announce: bool = True) -> ReloadResult:
        return await self.reload(Batch(frozenset(paths), rescan=False), announce)

    def _nothing_new(self, result: ReloadResult) -> bool:
        """Nothing on screen would change: no customer, problem, config or day is new."""
        old, new = self.board, result.board
        return (
            old is not None
            and not result.changed
            and not result.removed
            and new.config == old.config
            and new.problems_by_file == old.problems_by_file
            and clock.today() == self._day
        )

    def _announce_problems(self, board: Board) -> None:
        errors = len({p.path for p in board.errors})
        if errors:
            self.say(self.labels("toast.files_with_errors", count=errors), "warning")

    # -- keys, the command palette, messages ---------------------------------------------

    async def run_action(self, action: str | ActionParseResult, *args: Any, **kwargs: Any) -> bool:
        name = action if isinstance(action, str) else action[1]
        base = name.split("(")[0].rsplit(".", 1)[-1]
        if self.read_only and base in WRITE_ACTIONS:
            self.say(self.labels("toast.read_only"), "warning")
            return False
        if self.loading and base in LOADING_REFUSED:
            self.say(self.labels("loading.refused"), "warning")
            return False
        if isinstance(self.screen, BoardScreen) and team.refused(self.screen, base):
            return False  # a conflicted customer: settle it first (said why)
        return await super().run_action(action, *args, **kwargs)

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded  # a key from the terminal, not one bubbling back up
            and event.key not in keymap.QUIT_KEYS
            and (board := self._board_screen()) is not None
            and board.typeahead.hold(event, self.screen is board)
        ):
            return  # until the write under way is on the screen (board/typeahead.py)
        await super().on_event(event)

    async def on_keys_due(self, _: KeysDue) -> None:
        board = self._board_screen()
        key = board.typeahead.next_held(self.screen is board) if board is not None else None
        if board is None or key is None:
            return
        if self.screen is board and (self.focused is None or isinstance(self.focused, CardList)):
            # No widget there takes keys: the bindings, as Textual would reach them, now, so
            # that a write key's flow has started before the next key is taken.
            if not await self._check_bindings(key.key, priority=True):
                await self._check_bindings(key.key)
        else:  # a dialog, the search line: as any key, in order
            await super().on_event(key)
        board.typeahead.go_on()

    def _board_screen(self) -> BoardScreen | None:
        stack = self.screen_stack
        return stack[0] if stack and isinstance(stack[0], BoardScreen) else None

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if isinstance(screen, BoardScreen):
            for key in keymap.KEYS:
                yield SystemCommand(
                    key.word(self.labels), key.line(self.labels), partial(screen.run_action, key.action)
                )
        yield from super().get_system_commands(screen)

    def say(self, message: str, severity: SeverityLevel = "information") -> None:
        """A notification; text from files is never markup-interpreted."""
        self.notify(printable(message), severity=severity, markup=False)


def _warm_frozen(customers: list[Customer]) -> None:
    """`search.warm` without collections; what it made (the pinyin table, every customer's
    keys) lives as long as the board, so it ends up frozen with the board (`gc_paused`)."""
    with gc_paused():
        search.warm(customers)


def run_board(root: Path, view: str | None = None) -> None:
    log_gc_pauses()
    app = BoardApp(root, view=view)
    app.run()
    if app.return_code:  # it crashed (Textual printed why): the shell must see a failure
        sys.exit(app.return_code)
