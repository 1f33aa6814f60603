"""A pipeline folder loaded into a `Board`: config, customers, problems.

Loading is a scan (``os.scandir`` + stat), then a parse of only the files whose stat key
differs from what the cache in ``.tuiboard/`` remembers (`pipeline.cache`: untrusted bytes,
typed msgpack, never code). A cold load of many files is split over a small process pool
(tomli holds the GIL, threads don't help); the workers return their results packed as the
cache keeps them.
"""

from __future__ import annotations

import gc
import os
import re
import stat as stat_mod
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import cache
from .cache import RACY_NS, STALE_NS, FileState, Key
from .config import Config, Stage, load_config
from .errors import NotAPipeline
from .format import parse_customer
from .layout import CONFIG_FILE, CUSTOMERS_DIR, STATE_DIR
from .model import Customer, Fingerprint
from .problems import Problem, Severity

POOL_THRESHOLD = 3000  # below this, forking costs more than it saves
# `pipeline.edit.atomic_write`'s temporary files: mkstemp(prefix=f".{stem[:40]}.", suffix=".tmp")
_LEFTOVER = re.compile(r"\..{1,40}\.[a-z0-9_]{8}\.tmp", re.S)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while thousands of acyclic dicts are built: it would run hundreds of
    times for nothing and double the time of a parse or a cache read.

    On the way out, freeze + unfreeze moves the new objects straight to the oldest
    generation (an O(1) list splice), instead of a young-generation pass over all of
    them (60 ms for 10,000 customers); the next full collection still sees them. In a
    process that keeps its long-lived objects frozen (the board app), the new ones are
    frozen with them instead: an unfreeze would thaw the whole board, and the next full
    collection would go over it (0.1 s at 50,000 customers).
    """
    was_enabled = gc.isenabled()
    was_frozen = gc.get_freeze_count() > 0
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            if not was_frozen:
                gc.unfreeze()
            gc.enable()


def find_root(start: Path) -> Path:
    """Like git: the nearest folder at or above ``start`` holding a `pipeline.toml`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise NotAPipeline(f"no {CONFIG_FILE} in {start} or any parent folder (run `tuiboard init`)")


def is_customer_file(name: str) -> bool:
    """A customer file name, not an editor's swap, backup or temporary file."""
    return name.endswith(".toml") and not name.startswith((".", "#", "~")) and len(name) > 5


def _state(
    key: Key, customer: Customer | None, problems: Iterable[Problem], racy: bool, digest: str = ""
) -> FileState:
    problems = tuple(problems)
    ok = customer is not None and not any(p.is_error for p in problems)
    return FileState(key, customer, problems, ok, racy, digest)


@dataclass(slots=True)
class Board:
    """One consistent view of the folder. Broken files keep their last good customer."""

    root: Path
    config: Config
    customers: dict[str, Customer]
    problems_by_file: dict[Path, list[Problem]] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        out = [p for ps in self.problems_by_file.values() for p in ps]
        return sorted(out, key=lambda p: (str(p.path), p.line, p.column))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def customer(self, customer_id: str) -> Customer | None:
        return self.customers.get(customer_id)

    def problems_for(self, customer_id: str) -> list[Problem]:
        return self.problems_by_file.get(self.customers_dir / f"{customer_id}.toml", [])

    @property
    def customers_dir(self) -> Path:
        return self.root / CUSTOMERS_DIR


@dataclass(slots=True)
class ReloadResult:
    board: Board
    changed: set[str]  # ids added or whose data changed
    removed: set[str]


def _parse_path(path: Path, config: Config, known: FileState | None = None) -> FileState | None:
    """Stat and parse one file; None when it vanished between listing and reading.

    ``known``: a state whose stat key still matches but which was read in the same
    timestamp tick as its file was written. If the bytes are the ones it was parsed from
    (same digest), it stands, with a fresh key; else the file is parsed again.
    """
    now = time.time_ns()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return _state(
                (0, 0, 0, 0), None, [_whole(path, "dangling symlink: its target does not exist")], False
            )
        return None
    except OSError as exc:
        return _state((0, 0, 0, 0), None, [_whole(path, _os_message(exc))], False)
    if stat_mod.S_ISDIR(st.st_mode):
        return _state(_key(st, 0), None, [_whole(path, "is a directory, not a customer file")], False)
    if not stat_mod.S_ISREG(st.st_mode):
        return _state(_key(st, 0), None, [_whole(path, "is not a regular file")], False)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _state(_key(st, st.st_size), None, [_whole(path, _os_message(exc))], False)
    key = _key(st, len(raw))
    racy = max(st.st_mtime_ns, st.st_ctime_ns) >= now - RACY_NS
    if known is not None and known.digest == Fingerprint.of(raw, 0).digest:
        return known._replace(key=key, racy=racy)
    customer, problems = parse_customer(raw, path, config, st.st_mtime_ns)
    fp = customer.fingerprint if customer is not None else None
    return _state(key, customer, problems, racy, (fp or Fingerprint.of(raw, 0)).digest)


