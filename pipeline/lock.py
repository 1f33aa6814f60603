"""One writer at a time per pipeline folder: an exclusive lock around read-check-write.

The fingerprint check and the rename of a write are two steps; two tuiboard processes that
both checked before either renamed would each be told "written", and one write would be
gone. Every writer (CLI, board, import, fmt, undo) therefore holds
``.tuiboard/write.lock`` (``flock``, opened without following links) from reading the
file to renaming the new one. A person's editor takes no lock: for that the fingerprint
is checked again just before the rename.

The lock is re-entrant within a process (a service that locks may call a writer that
locks), and threads of one process take turns.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from .errors import WriteError
from .layout import CUSTOMERS_DIR
from .safefs import open_in_state

LOCK_FILE = "write.lock"
TIMEOUT = 30.0  # seconds; a writer holds the lock for milliseconds


class _Held:
    """This process's hold on one folder's lock: a thread lock, a depth, the locked descriptor."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd = -1


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def file_lock(path: Path) -> AbstractContextManager[None]:
    """The write lock of the pipeline folder a customer file is in (``ROOT/customers/x.toml``);
    a file outside any ``customers/`` folder (a scratch copy) belongs to no pipeline, and no
    tuiboard writer but its own owner writes it: no lock then."""
    folder = Path(path).parent
    return write_lock(folder.parent) if folder.name == CUSTOMERS_DIR else nullcontext()


@contextmanager
def write_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the folder's write lock; WriteError if it cannot be had within ``timeout``
    seconds (default `TIMEOUT`)."""
    key = os.path.realpath(root)
    with _held_guard:
        held = _held.setdefault(key, _Held())
    with held.thread_lock:
        if held.depth == 0:
            held.fd = _acquire(Path(root), TIMEOUT if timeout is None else timeout)
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0:
                os.close(held.fd)  # closing the descriptor releases the flock
                held.fd = -1


def _acquire(root: Path, timeout: float) -> int:
    try:
        fd = open_in_state(root, LOCK_FILE)
    except OSError as exc:
        where = exc.filename or root
        raise WriteError(f"{where}: cannot take the write lock: {exc.strerror or exc}; not written") from exc
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN) or time.monotonic() > deadline:
                os.close(fd)
                why = "another tuiboard is writing here" if exc.errno == errno.EWOULDBLOCK else exc.strerror
                raise WriteError(f"{root}: cannot take the write lock ({why}); not written") from exc
        time.sleep(pause)  # a holder writes one file: milliseconds
        pause = min(pause * 2, 0.005)
