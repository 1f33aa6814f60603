"""Keys pressed on the board while a write is under way wait for it, then go in order.

A rep types ahead: shift+right then j moves the card and goes down its new column. The
move's flow runs as a worker, and what it wrote reaches the screen a few milliseconds later;
acted on at once, j would move in the old column (and a write key would act on the card as
it was). So from a write key's press until what its flow wrote is on the screen (or the
flow ended without writing), and while any write holds the lock (`BoardBase.writing`), the
keys pressed on the board are held here (`BoardApp.on_event`), then handed back one at a
time in the order pressed (`KeysDue`), each once the one before has acted: a held key that
starts another flow holds the rest again, and keys after one that opened a dialog go to the
dialog. The flow's hooks, which run after its write, hold nothing; quitting is never held
(`keymap.QUIT_KEYS`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.events import Key


class Flow:
    """One write key's flow, from the key's press."""


_current: ContextVar[Flow | None] = ContextVar("tuiboard_write_flow", default=None)


class TypeAhead:
    def __init__(self, writing: asyncio.Lock, due: Callable[[], object]) -> None:
        self._writing = writing
        self._due = due  # asks the app to take the next held key (`next_held`)
        self._flows: set[Flow] = set()
        self._no_flows = asyncio.Event()
        self._no_flows.set()
        self._held: deque[Key] = deque()
        self._waiting: asyncio.Task[None] | None = None

    def started(self) -> Flow:
        """A write key was pressed: its flow (a worker, not running yet) holds the keys after it."""
        flow = Flow()
        self._flows.add(flow)
        self._no_flows.clear()
        return flow

    @contextmanager
    def running(self, flow: Flow) -> Iterator[None]:
        """The flow's worker: its write's `landed` (or its end) lets the held keys go."""
        token = _current.set(flow)
        try:
            yield
        finally:
            _current.reset(token)
            self._over(flow)

    def landed(self) -> None:
        """What the running flow wrote is on the screen (the lock, held still, keeps the keys
        until the flow has also followed its card)."""
        flow = _current.get()
        if flow is not None:
            self._over(flow)

    def _over(self, flow: Flow) -> None:
        self._flows.discard(flow)
        if not self._flows:
            self._no_flows.set()

    def busy(self) -> bool:
        return bool(self._flows) or self._writing.locked()

    def hold(self, key: Key, on_board: bool) -> bool:
        """Keep the key for later if keys are held already (they go first), or if the board
        is on top and a write is under way."""
        if not self._held and not (on_board and self.busy()):
            return False
        self._held.append(key)
        if len(self._held) == 1:
            self._wait()
        return True

    def next_held(self, on_board: bool) -> Key | None:
        """The oldest held key if it may go now; None when none is held or they wait again.
        Once it has acted, `go_on` asks for the next."""
        if not self._held:
            return None
        if on_board and self.busy():
            self._wait()
            return None
        return self._held.popleft()

    def go_on(self) -> None:
        """Ask for the next held key, if any: when the one given back has acted (after what
        it left to be done: Textual applies a focus change with a message of its own, already
        on its way), or when a screen opened over the board (a held key's dialog) to take them."""
        if self._held:
            self._due()

    def _wait(self) -> None:
        if self._waiting is None or self._waiting.done():
            self._waiting = asyncio.create_task(self._until_idle())

    async def _until_idle(self) -> None:
        while self.busy():
            await self._no_flows.wait()
            async with self._writing:
                pass
        self._due()
