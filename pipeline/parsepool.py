"""Customer files parsed into cache states: one file (`parse_path`), or many at once over a
small process pool (`parse_pooled`; tomli holds the GIL, so threads would not help).

The workers return their results packed as the cache keeps them: the parent decodes them
(its only serial work) and writes the packed states to the cache as they are.
"""

from __future__ import annotations

import os
import stat as stat_mod
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import cache
from .cache import RACY_NS, FileState, Key
from .config import Config
from .folder import stat_key as _key
from .format import parse_customer
from .gcpause import gc_paused
from .model import Customer, Fingerprint
from .problems import Problem, Severity

Parsed = list[tuple[str, FileState | None]]  # a chunk's names and states; None: the file vanished


def file_state(
    key: Key, customer: Customer | None, problems: Iterable[Problem], racy: bool, digest: str = ""
) -> FileState:
    problems = tuple(problems)
    ok = customer is not None and not any(p.is_error for p in problems)
    return FileState(key, customer, problems, ok, racy, digest)


def parse_path(path: Path, config: Config, known: FileState | None = None) -> FileState | None:
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
            return file_state(
                (0, 0, 0, 0), None, [_whole(path, "dangling symlink: its target does not exist")], False
            )
        return None
    except OSError as exc:
        return file_state((0, 0, 0, 0), None, [_whole(path, _os_message(exc))], False)
    if stat_mod.S_ISDIR(st.st_mode):
        return file_state(_key(st, 0), None, [_whole(path, "is a directory, not a customer file")], False)
    if not stat_mod.S_ISREG(st.st_mode):
        return file_state(_key(st, 0), None, [_whole(path, "is not a regular file")], False)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return file_state(_key(st, st.st_size), None, [_whole(path, _os_message(exc))], False)
    key = _key(st, len(raw))
    racy = max(st.st_mtime_ns, st.st_ctime_ns) >= now - RACY_NS
    if known is not None and known.digest == Fingerprint.of(raw, 0).digest:
        return known._replace(key=key, racy=racy)
    customer, problems = parse_customer(raw, path, config, st.st_mtime_ns)
    fp = customer.fingerprint if customer is not None else None
    return file_state(key, customer, problems, racy, (fp or Fingerprint.of(raw, 0)).digest)


def _whole(path: Path, message: str) -> Problem:
    return Problem(path, 0, 0, Severity.ERROR, message)


def _os_message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _parse_share(args: tuple[Path, list[str], Config]) -> bytes:
    """A pool worker's share, returned packed as the cache keeps it."""
    folder, names, config = args
    with gc_paused():
        states = ((name, parse_path(folder / name, config)) for name in names)
        return cache.pack_entries(((name, s) for name, s in states if s is not None), folder)


def parse_pooled(folder: Path, chunks: list[list[str]], config: Config, workers: int) -> Iterator[Parsed]:
    """The chunks' states parsed by ``workers`` forked processes, each chunk as it is done."""
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only a cold load
    from multiprocessing import get_context

    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        futures = {pool.submit(_parse_share, (folder, chunk, config)): chunk for chunk in chunks}
        for future in as_completed(futures):
            parsed = dict(cache.unpack_entries(future.result(), folder))
            yield [(name, parsed.get(name)) for name in futures[future]]