def _key(st: os.stat_result, size: int) -> Key:
    """A file's stat key, as git's index has it: ctime and inode change with every write
    and cannot be set back, so an edit that restores size and mtime is still seen."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino, size)


def _whole(path: Path, message: str) -> Problem:
    return Problem(path, 0, 0, Severity.ERROR, message)


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _parse_share(args: tuple[Path, list[str], Config]) -> bytes:
    """A pool worker's share, returned packed as the cache keeps it: the parent decodes it
    (its only serial work) and writes the packed states to the cache as they are."""
    folder, names, config = args
    with gc_paused():
        states = ((name, _parse_path(folder / name, config)) for name in names)
        return cache.pack_entries(((name, s) for name, s in states if s is not None), folder)


class Store:
    """Keeps per-file state between loads so that a reload re-parses only what changed.

    Customer files sit flat in ``customers/``, so the state is keyed by file name: the
    listing of 10,000 files then builds no Path objects.
    """

    def __init__(self, root: Path, *, use_cache: bool = True, workers: int | None = None) -> None:
        self.root = Path(root)
        self.use_cache = use_cache
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.config: Config = Config()
        self.config_problems: list[Problem] = []
        self._config_key: Key | None = None
        self._good_config: Config | None = None  # the last pipeline.toml read without errors
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

    # -- whole-folder loads -------------------------------------------------------------

    def load(self) -> Board:
        """Full load: config, listing, then parse whatever the cache cannot vouch for."""
        with gc_paused():
            listing = self._list()
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
            self._parse_many(stale)
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
            listing = self._list()
            if config_changed:
                changed = list(listing)
            else:
                changed = [name for name, key in listing.items() if self._key(name) != key]
            for name in self._files.keys() - listing.keys():
                self._forget(name)
            self._parse_many(changed)
            self._recheck([name for name in listing if name not in changed and self._files[name].racy])
            return self._diff(before)

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
        return self._diff(before)

    # -- the current view ---------------------------------------------------------------

    def board(self) -> Board:
        customers: dict[str, Customer] = {}
        problems: dict[Path, list[Problem]] = {}
        if self.config_problems:
            problems[self.root / CONFIG_FILE] = list(self.config_problems)
        folder = self.customers_dir
        last_good = self._last_good
        removed = {s.id for s in self._removed_stages()}
        for name, state in self._files.items():
            shown = state.customer
            if not state.ok and name in last_good:
                shown = replace(last_good[name], problems=state.problems)
            if shown is not None:
                customers[shown.id] = shown
                if shown.stage in removed:
                    problems.setdefault(folder / name, []).append(_removed_stage(folder / name, shown.stage))
            if state.problems:
                problems.setdefault(folder / name, []).extend(state.problems)
        if self._duplicates is None:
            self._duplicates = _duplicate_ids(folder, self._files)
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
            key = _key(st, fp.size)
        else:  # changed again already: a key that matches nothing, so the next rescan reads it
            key = (fp.mtime_ns, -1, -1, fp.size)
        self._put(customer.path.name, _state(key, customer, customer.problems, True, fp.digest))

    # -- internals ----------------------------------------------------------------------

    def _load_config(self, cached: Config | None) -> bool:
        """Read `pipeline.toml` if it changed; True when the config the customers are
        validated against changed (then nothing read or cached still holds).

        A broken `pipeline.toml` keeps the last good config (this session's, else the
        cache's), so the cards stay on the board while its problems are shown. Stages that
        the new config removed stay, marked, while customers are still in them.
        """
        path = self.root / CONFIG_FILE
        try:
            st = path.stat()
            key: Key | None = _key(st, st.st_size)
        except OSError:
            key = None
        if key == self._config_key and self.config.stages:
            return False
        config, problems = load_config(self.root)
        self._config_key = key
        before = self.config if self.config.stages else cached
        if not any(p.is_error for p in problems):
            self._good_config = config
        elif (kept := self._good_config or cached) is not None:
            config = kept
            problems.append(Problem(path, 0, 0, Severity.WARNING, KEPT_CONFIG))
        self.config_problems = problems
        config = _with_removed_stages(config, before)
        if config == self.config:
            return False
        self.config = config
        self._files.clear()
        self._dirty = True
        self._duplicates = None
        return True

    def _removed_stages(self) -> tuple[Stage, ...]:
        good = self._good_config
        if good is None:
            return ()
        return tuple(s for s in self.config.stages if good.stage(s.id) is None)

    def _prune_removed_stages(self) -> None:
        """Drop the removed stages no customer is in any more, and validate again the
        customers whose history names one (kept while the stage was known)."""
        removed = self._removed_stages()
        used = {s.customer.stage for s in self._files.values() if s.customer is not None}
        used.update(c.stage for c in self._last_good.values())
        unused = {s.id for s in removed} - used
        if not unused:
            return
        self.config = replace(self.config, stages=tuple(s for s in self.config.stages if s.id not in unused))
        self._dirty = True
        again = [
            name
            for name, state in self._files.items()
            if state.customer is not None and any(h.stage in unused for h in state.customer.history)
        ]
        self._parse_many(again)

    def _list(self) -> dict[str, Key]:
        """The customer files and their stat keys; removes writers' stale temporary files."""
        out: dict[str, Key] = {}
        try:
            entries = os.scandir(self.customers_dir)
        except (FileNotFoundError, NotADirectoryError):
            return out
        old = time.time_ns() - STALE_NS
        with entries:
            for entry in entries:
                name = entry.name
                if not is_customer_file(name):
                    if name.endswith(".tmp") and _LEFTOVER.fullmatch(name):
                        _remove_leftover(entry, old)
                    continue
                try:
                    st = entry.stat()
                    out[name] = _key(st, st.st_size)
                except OSError:
                    out[name] = (-1, -1, -1, -1)  # loops and dangling links: parse reports them
        return out

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

    def _parse_many(self, names: list[str]) -> None:
        """Parse these files; many of them are shared among forked workers."""
        folder, config = self.customers_dir, self.config
        results: list[tuple[str, FileState | None]] = []
        with gc_paused():
            if self.workers > 1 and len(names) >= POOL_THRESHOLD and sys.platform != "win32":
                from concurrent.futures import ProcessPoolExecutor, as_completed  # only a cold load
                from multiprocessing import get_context

                with ProcessPoolExecutor(self.workers, mp_context=get_context("fork")) as pool:
                    futures = {
                        pool.submit(_parse_share, (folder, share, config)): share
                        for share in (names[i :: self.workers] for i in range(self.workers))
                    }
                    for future in as_completed(futures):  # the first results while others still parse
                        parsed = dict(cache.unpack_entries(future.result(), folder))
                        results += ((name, parsed.get(name)) for name in futures[future])
            else:
                results = [(name, _parse_path(folder / name, config)) for name in names]
            for name, state in results:
                if state is None:
                    self._forget(name)
                else:
                    self._put(name, state)

    def _recheck(self, names: list[str]) -> None:
        """Files whose key matches but was taken in the same tick as a write: re-hash them."""
        folder, config = self.customers_dir, self.config
        for name in names:
            old = self._files[name]
            state = _parse_path(folder / name, config, old)
            if state is None:
                self._forget(name)
            elif state != old:
                self._put(name, state)

    def _snapshot(self) -> dict[str, Customer]:
        return self.board().customers

    def _diff(self, before: dict[str, Customer]) -> ReloadResult:
        board = self.board()
        after = board.customers
        changed = {
            cid
            for cid, c in after.items()
            if cid not in before
            or before[cid].fingerprint != c.fingerprint
            or before[cid].problems != c.problems
        }
        return ReloadResult(board, changed, set(before) - set(after))

    def _write_cache(self) -> None:
        try:
            self._files = cache.write(
                self.root, self.customers_dir, self.config, self._files, self._last_good
            )
        except OSError:
            return  # a read-only folder, or a .tuiboard that is a link: it loads, uncached
        self._dirty = False


KEPT_CONFIG = "pipeline.toml has errors: the board keeps its last good settings until they are fixed"


def _with_removed_stages(config: Config, before: Config | None) -> Config:
    """``config`` plus the stages of ``before`` that it no longer has, at the end."""
    if before is None:
        return config
    removed = tuple(s for s in before.stages if config.stage(s.id) is None)
    return replace(config, stages=config.stages + removed) if removed else config


def _removed_stage(path: Path, stage: str) -> Problem:
    message = f"stage {stage!r} was removed from pipeline.toml; move this customer to a current stage"
    return Problem(path, 0, 0, Severity.ERROR, message)


def _remove_leftover(entry: os.DirEntry[str], older_than_ns: int) -> None:
    """A temporary file a killed writer left behind: a regular file (never a link) over a
    minute old. A live writer renames its temporary file within moments."""
    with suppress(OSError):
        st = entry.stat(follow_symlinks=False)
        if stat_mod.S_ISREG(st.st_mode) and st.st_mtime_ns < older_than_ns:
            os.unlink(entry.path)


def _duplicate_ids(folder: Path, files: dict[str, FileState]) -> dict[str, Problem]:
    """Ids that differ only by case or Unicode normalisation clash on macOS and Windows.

    The first of a clashing group in sorted order is kept; only clashes are sorted.
    """
    first: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for name in files:
        key = (name if name.isascii() else unicodedata.normalize("NFC", name)).casefold()
        kept = first.setdefault(key, name)
        if kept is not name:
            groups.setdefault(key, [kept]).append(name)
    out: dict[str, Problem] = {}
    for names in groups.values():
        kept, *others = sorted(names)
        for name in others:
            msg = f"duplicate customer id: {name} and {kept} differ only by case"
            out[name] = Problem(folder / name, 0, 0, Severity.ERROR, msg)
    return out


def load_board(root: Path, *, use_cache: bool = True) -> Board:
    """One call: a folder to a Board (config, customers, problems)."""
    return Store(root, use_cache=use_cache).load()
