"""A pipeline folder's places: its root, its customer files, and what writers leave behind."""

from __future__ import annotations

import os
import re
import stat as stat_mod
import time
from contextlib import suppress
from pathlib import Path

from .errors import NotAPipeline
from .layout import CONFIG_FILE

# `pipeline.edit.atomic_write`'s temporary files: mkstemp(prefix=f".{stem[:40]}.", suffix=".tmp")
_LEFTOVER = re.compile(r"\..{1,40}\.[a-z0-9_]{8}\.tmp", re.S)


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


def is_leftover(name: str) -> bool:
    """The name of a temporary file of `pipeline.edit.atomic_write`."""
    return name.endswith(".tmp") and _LEFTOVER.fullmatch(name) is not None


def remove_leftover(entry: os.DirEntry[str], older_than_ns: int) -> None:
    """A temporary file a killed writer left behind: a regular file (never a link) over a
    minute old. A live writer renames its temporary file within moments."""
    with suppress(OSError):
        st = entry.stat(follow_symlinks=False)
        if stat_mod.S_ISREG(st.st_mode) and st.st_mtime_ns < older_than_ns:
            os.unlink(entry.path)


Key = tuple[int, int, int, int]  # (mtime_ns, ctime_ns, inode, size)


def stat_key(st: os.stat_result, size: int) -> Key:
    """A file's stat key, as git's index has it: ctime and inode change with every write
    and cannot be set back, so an edit that restores size and mtime is still seen."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino, size)


STALE_NS = 60 * 10**9  # a temporary file this old was left by a killed writer: a live one renames it at once


def list_customer_files(customers: Path) -> dict[str, Key]:
    """The customer files and their stat keys; removes killed writers' temporary files."""
    out: dict[str, Key] = {}
    try:
        entries = os.scandir(customers)
    except (FileNotFoundError, NotADirectoryError):
        return out
    old = time.time_ns() - STALE_NS
    with entries:
        for entry in entries:
            name = entry.name
            if not is_customer_file(name):
                if is_leftover(name):
                    remove_leftover(entry, old)
                continue
            try:
                st = entry.stat()
                out[name] = stat_key(st, st.st_size)
            except OSError:
                out[name] = (-1, -1, -1, -1)  # loops and dangling links: parse reports them
    return out
