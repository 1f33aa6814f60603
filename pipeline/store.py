"""A pipeline folder loaded into a `Board`: config, customers, problems.

Loading is a scan (``os.scandir`` + stat), then a parse of only the files whose
(mtime_ns, size) differ from what the cache in ``.tuiboard/`` remembers. A cold load of
many files is split over a small process pool (tomli holds the GIL, threads don't help).

The cache is a list of pickled chunks, each a ``{file name: FileState}`` dict in which equal
strings and dates are one shared object (see `_shared`): that halves the pickle and
the time to read it back. A later load appends a chunk of just the files that changed
(None for a removed file) and compacts the list once it holds too much that is stale.
"""

from __future__ import annotations

import copyreg
import gc
import io
import os
import pickle
import stat as stat_mod
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from multiprocessing import get_context
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from .config import CONFIG_FILE, Config, load_config
from .errors import NotAPipeline
from .format import parse_customer
from .model import Customer, by_fields
from .problems import Problem, Severity

CUSTOMERS_DIR = "customers"
CACHE_DIR = ".tuiboard"
CACHE_VERSION = 5
POOL_THRESHOLD = 3000  # below this, forking costs more than it saves
MAX_CHUNKS = 8  # at this many chunks, all but the biggest are merged into one


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


class FileState(NamedTuple):
    """What one file held when last read (a tuple: cheaper to pickle and rebuild than a dataclass)."""

    key: tuple[int, int]  # (mtime_ns, size): the file is re-read when its stat differs
    customer: Customer | None  # the parsed customer, or None when it could not be built
    problems: tuple[Problem, ...]
    ok: bool  # a customer without errors: the board shows it as it is


def _state(mtime_ns: int, size: int, customer: Customer | None, problems: Iterable[Problem]) -> FileState:
    problems = tuple(problems)
    ok = customer is not None and not any(p.is_error for p in problems)
    return FileState((mtime_ns, size), customer, problems, ok)


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
            return _state(0, 0, None, [_whole(path, "dangling symlink: its target does not exist")])
        return None
    except OSError as exc:
        return _state(0, 0, None, [_whole(path, _os_message(exc))])
    if stat_mod.S_ISDIR(st.st_mode):
        return _state(st.st_mtime_ns, 0, None, [_whole(path, "is a directory, not a customer file")])
    if not stat_mod.S_ISREG(st.st_mode):
        return _state(st.st_mtime_ns, 0, None, [_whole(path, "is not a regular file")])
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _state(st.st_mtime_ns, st.st_size, None, [_whole(path, _os_message(exc))])
    customer, problems = parse_customer(raw, path, config, st.st_mtime_ns)
    return _state(st.st_mtime_ns, len(raw), customer, problems)


def _whole(path: Path, message: str) -> Problem:
    return Problem(path, 0, 0, Severity.ERROR, message)


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


# -- the cache's chunks -------------------------------------------------------------------


