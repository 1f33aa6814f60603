"""No cyclic garbage collection while a load builds thousands of objects that all live on."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # pauses under way, in any thread: collections resume when the last one ends
_resume: tuple[bool, bool] = (False, False)  # (enabled, frozen) before the first of them
_frozen = False  # `freeze` was called: this process keeps its long-lived objects frozen


def freeze() -> None:
    """Everything alive now stays out of every later collection (the board app, once its
    board is loaded), and so does what a `gc_paused` load builds from here on.

    Said here rather than asked of the GC: `gc.get_freeze_count` walks every frozen object
    (19 ms at 10,000 customers, 0.4 s in a test process that has run many boards), and a
    pause asked it at every reload.
    """
    global _frozen
    gc.freeze()
    _frozen = True


def thaw() -> None:
    """Undo `freeze`: for a process that closes its board and goes on (a test run)."""
    global _frozen
    gc.unfreeze()
    _frozen = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while thousands of acyclic dicts are built: it would run hundreds of
    times for nothing and double the time of a parse or a cache read.

    On the way out, freeze + unfreeze moves the new objects straight to the oldest
    generation (an O(1) list splice), instead of a young-generation pass over all of
    them (60 ms for 10,000 customers); the next full collection still sees them. In a
    process that keeps its long-lived objects frozen (the board app), the new ones are
    frozen with them instead: an unfreeze would thaw the whole board, and the next full
    collection would go over it (0.1 s at 50,000 customers). Such a process says so
    (`freeze`).

    The GC switch is the process's, not a thread's: pauses that overlap in two threads (the
    board's search warm-up and its store thread's rescan) end when the last one does, so
    neither turns collections back on under the other.
    """
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = (gc.isenabled(), _frozen)
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            was_enabled, was_frozen = _resume
            if _depth == 0 and was_enabled:
                gc.freeze()
                if not was_frozen:
                    gc.unfreeze()
                gc.enable()
