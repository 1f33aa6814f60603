"""The load cache, ``.tuiboard/cache.msgpack``: what each customer file held when last read.

The folder may be a clone from anyone, so the cache is as untrusted as the files: it is
msgpack decoded by msgspec into fixed types (nothing in it can name a class or run code),
behind a magic, a format version and a CRC-32 checksum of the payload (which catches a torn
or damaged file, not a forged one: forging buys nothing, see below), read with a size bound
and never through a symbolic link (`pipeline.safefs`). Any doubt is a cold start, never an
exception.

An entry is trusted only while the file's stat key — (mtime_ns, ctime_ns, inode, size), as
git's index keys it — is unchanged. ctime and inode change with every write on this machine
and cannot be set back (``cp -p``, ``rsync -t`` or ``tar x`` restore the mtime only), so a
cache shipped in a clone matches no file. An entry read within `RACY_NS` of its own
timestamps is "racy": a same-size edit in the same timestamp tick would keep the whole key,
so the next load re-hashes that file before trusting it.

The whole file decodes in one call into typed Structs, which each state keeps (`Content`):
writing the cache again encodes them in C. The parse pool's workers return their results
in the same form.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from time import time_ns
from typing import Any, NamedTuple

import msgspec
import tomli

from .config import Config
from .folder import STALE_NS, Key
from .model import Customer, Fingerprint, HistoryEntry, LogEntry, lazy_customer
from .problems import Problem, Severity
from .safefs import read_in_state, replace_in_state, state_dir

CACHE_NAME = "cache.msgpack"
OLD_CACHE_NAMES = ("cache.pickle",)  # earlier versions' caches: never read, removed on write
MAGIC = b"tuiboard cache\n"
VERSION = 2  # 2: CRC-32 instead of BLAKE2 (5x faster over 10 MB; a checksum, not a seal)
RACY_NS = 3_000_000_000  # over any timestamp tick (FAT: 2 s), plus the coarse clock's lag
MAX_BASE_BYTES = 32 << 20
MAX_BYTES_PER_FILE = 32 << 10  # a typical customer packs to under 1 KiB


class FileState(NamedTuple):
    """What one file held when last read."""

    key: Key  # the file is re-read when its stat differs
    customer: Customer | None  # the parsed customer, or None when it could not be built
    problems: tuple[Problem, ...]
    ok: bool  # a customer without errors: the board shows it as it is
    racy: bool  # read within RACY_NS of its timestamps: re-hash before trusting the key
    digest: str  # of the bytes read (`Fingerprint.of`); "" when none could be read
    packed: Content | None = None  # customer and problems in the cache's form, once packed


def cache_limit(files: int) -> int:
    """The most bytes a cache for this many files may take: over it, there is no cache."""
    return MAX_BASE_BYTES + MAX_BYTES_PER_FILE * files


# -- the schema: msgpack arrays, decoded into these types and nothing else ---------------

_DATE, _DATETIME, _TIME = 1, 2, 3  # msgpack extension codes for TOML's dates and times


class _Problem(msgspec.Struct, array_like=True):
    path: str  # "" for the file the entry is about
    line: int
    column: int
    severity: Severity
    message: str
    excerpt: str


class _Customer(msgspec.Struct, array_like=True):
    """Every `Customer` field but id and path (the file name gives them), in order; data
    stays packed until it is first used."""

    data: msgspec.Raw
    name: str
    stage: str
    tier: str | None
    owner: str | None
    source: str | None
    amount: float | None
    probability: float | None
    expected_close: date | None
    created: date | None
    intent: str | None
    tags: tuple[str, ...]
    contact: str | None
    next_action: str | None
    next_due: date | None
    lost_reason: str | None
    history: tuple[HistoryEntry, ...]
    log: tuple[LogEntry, ...]
    fingerprint: Fingerprint | None
    problems: list[_Problem]


class Content(msgspec.Struct, array_like=True):
    """A file's customer and problems in the cache's form: kept with its state, so that
    writing the cache again encodes it in C, its data still packed."""

    customer: _Customer | None
    problems: list[_Problem]


class _Entry(msgspec.Struct, array_like=True):
    name: str
    key: Key
    racy: bool
    digest: str
    content: Content


class _LastGood(msgspec.Struct, array_like=True):
    name: str
    customer: _Customer


class _File(msgspec.Struct, array_like=True):
    root: str
    config: Config
    entries: list[_Entry]
    last_good: list[_LastGood]


def _tagged(value: Any) -> Any:
    """TOML data with its dates and times as msgpack extensions, so they come back as
    dates and times (msgpack itself would turn them into strings)."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) is str else _tagged(v) for k, v in value.items()}
    if kind is list:
        return [_tagged(v) for v in value]
    if kind is date:
        return msgspec.msgpack.Ext(_DATE, value.isoformat().encode())
    if kind is datetime:
        return msgspec.msgpack.Ext(_DATETIME, value.isoformat().encode())
    if kind is time:
        return msgspec.msgpack.Ext(_TIME, value.isoformat().encode())
    return value


