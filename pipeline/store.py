"""A pipeline folder loaded into a `Board`: config, customers, problems.

Loading is a scan (``os.scandir`` + stat), then a parse of only the files whose stat key
differs from what the cache in ``.tuiboard/`` remembers (`pipeline.cache`: untrusted bytes,
typed msgpack, never code). A cold load of many files is split over a small process pool
(`pipeline.parsepool`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from . import cache
from .board import Board, ReloadResult, changes_since, duplicate_ids, removed_stage
from .cache import FileState, Key
from .config import Config
from .errors import NotAPipeline
from .folder import find_root, is_customer_file, list_customer_files, stat_key
from .gcpause import gc_paused
from .kept_config import KEPT_CONFIG, KeptConfig
from .layout import CONFIG_FILE, CUSTOMERS_DIR, STATE_DIR
from .model import Customer
from .parsepool import Parsed, file_state, parse_path, parse_pooled
from .problems import Problem

__all__ = [  # what the rest of the code imports from here
    "CUSTOMERS_DIR", "KEPT_CONFIG", "Board", "NotAPipeline", "ReloadResult", "Store",
    "find_root", "gc_paused", "is_customer_file", "load_board",
]  # fmt: skip
POOL_THRESHOLD = 3000  # below this, forking costs more than it saves
CHUNK = 500  # files per pool task: the first results arrive while the rest parse
Progress = Callable[[int, int], None]  # (files parsed, files to parse), on the loading thread


class Store:
    """Keeps per-file state between loads so that a reload re-parses only what changed.

    Customer files sit flat in ``customers/``, so the state is keyed by file name: the
    listing of 10,000 files then builds no Path objects.
    """

    def __init__(self, root: Path, *, use_cache: bool = True, workers: int | None = None) -> None:
        self.root = Path(root)
        self.use_cache = use_cache
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._config = KeptConfig(self.root)
        self._files: dict[str, FileState] = {}
        self._last_good: dict[str, Customer] = {}  # only for files whose current state is not ok
        self._dirty = False  # states the cache file does not hold
        self._duplicates: dict[str, Problem] | None = None  # cleared whenever the set of names changes

    @property
    def customers_dir(self) -> Path:
        return self.root / CUSTOMERS_DIR

    @property
    def cache_path(self) -> Path:
        return self.root / STATE_DIR / cache.CACHE_NAME

    @property
    def config(self) -> Config:
        """What the customers are validated against (`KeptConfig`)."""
        return self._config.config

    @property
    def config_problems(self) -> list[Problem]:
        return self._config.problems

    # -- whole-folder loads -------------------------------------------------------------

    def load(self, progress: Progress | None = None) -> Board:
        """Full load: config, listing, then parse whatever the cache cannot vouch for.

        ``progress(parsed, total)`` is called as the parse goes (a cold start), on this
        thread, after each chunk, and with 0 before the first when there are several (the
        config is read: a board's frame can be drawn). It may take a provisional `board()`
        of what is read so far.
        """
        with gc_paused():
            listing = list_customer_files(self.customers_dir)
            snapshot = None
            if self.use_cache and not self._files:
                snapshot = cache.read(self.root, self.customers_dir, len(listing))
            self._load_config(snapshot.config if snapshot else None)
            if snapshot is not None and snapshot.config == self.config and not self._files:
                self._files, self._last_good = snapshot.files, snapshot.last_good
                self._duplicates, self._dirty = None, False
            files = self._files
            stale, racy = [], []
            for name, key in listing.items():
                state = files.get(name)
                if state is None or state.key != key:
                    stale.append(name)
                elif state.racy:
                    racy.append(name)
            for name in files.keys() - listing.keys():
                self._forget(name)
            self._parse_many(sorted(stale), progress)  # name order: partial boards are reproducible
            self._recheck(racy)
            self._prune_removed_stages()
            if self.use_cache and self._dirty:
                self._write_cache()
            return self.board()

    def rescan(self) -> ReloadResult:
        """Compare the folder with what was read and re-parse the differences.

        The watcher's safety net: inotify can overflow, and some saves produce no event.
        """
        with gc_paused():
            before = self._snapshot()
            config_changed = self._load_config(None)
            listing = list_customer_files(self.customers_dir)
            if config_changed:
                changed = list(listing)
            else:
                changed = [name for name, key in listing.items() if self._key(name) != key]
            for name in self._files.keys() - listing.keys():
                self._forget(name)
            self._parse_many(changed)
            self._recheck([name for name in listing if name not in changed and self._files[name].racy])
            return changes_since(before, self.board())

    def reload(self, paths: Iterable[Path]) -> ReloadResult:
        """Re-read just these paths (added, changed or deleted), whatever the cache says;
        the config triggers a rescan."""
        paths = [Path(p) for p in paths]
        if any(p.name == CONFIG_FILE for p in paths):
            return self.rescan()
        before = self._snapshot()
        todo = []
        for path in paths:
            if path.parent != self.customers_dir or not is_customer_file(path.name):
                continue
            if os.path.lexists(path):
                todo.append(path.name)
            else:
                self._forget(path.name)
        self._parse_many(todo)
        return changes_since(before, self.board())

    # -- the current view ---------------------------------------------------------------

    def board(self) -> Board:
        customers: dict[str, Customer] = {}
        problems: dict[Path, list[Problem]] = {}
        if self.config_problems:
            problems[self.root / CONFIG_FILE] = list(self.config_problems)
        folder = self.customers_dir
        last_good = self._last_good
        removed = {s.id for s in self._config.removed_stages()}
        for name, state in self._files.items():
            shown = state.customer
            if not state.ok and name in last_good:
                shown = replace(last_good[name], problems=state.problems)
            if shown is not None:
                customers[shown.id] = shown
                if shown.stage in removed:
                    problems.setdefault(folder / name, []).append(removed_stage(folder / name, shown.stage))
            if state.problems:
                problems.setdefault(folder / name, []).extend(state.problems)
        if self._duplicates is None:
            self._duplicates = duplicate_ids(folder, self._files)
        for name, extra in self._duplicates.items():
            problems.setdefault(folder / name, []).append(extra)
        return Board(self.root, self.config, customers, problems)

    def note_written(self, customer: Customer) -> None:
        """Record a customer the board itself just wrote, so its own write causes no reload."""
        fp = customer.fingerprint
        assert fp is not None
        try:
            st = os.stat(customer.path)
        except OSError:
            st = None
        if st is not None and (st.st_mtime_ns, st.st_size) == (fp.mtime_ns, fp.size):
            key = stat_key(st, fp.size)
        else:  # changed again already: a key that matches nothing, so the next rescan reads it
            key = (fp.mtime_ns, -1, -1, fp.size)
        self._put(customer.path.name, file_state(key, customer, customer.problems, True, fp.digest))

    # -- internals ----------------------------------------------------------------------

    def _load_config(self, cached: Config | None) -> bool:
        """Read `pipeline.toml` if it changed (`KeptConfig.refresh`); when the config
        changed, nothing read or cached still holds."""
        if not self._config.refresh(cached):
            return False
        self._files.clear()
        self._dirty = True
        self._duplicates = None
        return True

    def _prune_removed_stages(self) -> None:
        """Drop the removed stages no customer is in any more, and validate again the
        customers whose history names one (kept while the stage was known)."""
        removed = self._config.removed_stages()
        used = {s.customer.stage for s in self._files.values() if s.customer is not None}
        used.update(c.stage for c in self._last_good.values())
        unused = {s.id for s in removed} - used
        if not unused:
            return
        self._config.drop_stages(unused)
        self._dirty = True
        again = [
            name
            for name, state in self._files.items()
            if state.customer is not None and any(h.stage in unused for h in state.customer.history)
        ]
        self._parse_many(again)

    def _key(self, name: str) -> Key | None:
        state = self._files.get(name)
        return state.key if state else None

    def _put(self, name: str, state: FileState) -> None:
        """Keep a new state; a broken file goes on showing the customer it last held."""
        old = self._files.get(name)
        if old is None:
            self._duplicates = None
        elif old.ok and not state.ok:
            self._last_good[name] = old.customer  # type: ignore[assignment]  # ok: it has one
        if state.ok:
            self._last_good.pop(name, None)
        self._files[name] = state
        self._dirty = True

    def _forget(self, name: str) -> None:
        self._files.pop(name, None)
        self._last_good.pop(name, None)
        self._dirty = True
        self._duplicates = None

    def _parse_many(self, names: list[str], progress: Progress | None = None) -> None:
        """Parse these files and keep what they hold, a chunk at a time."""
        done = 0
        if progress is not None and len(names) > CHUNK:
            progress(0, len(names))
        with gc_paused():
            for results in self._parsed(names):
                for name, state in results:
                    if state is None:
                        self._forget(name)
                    else:
                        self._put(name, state)
                done += len(results)
                if progress is not None:
                    progress(done, len(names))

    def _parsed(self, names: list[str]) -> Iterator[Parsed]:
        """The files' states in chunks of `CHUNK`, as they are parsed; many files are
        parsed by forked workers, and their chunks come as each is done."""
        folder, config = self.customers_dir, self.config
        chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
        if self.workers > 1 and len(names) >= POOL_THRESHOLD and sys.platform != "win32":
            yield from parse_pooled(folder, chunks, config, self.workers)
        else:
            for chunk in chunks:
                yield [(name, parse_path(folder / name, config)) for name in chunk]

    def _recheck(self, names: list[str]) -> None:
        """Files whose key matches but was taken in the same tick as a write: re-hash them."""
        folder, config = self.customers_dir, self.config
        for name in names:
            old = self._files[name]
            state = parse_path(folder / name, config, old)
            if state is None:
                self._forget(name)
            elif state != old:
                self._put(name, state)

    def _snapshot(self) -> dict[str, Customer]:
        return self.board().customers

    def _write_cache(self) -> None:
        try:
            self._files = cache.write(
                self.root, self.customers_dir, self.config, self._files, self._last_good
            )
        except OSError:
            return  # a read-only folder, or a .tuiboard that is a link: it loads, uncached
        self._dirty = False


def load_board(root: Path, *, use_cache: bool = True) -> Board:
    """One call: a folder to a Board (config, customers, problems)."""
    return Store(root, use_cache=use_cache).load()