def _fields(kind: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """For a model class pickled by its fields (`by_fields`): a C-level getter of them all."""
    if kind not in _FIELD_GETTERS:
        by_field = getattr(kind, "__reduce__", None) is by_fields and len(kind.__slots__) > 1
        _FIELD_GETTERS[kind] = attrgetter(*kind.__slots__) if by_field else None
    return _FIELD_GETTERS[kind]


_FIELD_GETTERS: dict[type, Callable[[Any], tuple[Any, ...]] | None] = {}


def _shared(obj: Any, memo: dict[Any, Any]) -> Any:
    """An equal copy of ``obj`` in which equal strings and dates are one object.

    tomli makes a new string for every key of every file; pickle writes each such object
    in full, but a repeat of the same object as a two-byte memo reference. The walk costs
    less than it saves in `pickle.dumps` alone, and the cache reads back in half the time.
    """
    kind = type(obj)
    if kind is str or kind is date:
        return memo.setdefault(obj, obj)
    if kind is dict:
        same = memo.setdefault
        return {same(k, k): same(v, v) if type(v) is str else _shared(v, memo) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return kind(_shared(v, memo) for v in obj)
    if kind is FileState:
        return FileState(*(_shared(v, memo) for v in obj))
    fields = _fields(kind)
    return obj if fields is None else kind(*[_shared(v, memo) for v in fields(obj)])


def _dump_chunk(states: dict[str, FileState | None], folder: Path) -> bytes:
    """Pickle a chunk; customer paths are stored as their name under ``folder``."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    child = getattr(folder, "_make_child_relpath", folder.joinpath)  # skips parsing the name
    prefix = str(folder) + os.sep

    def reduce_path(path: Path) -> Any:
        text = str(path)
        if text.startswith(prefix) and os.sep not in text[len(prefix) :]:
            return child, (text[len(prefix) :],)
        return path.__reduce__()

    def reducer(kind: type, fields: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], Any]:
        return lambda obj: (kind, fields(obj))  # what by_fields gives, without a Python loop

    memo: dict[Any, Any] = {}
    shared = {name: _shared(state, memo) for name, state in states.items()}
    table = {kind: reducer(kind, fields) for kind, fields in _FIELD_GETTERS.items() if fields}
    pickler.dispatch_table = {**copyreg.dispatch_table, **table, type(folder): reduce_path}
    pickler.dump(shared)
    return buf.getvalue()


def _parse_chunk(args: tuple[Path, list[str], Config]) -> bytes:
    """A pool worker's share, returned as a cache chunk: the parent keeps the bytes for the
    cache as they are, and unpickling them is its only serial work."""
    folder, names, config = args
    with gc_paused():
        return _dump_chunk({name: _parse_path(folder / name, config) for name in names}, folder)


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
        self._last_good: dict[str, Customer] = {}  # only for files whose current state is not ok
        # The cache as read or written: (the names it holds, their pickled states) per chunk.
        self._chunks: list[tuple[tuple[str, ...], bytes]] = []
        self._unsaved: set[str] = set()  # names whose state the chunks do not hold
        self._duplicates: dict[str, Problem] | None = None  # cleared whenever the set of names changes

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
            files = self._files
            stale = [name for name, key in listing.items() if (s := files.get(name)) is None or s.key != key]
            gone = files.keys() - listing.keys()
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
        last_good = self._last_good
        for name, state in self._files.items():
            shown = state.customer
            if not state.ok and name in last_good:
                shown = replace(last_good[name], problems=state.problems)
            if shown is not None:
                customers[shown.id] = shown
            if state.problems:
                problems[folder / name] = list(state.problems)
        if self._duplicates is None:
            self._duplicates = _duplicate_ids(folder, self._files)
        for name, extra in self._duplicates.items():
            problems.setdefault(folder / name, []).append(extra)
        return Board(self.root, self.config, customers, problems)

    def note_written(self, customer: Customer) -> None:
        """Record a customer the board itself just wrote, so its own write causes no reload."""
        fp = customer.fingerprint
        assert fp is not None
        self._put(customer.path.name, _state(fp.mtime_ns, fp.size, customer, customer.problems))

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
        # Every customer is validated against the config: nothing read or cached still holds.
        self._files.clear()
        self._chunks.clear()
        self._unsaved.clear()
        self._duplicates = None
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
        return state.key if state else None

    def _put(self, name: str, state: FileState) -> None:
        """Keep a new state; a broken file goes on showing the customer it last held."""
        old = self._files.get(name)
        if old is None:
            self._duplicates = None
        elif old.ok and not state.ok:
            self._last_good[name] = old.customer  # type: ignore[assignment]
        if state.ok:
            self._last_good.pop(name, None)
        self._files[name] = state
        self._unsaved.add(name)

    def _forget(self, name: str) -> None:
        self._files.pop(name, None)
        self._last_good.pop(name, None)
        self._unsaved.add(name)
        self._duplicates = None

    def _parse_many(self, names: list[str]) -> None:
        """Parse these files; many of them are shared among forked workers, whose chunks of
        results are kept as they are for the cache."""
        folder, config = self.customers_dir, self.config
        shares: list[list[str]] = []
        blobs: list[bytes] = []
        results: list[tuple[str, FileState | None]] = []
        with gc_paused():
            if self.workers > 1 and len(names) >= POOL_THRESHOLD and sys.platform != "win32":
                with ProcessPoolExecutor(self.workers, mp_context=get_context("fork")) as pool:
                    futures = {
                        pool.submit(_parse_chunk, (folder, share, config)): share
                        for share in (names[i :: self.workers] for i in range(self.workers))
                    }
                    for future in as_completed(futures):  # the first results while others still parse
                        shares.append(futures[future])
                        blobs.append(future.result())
                        results += pickle.loads(blobs[-1]).items()
            else:
                results = [(name, _parse_path(folder / name, config)) for name in names]
            for name, state in results:
                if state is None:
                    self._forget(name)
                else:
                    self._put(name, state)
            for share, blob in zip(shares, blobs, strict=True):
                self._chunks.append((tuple(share), blob))  # the workers' results, as the cache keeps them
                self._unsaved.difference_update(share)

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
        """Chunks are read in order, a later one's entry replacing an earlier one's; a None
        entry is a file that was removed. Any doubt about the cache means a cold start."""
        try:
            with open(self.cache_path, "rb") as fh:
                head, chunks, last_good = pickle.load(fh)
            if head != self._cache_head():
                return
            files: dict[str, FileState] = {}
            for _, blob in chunks:
                files.update(pickle.loads(blob))
        except Exception:  # a missing, old or damaged cache is just a cold start
            return
        self._files = {name: state for name, state in files.items() if state is not None}
        self._chunks, self._last_good, self._unsaved = chunks, last_good, set()
        self._duplicates = None

    def _cache_head(self) -> tuple[Any, ...]:
        return (CACHE_VERSION, sys.version_info[:2], str(self.root), self._config_key)

    def _write_cache(self) -> None:
        """Append a chunk of the unsaved states. Once there are many chunks, the small ones
        are merged with it (cheap: the biggest, usually the first load's, stays as it is);
        once they hold more stale entries than live ones, everything is rewritten as one."""
        chunks, todo = self._chunks, self._unsaved
        if sum(len(names) for names, _ in chunks) + len(todo) > 2 * len(self._files) + 100:
            chunks, todo = [], set(self._files)
        elif len(chunks) >= MAX_CHUNKS:
            biggest = max(chunks, key=lambda chunk: len(chunk[0]))
            todo = todo.union(*(names for names, _ in chunks if names is not biggest[0]))
            chunks = [biggest]
        if todo:
            delta = {name: self._files.get(name) for name in todo}  # None: the file was removed
            chunks = [*chunks, (tuple(delta), _dump_chunk(delta, self.customers_dir))]
        try:
            self.cache_path.parent.mkdir(exist_ok=True)
            (self.cache_path.parent / ".gitignore").write_text("*\n")
            tmp = self.cache_path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                record = (self._cache_head(), chunks, self._last_good)
                pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.cache_path)
        except OSError:
            return  # a read-only folder still loads; it just has no cache
        self._chunks, self._unsaved = chunks, set()


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