_FROM_ISO = {_DATE: date.fromisoformat, _DATETIME: datetime.fromisoformat, _TIME: time.fromisoformat}


def _untag(code: int, data: memoryview) -> Any:
    return _FROM_ISO[code](bytes(data).decode("ascii"))  # KeyError, ValueError: a damaged cache


_encoder = msgspec.msgpack.Encoder()
_data_decoder = msgspec.msgpack.Decoder(dict[str, Any], ext_hook=_untag)
_file_decoder = msgspec.msgpack.Decoder(_File)
_entries_decoder = msgspec.msgpack.Decoder(list[_Entry])


def _problems_out(problems: Iterable[Problem], path: Path) -> list[_Problem]:
    return [
        _Problem("" if p.path == path else str(p.path), p.line, p.column, p.severity, p.message, p.excerpt)
        for p in problems
    ]


def _problems_in(problems: list[_Problem], path: Path) -> tuple[Problem, ...]:
    if not problems:
        return ()
    return tuple(
        Problem(Path(p.path) if p.path else path, p.line, p.column, p.severity, p.message, p.excerpt)
        for p in problems
    )


def _customer_out(c: Customer) -> _Customer:
    data = msgspec.Raw(_encoder.encode(_tagged(c.data)))
    return _Customer(
        data, c.name, c.stage, c.tier, c.owner, c.source, c.amount, c.probability,
        c.expected_close, c.created, c.intent, c.tags, c.contact, c.next_action, c.next_due,
        c.lost_reason, c.history, c.log, c.fingerprint, _problems_out(c.problems, c.path),
    )  # fmt: skip


def _customer_in(r: _Customer, name: str, path: Path) -> Customer:
    """``name``: the file's (``path.name``, which pathlib would parse again)."""
    return lazy_customer(
        name.removesuffix(".toml"), path, partial(_data, r.data, path), r.name, r.stage, r.tier,
        r.owner, r.source, r.amount, r.probability, r.expected_close, r.created, r.intent, r.tags,
        r.contact, r.next_action, r.next_due, r.lost_reason, r.history, r.log, r.fingerprint,
        _problems_in(r.problems, path),
    )  # fmt: skip


def _data(packed: msgspec.Raw, path: Path) -> dict[str, Any]:
    """A customer's data, decoded on first use. The rest of its entry was checked when the
    cache was read; should this part not decode, the file itself is read instead."""
    try:
        return _data_decoder.decode(packed)
    except Exception:
        try:
            return tomli.loads(path.read_bytes().decode("utf-8"))
        except Exception:  # unreadable now, or no longer TOML: no data rather than a crash
            return {}


def pack(state: FileState, path: Path) -> Content:
    """A state's customer and problems in the cache's form."""
    customer = None if state.customer is None else _customer_out(state.customer)
    return Content(customer, _problems_out(state.problems, path))


_tuple_new = tuple.__new__


def unpack(e: _Entry, path: Path) -> FileState:
    """The state an entry holds (the inverse of `pack`)."""
    content = e.content
    customer = None if content.customer is None else _customer_in(content.customer, e.name, path)
    if not content.problems:  # the common case, without a generator per file (nor NamedTuple's __new__)
        return _tuple_new(FileState, (e.key, customer, (), customer is not None, e.racy, e.digest, content))
    problems = _problems_in(content.problems, path)
    ok = customer is not None and not any(p.is_error for p in problems)
    return FileState(e.key, customer, problems, ok, e.racy, e.digest, content)


def pack_entries(states: Iterable[tuple[str, FileState]], folder: Path) -> bytes:
    """Named states packed as a list of entries: how pool workers return their results."""
    return _encoder.encode([_entry(name, state, folder) for name, state in states])


