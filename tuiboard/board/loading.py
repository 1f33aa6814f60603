"""A cold start drawn as it parses: partial boards, their status, and what waits for the end.

On a cold start (a fresh clone, no cache) 10,000 files take 1.6-3 s to parse. The store
thread hands over a partial board now and then (`Pacer`): the frame (columns, no cards) as
soon as `pipeline.toml` is read, the first chunk's cards at once, then one at most every
half second; the whole board replaces them. While they are shown the status bar says
how far the load is and that the sums are provisional, the column headers mark theirs
(``≥``: they can only grow), and the keys that write, or that sum up the whole folder, are
refused with one line (`REFUSED`): a move, a duplicate check, a bulk edit over a filter or
today's list would act on what is read so far, not on the folder.
"""

from __future__ import annotations

import time

from ..labels import Labels
from ..widgets.column import CardList

# Besides every key that writes (`tuiboard.app.WRITE_ACTIONS`): marking every card the filter
# shows (a bulk edit over a partial filter), and the whole-folder lists and figures.
REFUSED_TOO = frozenset({"mark_shown", "today", "charts", "problems"})

Progress = tuple[int, int]  # (files parsed, files to parse)


class Pacer:
    """When the store thread posts a partial board: the frame and the first cards at once,
    then the next only once the last is on screen and ``every`` seconds have passed, or
    four times what drawing it took, or ``every`` x the load so far / 2 (a quarter of it
    at 0.5 s: a load slowed down by a busy machine draws a few boards, not dozens): each is a
    view of every card read so far, and drawing them must not slow the load down much."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.cards_posted = False
        self.waiting = False  # a partial board is posted and not drawn yet
        self._next = 0.0
        self._start: float | None = None

    def due(self, done: int) -> bool:
        """On the store thread, after a chunk (``done`` files parsed)."""
        if done and self.cards_posted and (self.waiting or time.monotonic() < self._next):
            return False
        self.cards_posted = self.cards_posted or done > 0
        self.waiting = True
        if self._start is None:
            self._start = time.monotonic()
        return True

    def drawn(self, seconds: float) -> None:
        """On the UI thread: the partial board is on screen; drawing it took ``seconds``."""
        now = time.monotonic()
        so_far = now - (self._start or now)
        self._next = now + max(self.every, 4 * seconds, self.every * so_far / 2)
        self.waiting = False


def status(words: Labels, progress: Progress | None) -> str:
    """The status bar's loading part, empty once the whole board is shown."""
    if progress is None:
        return ""
    done, total = progress
    return words("loading.status", done=f"{done:,}", total=f"{total:,}")


class Cursors:
    """While partial boards are drawn, a column's cursor keeps its row: cards read later
    sort in above it, and following the card it happened to be on would scroll the column
    with every partial board. A card the person moved to (a key, a click, go to) is kept,
    as after any reload. The whole board, the first one after them, is placed the same way."""

    def __init__(self) -> None:
        self.active = False
        self._left: dict[CardList, str | None] = {}  # the card each cursor was left on
        self._chosen: set[CardList] = set()

    def before(self, lists: list[CardList]) -> None:
        if not self.active:
            return
        for cards in lists:
            if cards in self._left and cards.selected_id != self._left[cards]:
                self._chosen.add(cards)
            if cards not in self._chosen:
                cards.selected_id = None  # `CardList.set_cards` then keeps the row

    def after(self, lists: list[CardList], partial: bool) -> None:
        for cards in lists:
            if cards.selected_id is None and cards.selected is not None:  # the list did not change
                cards.selected_id = cards.selected.id
        self.active = partial
        self._left = {cards: cards.selected_id for cards in lists} if partial else {}
        if not partial:
            self._chosen.clear()
