"""Live reload: watchdog events -> filtered, debounced batches of paths that may have changed.

Two non-recursive watches: the pipeline folder (for `pipeline.toml`, and for `customers/`
itself coming, going or being replaced) and `customers/`. Events are reduced to the
customer files and `pipeline.toml` they name; one thread waits until a burst has been quiet
for ``debounce`` seconds and hands the union to ``on_change``. A batch the watcher cannot
vouch for (inotify overflow, watchdog error, `customers/` replaced, the periodic safety net)
says ``rescan=True``: the consumer then calls ``Store.rescan()``.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from .layout import CONFIG_FILE, CUSTOMERS_DIR
from .store import is_customer_file

log = logging.getLogger(__name__)

# Only what can change a file's content or existence. Leaving out opens and no-write
# closes matters: the store reading 10,000 files must not wake the watcher 20,000 times.
WATCHED_EVENTS = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileAttribEvent,  # chmod can make a file unreadable
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
VIM_DEBRIS = (".swp", ".swx", ".swo", "~")
ATOMIC_SAVE_DEBRIS = (".tmp", ".vsctmp", ".kate-swp", "___jb_tmp___", "___jb_old___")
DEBRIS_SUFFIXES = VIM_DEBRIS + ATOMIC_SAVE_DEBRIS
SED_TEMP = re.compile(r"sed[A-Za-z0-9]{6}")  # GNU sed -i writes sedXXXXXX beside the file


@dataclass(frozen=True, slots=True)
class Batch:
    paths: frozenset[Path]  # customer files / pipeline.toml that may have changed
    rescan: bool  # the batch can't be trusted: call Store.rescan() instead of Store.reload(paths)


def is_debris(name: str) -> bool:
    """Editor swap, backup, lock and temporary files, and dot files (.git, our own .x.tmp)."""
    return (
        name.startswith(".")
        or name.endswith(DEBRIS_SUFFIXES)
        or name.isdigit()  # vim's "may I write here" probe: 4913, 5036, …
        or (len(name) > 1 and name.startswith("#") and name.endswith("#"))
        or SED_TEMP.fullmatch(name) is not None
    )


class FolderWatcher:
    """Calls ``on_change(batch)`` from its own thread, ``debounce`` s after a burst's last event.

    ``on_change`` runs on the watcher's thread and must not block on the UI thread (post a
    message rather than wait for one): ``stop()`` waits for a call in progress, and no call
    starts after ``stop()`` returns. Calling ``stop()`` from ``on_change`` is allowed.
    """

    def __init__(
        self,
        root: Path,
        on_change: Callable[[Batch], None],
        *,
        debounce: float = 0.25,
        rescan_every: float = 30.0,
    ) -> None:
        if debounce < 0 or rescan_every <= 0:
            raise ValueError("debounce must be >= 0 and rescan_every > 0")
        self.root = Path(root)
        self._on_change = on_change
        self._debounce = debounce
        self._rescan_every = rescan_every
        self._root_dir = os.path.abspath(self.root)
        self._customers_dir = os.path.join(self._root_dir, CUSTOMERS_DIR)
        self._handler = _Forward(self._on_event)
        self._trouble = _WatchdogTrouble(self._on_trouble)
        self._observer: BaseObserver | None = None
        self._observer_lock = threading.Lock()
        self._watches: dict[str, ObservedWatch] = {}
        self._worker: threading.Thread | None = None
        # Everything below is guarded by _cond.
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._rescan = False
        self._rewatch = False
        self._last_event = -math.inf
        self._next_safety_rescan = math.inf
        self._stopping = False

    def start(self) -> None:
        """Watch from now on: a change made after ``start()`` returns is reported."""
        if self._worker is not None or self._stopping:
            raise RuntimeError("a FolderWatcher starts once")
        self._observer = Observer()
        logging.getLogger("watchdog").addHandler(self._trouble)
        self._observer.start()
        self._sync_watches(force=False)
        with self._cond:
            self._next_safety_rescan = time.monotonic() + self._rescan_every
        self._worker = threading.Thread(target=self._run, name="tuiboard-watch", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """Stop watching and join the threads; idempotent, and safe from inside ``on_change``."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()
        with self._observer_lock:
            observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join()
        logging.getLogger("watchdog").removeHandler(self._trouble)

    # -- the observer's thread ----------------------------------------------------------

    def _on_event(self, event: FileSystemEvent) -> None:
        found: set[Path] = set()
        structural = False
        for raw in (event.src_path, event.dest_path):
            if not raw:
                continue
            path = os.fsdecode(raw)
            if path == self._customers_dir:
                structural = True  # customers/ created, deleted or renamed
            elif (relevant := self._relevant(path)) is not None:
                found.add(relevant)
        if found or structural:
            with self._cond:
                self._pending |= found
                self._rescan |= structural
                self._rewatch |= structural
                self._last_event = time.monotonic()
                self._cond.notify()

    def _on_trouble(self) -> None:
        with self._cond:
            self._rescan = True
            self._last_event = time.monotonic()  # more of the flood may be on its way
            self._cond.notify()

    def _relevant(self, path: str) -> Path | None:
        folder, name = os.path.split(path)
        if is_debris(name):
            return None
        if folder == self._customers_dir and is_customer_file(name):
            return self.root / CUSTOMERS_DIR / name
        if folder == self._root_dir and name == CONFIG_FILE:
            return self.root / CONFIG_FILE
        return None

    # -- the debounce thread ------------------------------------------------------------

    def _run(self) -> None:
        while (taken := self._next_batch()) is not None:
            batch, rewatch = taken
            if batch.rescan:
                # Before the call: what appears in a new customers/ from now on is seen,
                # and what appeared before it was watched is found by the rescan.
                self._sync_watches(force=rewatch)
            with self._cond:
                if self._stopping:
                    return
            try:
                self._on_change(batch)
            except Exception:
                log.exception("live-reload callback failed; watching goes on")

    def _next_batch(self) -> tuple[Batch, bool] | None:
        """Wait for a quiet burst or the safety rescan; None once stopping."""
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if now >= self._next_safety_rescan:
                    self._rescan = True
                quiet_at = self._last_event + self._debounce
                if (self._pending or self._rescan) and now >= quiet_at:
                    batch = Batch(frozenset(self._pending), self._rescan)
                    rewatch = self._rewatch
                    self._pending, self._rescan, self._rewatch = set(), False, False
                    if batch.rescan:
                        self._next_safety_rescan = now + self._rescan_every
                    return batch, rewatch
                wake = quiet_at if (self._pending or self._rescan) else self._next_safety_rescan
                self._cond.wait(wake - now)
            return None

    def _sync_watches(self, *, force: bool) -> None:
        """Both folders watched by a live emitter; ``force`` renews the customers/ watch."""
        with self._observer_lock:
            observer = self._observer
            if observer is None:
                return
            for folder in (self._root_dir, self._customers_dir):
                watch = self._watches.get(folder)
                renew = force and folder == self._customers_dir
                if watch is not None and not renew and _alive(observer, watch):
                    continue
                if watch is not None:
                    with suppress(KeyError):
                        observer.unschedule(watch)
                    del self._watches[folder]
                if not os.path.isdir(folder):
                    continue
                try:
                    self._watches[folder] = observer.schedule(
                        self._handler, folder, recursive=False, event_filter=WATCHED_EVENTS
                    )
                except OSError as exc:  # e.g. the inotify watch limit: the safety rescan remains
                    log.warning("cannot watch %s: %s", folder, exc)


def _alive(observer: BaseObserver, watch: ObservedWatch) -> bool:
    """An emitter stops itself when its folder is deleted; a crashed one is dead too."""
    return any(e.watch == watch and e.is_alive() for e in observer.emitters)


class _Forward(FileSystemEventHandler):
    def __init__(self, callback: Callable[[FileSystemEvent], None]) -> None:
        self._callback = callback

    def dispatch(self, event: FileSystemEvent) -> None:
        self._callback(event)


class _WatchdogTrouble(logging.Handler):
    """watchdog 7 handles an inotify IN_Q_OVERFLOW itself and tells only its log.

    InotifyFD logs "Inotify queue overflowed; filesystem events were lost" (WARNING) and
    no event reaches a handler, so the log is the only signal; errors it logs count too.
    """

    def __init__(self, on_trouble: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self._on_trouble = on_trouble

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or "overflow" in str(record.msg).lower():
            self._on_trouble()
