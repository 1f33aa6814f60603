"""Files the tool itself owns inside a pipeline folder, written without following links.

A pipeline folder may be a clone from anyone, so ``.tuiboard/``, ``.gitignore`` or
``.gitattributes`` in it may be planted symlinks pointing at, say, ``~/.bashrc``. Every
file the tool creates or appends to goes through here: the state folder is opened with
``O_NOFOLLOW | O_DIRECTORY`` and files in it are reached by ``dir_fd``, new files are made
with ``O_EXCL | O_NOFOLLOW`` and renamed over the target (a rename replaces a link, never
writes through it), and appends open with ``O_NOFOLLOW`` and insist on a regular file.
Customer files that are links are a different matter: those are the user's, and
`pipeline.edit.atomic_write` writes through them on purpose.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .layout import STATE_DIR

STATE_IGNORE = b"*\n"  # the state folder ignores itself: nothing in it belongs in git

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafePath(OSError):
    """A path the tool would have to follow through a link (or a non-regular file) to write."""


@contextmanager
def open_dir(folder: Path, *, create: bool = False) -> Iterator[int]:
    """A descriptor of ``folder`` that is a real directory, not a link to one."""
    if create:
        with suppress(FileExistsError):
            os.mkdir(folder, 0o755)
    try:
        fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if os.path.islink(folder):
            raise UnsafePath(exc.errno, "is a symbolic link; refusing to use it", str(folder)) from exc
        raise
    try:
        yield fd
    finally:
        os.close(fd)


@contextmanager
def state_dir(root: Path) -> Iterator[int]:
    """``root/.tuiboard`` as a descriptor, created (with its ``.gitignore``) if missing."""
    with open_dir(root / STATE_DIR, create=True) as fd:
        if not _exists_at(fd, ".gitignore"):  # a look first: writing it costs an fsync
            with suppress(FileExistsError):
                _write_at(fd, ".gitignore", STATE_IGNORE, only_if_missing=True)
        yield fd


def _exists_at(dfd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def replace_file(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` as the regular file ``path``: a fresh temporary file in the same
    folder, then a rename over the old name, so a planted link is replaced, not followed.
    The folder itself is the user's choice and may be reached through links."""
    with open_dir(path.parent.resolve()) as fd:
        _write_at(fd, path.name, data, mode=mode)


def replace_in_state(root: Path, name: str, data: bytes, *, durable: bool = True) -> None:
    """`replace_file` for a file in ``root/.tuiboard/``. Not ``durable``: no fsync, for a
    file whose loss costs nothing (the load cache: a torn one fails its checksum)."""
    with state_dir(root) as fd:
        _write_at(fd, name, data, durable=durable)


def read_in_state(root: Path, name: str, limit: int) -> bytes | None:
    """A state file's bytes, or None when it is missing, a link, not regular or over ``limit``."""
    try:
        with open_dir(root / STATE_DIR) as dfd:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=dfd)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        data = fh.read(limit + 1)
    return data if len(data) <= limit else None


def open_in_state(root: Path, name: str) -> int:
    """A read-write descriptor of a regular file in ``.tuiboard/`` (created if missing), for locks."""
    with state_dir(root) as dfd:
        fd = os.open(name, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o644, dir_fd=dfd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePath(0, "is not a regular file", str(root / STATE_DIR / name))
    return fd


def append_text(path: Path, text: str) -> None:
    """Append to a regular file (created if missing), never through a link."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o644)
    except OSError as exc:
        if os.path.islink(path):
            message = "is a symbolic link; refusing to write through it"
            raise UnsafePath(exc.errno, message, str(path)) from exc
        raise
    with os.fdopen(fd, "ab") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise UnsafePath(0, "is not a regular file; refusing to write to it", str(path))
        fh.write(text.encode("utf-8"))


def _write_at(
    dfd: int,
    name: str,
    data: bytes,
    *,
    mode: int = 0o644,
    only_if_missing: bool = False,
    durable: bool = True,
) -> None:
    """Write ``name`` in the folder ``dfd`` through a new temporary file and a rename.

    ``only_if_missing``: link the new file in place (FileExistsError if the name, even a
    dangling link, is taken) instead of replacing what is there.
    """
    tmp = f".{name.lstrip('.')[:40]}.{os.urandom(4).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dfd)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if only_if_missing:
            os.link(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd, follow_symlinks=False)
        else:
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dfd)
