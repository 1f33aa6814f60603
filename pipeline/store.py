"""A pipeline folder loaded into a `Board`: config, customers, problems.

Loading is a scan (``os.scandir`` + stat), then a parse of only the files whose
(mtime_ns, size) differ from what the cache in ``.tuiboard/`` remembers. A cold load of
many files is split over a small process pool (tomllib holds the GIL, threads don't help).
"""

from __future__ import annotations

import gc
import os
import pickle
import stat as stat_mod
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

from .config import CONFIG_FILE, Config, load_config
from .format import parse_customer
from .model import Customer, by_fields
from .problems import Problem, Severity

CUSTOMERS_DIR = "customers"
CACHE_DIR = ".tuiboard"
CACHE_VERSION = 4
POOL_THRESHOLD = 3000  # below this, forking costs more than it saves


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while thousands of acyclic dicts are built: it would run hundreds of
    times for nothing and double the time of a parse or a cache read.

    On the way out, freeze + unfreeze moves the new objects straight to the oldest
    generation (an O(1) list splice), instead of a young-generation pass over all of
    them (60 ms for 10,000 customers); the next full collection still sees them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


class NotAPipeline(Exception):
    """No `pipeline.toml` here or in any parent folder."""


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


@dataclass(slots=True)
class FileState:
    mtime_ns: int
    size: int
    customer: Customer | None  # the parsed customer, or None when it could not be built
    problems: list[Problem]

    __reduce__ = by_fields


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