def unpack_entries(blob: bytes, folder: Path) -> list[tuple[str, FileState]]:
    child = getattr(folder, "_make_child_relpath", folder.joinpath)  # skips parsing the name
    return [(e.name, unpack(e, child(e.name))) for e in _entries_decoder.decode(blob)]


def _entry(name: str, state: FileState, folder: Path) -> _Entry:
    content = state.packed if state.packed is not None else pack(state, folder / name)
    return _Entry(name, state.key, state.racy, state.digest, content)


@dataclass(slots=True)
class Snapshot:
    """A cache as read back: the config its customers were validated against, their states."""

    config: Config
    files: dict[str, FileState]
    last_good: dict[str, Customer]


def _digest(payload: bytes | memoryview) -> bytes:
    return zlib.crc32(payload).to_bytes(4, "big")


_HEAD = len(MAGIC) + 2 + 4  # magic, version (2 bytes, big-endian), checksum (4 bytes)


def read(root: Path, folder: Path, files: int) -> Snapshot | None:
    """The cache of ``root`` (whose customers live in ``folder``), or None at any doubt."""
    blob = read_in_state(root, CACHE_NAME, cache_limit(files))
    if blob is None or len(blob) < _HEAD or not blob.startswith(MAGIC):
        return None
    view = memoryview(blob)
    version = int.from_bytes(view[len(MAGIC) : len(MAGIC) + 2], "big")
    payload = view[_HEAD:]
    if version != VERSION or view[len(MAGIC) + 2 : _HEAD] != _digest(payload):
        return None
    child = getattr(folder, "_make_child_relpath", folder.joinpath)
    try:
        head = _file_decoder.decode(payload)
        if head.root != str(root):
            return None
        states = {e.name: unpack(e, child(e.name)) for e in head.entries}
        last_good = {g.name: _customer_in(g.customer, g.name, child(g.name)) for g in head.last_good}
    except Exception:  # msgspec's errors, a bad date, a name that is no path, too deep: all a cold start
        return None
    if not _plain_names(states.keys() | last_good.keys()):
        return None
    return Snapshot(head.config, states, last_good)


def _plain_names(names: set[str]) -> bool:
    """Every name a plain file name: no path, "." or "..", nor NUL (one scan of them all)."""
    joined = "/".join(names)  # a "/" more than the joins is one inside a name
    return (
        joined.count("/") == max(len(names) - 1, 0)
        and "\\" not in joined
        and "\0" not in joined
        and not names & {"", ".", ".."}
    )


def write(
    root: Path, folder: Path, config: Config, files: dict[str, FileState], last_good: dict[str, Customer]
) -> dict[str, FileState]:
    """Write the cache (raises OSError, `safefs.UnsafePath` included). Returns the states
    in their packed form too, which the caller keeps so that the next write reuses it."""
    packed = {
        name: state if state.packed is not None else state._replace(packed=pack(state, folder / name))
        for name, state in files.items()
        if _storable(name)  # a name that is not UTF-8 is not cached: parsed at every load instead
    }
    entries = [_Entry(name, s.key, s.racy, s.digest, s.packed) for name, s in packed.items()]  # type: ignore[arg-type]  # all packed above
    goods = [_LastGood(name, _customer_out(c)) for name, c in last_good.items() if _storable(name)]
    payload = _encoder.encode(_File(str(root), config, entries, goods))
    if len(payload) + _HEAD <= cache_limit(len(files)):
        framed = MAGIC + VERSION.to_bytes(2, "big") + _digest(payload) + payload
        replace_in_state(root, CACHE_NAME, framed, durable=False)  # a torn cache is a cold start
        with state_dir(root) as fd:
            for name in OLD_CACHE_NAMES:
                with suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=fd)  # removes a link itself, never its target
            _remove_stale_temporaries(fd)
    return {**files, **packed}


def _storable(name: str) -> bool:
    """A file name msgpack can hold: os.listdir gives undecodable bytes as lone surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_TEMPORARY = re.compile(rf"\.{re.escape(CACHE_NAME)}\.[0-9a-f]{{8}}\.tmp")  # `safefs` names them so


def _remove_stale_temporaries(fd: int) -> None:
    """Temporary cache files a process killed while writing left in ``.tuiboard/``."""
    old = time_ns() - STALE_NS
    with os.scandir(fd) as entries:
        for entry in entries:
            if _TEMPORARY.fullmatch(entry.name):
                with suppress(OSError):
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(st.st_mode) and st.st_mtime_ns < old:
                        os.unlink(entry.name, dir_fd=fd)
