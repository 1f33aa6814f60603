"""Writing a file atomically, never over bytes that changed since they were read.

A temporary ``.name.XXXX.tmp`` in the same folder (never loaded: dot files are ignored),
fsync, `os.replace`, fsync of the folder. The mode is kept and symlinks are written through.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ConflictError, WriteError
from .model import Fingerprint


def read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError as exc:
        raise ConflictError(
            f"{path.name} was deleted on disk; not written", "deleted", file=path.name
        ) from exc
    except OSError as exc:
        raise WriteError(f"{path}: {exc.strerror or exc}") from exc


def check_same(path: Path, raw: bytes, expected: Fingerprint | None) -> None:
    if expected is None:
        return
    now = Fingerprint.of(raw, 0)
    if (now.size, now.digest) != (expected.size, expected.digest):
        raise ConflictError(
            f"{path.name} changed on disk since it was read; reload and try again", "changed", file=path.name
        )


def atomic_write(
    path: Path, data: bytes, *, expected: Fingerprint | None = None, exclusive: bool = False
) -> None:
    """Temporary file beside the target, fsync, rename. Keeps mode; writes through symlinks.

    ``expected``: the file must still hold these bytes just before the rename.
    ``exclusive``: fail rather than replace an existing file.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    # Mode bits, not os.access: root may write anything, yet a read-only file is a "no".
    if not mode & 0o222:
        raise WriteError(f"{path}: the file is read-only; not written")
    try:
        if not os.stat(folder).st_mode & 0o222:
            raise WriteError(f"{path}: the folder {folder} is read-only; not written")
    except FileNotFoundError as exc:
        raise WriteError(f"{path}: the folder {folder} does not exist") from exc
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from exc
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            if exclusive:
                os.link(tmp, target)  # fails if the name was taken meanwhile
                os.unlink(tmp)
            else:
                if expected is not None:
                    check_same(path, read_bytes(target), expected)
                os.replace(tmp, target)
        except FileExistsError as exc:
            raise WriteError(f"{path.name} already exists; not overwritten") from exc
        except OSError as exc:
            raise WriteError(f"{path}: {exc.strerror or exc}; not written") from exc
        _fsync_dir(folder)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_UMASK = _read_umask()  # read once at import: os.umask is process-wide and not thread-safe


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