def _parse_path(path: Path, config: Config) -> FileState | None:
    """Stat and parse one file; None when it vanished between listing and reading."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return FileState(0, 0, None, [_whole(path, "dangling symlink: its target does not exist")])
        return None
    except OSError as exc:
        return FileState(0, 0, None, [_whole(path, _os_message(exc))])
    if stat_mod.S_ISDIR(st.st_mode):
        return FileState(st.st_mtime_ns, 0, None, [_whole(path, "is a directory, not a customer file")])
    if not stat_mod.S_ISREG(st.st_mode):
        return FileState(st.st_mtime_ns, 0, None, [_whole(path, "is not a regular file")])
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return FileState(st.st_mtime_ns, st.st_size, None, [_whole(path, _os_message(exc))])
    customer, problems = parse_customer(raw, path, config, st.st_mtime_ns)
    return FileState(st.st_mtime_ns, len(raw), customer, problems)


def _whole(path: Path, message: str) -> Problem:
    return Problem(path, 0, 0, Severity.ERROR, message)


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _parse_chunk(args: tuple[Path, list[str], Config]) -> list[tuple[str, bytes]]:
    """A pool worker's share: each file's state pickled here, in parallel, and kept by the
    parent as it is for the cache, so the parent never pickles a cold load again."""
    folder, names, config = args
    with gc_paused():
        return [(name, _dump(_parse_path(folder / name, config))) for name in names]


def _dump(state: FileState | None) -> bytes:
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


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
        self._config_key: tuple[int, int] | None = None
        self._files: dict[str, FileState] = {}
        self._last_good: dict[str, Customer] = {}
        self._pickled: dict[str, bytes] = {}  # FileStates as pickled for the cache, while current

    @property
    def customers_dir(self) -> Path:
        return self.root / CUSTOMERS_DIR

    @property
    def cache_path(self) -> Path:
        return self.root / CACHE_DIR / "cache.pickle"

    # -- whole-folder loads -------------------------------------------------------------

    def load(self) -> Board:
        """Full load: config, listing, then parse whatever the cache cannot vouch for."""
        with gc_paused():
            self._load_config()
            listing = self._list()
            if self.use_cache and not self._files:
                self._read_cache()
            stale = [name for name, key in listing.items() if self._key(name) != key]
            gone = self._files.keys() - listing.keys()
            for name in gone:
                self._forget(name)
            self._parse_many(stale)
            if self.use_cache and (stale or gone):
                self._write_cache()
            return self.board()

    def rescan(self) -> ReloadResult:
        """Compare the folder with what was read and re-parse the differences.

        The watcher's safety net: inotify can overflow, and some saves produce no event.
        """
        with gc_paused():
            before = self._snapshot()
            config_changed = self._load_config()
            listing = self._list()
            if config_changed:
                changed = list(listing)
            else:
                changed = [name for name, key in listing.items() if self._key(name) != key]
            for name in self._files.keys() - listing.keys():
                self._forget(name)
            self._parse_many(changed)
            return self._diff(before)

    def reload(self, paths: Iterable[Path]) -> ReloadResult:
        """Re-read just these paths (added, changed or deleted); the config triggers a rescan."""
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
        for name, state in self._files.items():
            shown = state.customer
            if shown is None or shown.has_errors:
                shown = self._last_good.get(name, shown)
                if shown is not None and shown is not state.customer:
                    shown = replace(shown, problems=tuple(state.problems))
            if shown is not None:
                customers[shown.id] = shown
            if state.problems:
                problems[folder / name] = list(state.problems)
        for name, extra in _duplicate_ids(folder, self._files).items():
            problems.setdefault(folder / name, []).append(extra)
        return Board(self.root, self.config, customers, problems)

    def note_written(self, customer: Customer) -> None:
        """Record a customer the board itself just wrote, so its own write causes no reload."""
        fp = customer.fingerprint
        assert fp is not None
        name = customer.path.name
        self._files[name] = FileState(fp.mtime_ns, fp.size, customer, list(customer.problems))
        self._pickled.pop(name, None)
        if not customer.has_errors:
            self._last_good[name] = customer

    # -- internals ----------------------------------------------------------------------

    def _load_config(self) -> bool:
        path = self.root / CONFIG_FILE
        try:
            st = path.stat()
            key: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if key == self._config_key and self.config.stages:
            return False
        self.config, self.config_problems = load_config(self.root)
        self._config_key = key
        self._files.clear()  # every customer is validated against the config
        self._pickled.clear()
        return True

    def _list(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        try:
            entries = os.scandir(self.customers_dir)
        except (FileNotFoundError, NotADirectoryError):
            return out
        with entries:
            for entry in entries:
                name = entry.name
                if not is_customer_file(name):
                    continue
                try:
                    st = entry.stat()
                    out[name] = (st.st_mtime_ns, st.st_size)
                except OSError:
                    out[name] = (-1, -1)  # loops and dangling links: parse reports them
        return out

    def _key(self, name: str) -> tuple[int, int] | None:
        state = self._files.get(name)
        return (state.mtime_ns, state.size) if state else None

    def _forget(self, name: str) -> None:
        self._files.pop(name, None)
        self._last_good.pop(name, None)
        self._pickled.pop(name, None)

    def _parse_many(self, names: list[str]) -> None:
        folder, config = self.customers_dir, self.config
        with gc_paused():
            if self.workers > 1 and len(names) >= POOL_THRESHOLD and sys.platform != "win32":
                chunks = [(folder, names[i :: self.workers], config) for i in range(self.workers)]
                with ProcessPoolExecutor(self.workers, mp_context=get_context("fork")) as pool:
                    pickled = [r for chunk in pool.map(_parse_chunk, chunks) for r in chunk]
                self._pickled.update(pickled)
                results = [(name, pickle.loads(blob)) for name, blob in pickled]
            else:
                results = [(name, _parse_path(folder / name, config)) for name in names]
                for name in names:
                    self._pickled.pop(name, None)
            for name, state in results:
                if state is None:
                    self._forget(name)
                    continue
                self._files[name] = state
                if state.customer is not None and not state.customer.has_errors:
                    self._last_good[name] = state.customer

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

    def _read_cache(self) -> None:
        """Each file's state is pickled on its own, so that a later write re-pickles only
        the files that changed. Any doubt about the cache means a cold start."""
        try:
            with open(self.cache_path, "rb") as fh:
                version, root, config_key, pickled, last_good = pickle.load(fh)
            if (version, root, config_key) != (CACHE_VERSION, str(self.root), self._config_key):
                return
            files = {name: pickle.loads(blob) for name, blob in pickled.items()}
        except Exception:  # a missing, old or damaged cache is just a cold start
            return
        self._files, self._pickled = files, dict(pickled)
        self._last_good = {
            n: s.customer for n, s in files.items() if s.customer and not s.customer.has_errors
        }
        self._last_good.update(last_good)

    def _write_cache(self) -> None:
        pickled = self._pickled
        for name, state in self._files.items():
            if name not in pickled:
                pickled[name] = _dump(state)
        # Broken files keep their last good customer across restarts too.
        last_good = {n: c for n, c in self._last_good.items() if self._files[n].customer is not c}
        try:
            self.cache_path.parent.mkdir(exist_ok=True)
            (self.cache_path.parent / ".gitignore").write_text("*\n")
            tmp = self.cache_path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                record = (CACHE_VERSION, str(self.root), self._config_key, pickled, last_good)
                pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.cache_path)
        except OSError:
            pass  # a read-only folder still loads; it just has no cache


def _duplicate_ids(folder: Path, files: dict[str, FileState]) -> dict[str, Problem]:
    """Ids that differ only by case or Unicode normalisation clash on macOS and Windows."""
    seen: dict[str, str] = {}
    out: dict[str, Problem] = {}
    for name in sorted(files):
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            msg = f"duplicate customer id: {name} and {seen[key]} differ only by case"
            out[name] = Problem(folder / name, 0, 0, Severity.ERROR, msg)
        else:
            seen[key] = name
    return out


def load_board(root: Path, *, use_cache: bool = True) -> Board:
    """One call: a folder to a Board (config, customers, problems)."""
    return Store(root, use_cache=use_cache).load()
