"""Endings: a customer archived (off the board, kept in git), brought back, or deleted.

``archive/`` sits beside ``customers/`` and is tracked by git like it; nothing loads it
for the board or the metrics, so a folder with an ``archive/`` opens unchanged in older
versions. Archiving moves the file without rewriting a byte (its history and log go with
it); ``unarchive`` moves it back. ``delete`` removes the file after keeping its last bytes
in ``.tuiboard/deleted.ID.toml`` (not in git), from where ``unarchive`` can bring it back.

Every move holds the folder's write lock and checks the file is still the one that was
read. ``archive/`` is the tool's own folder: a planted link there is refused, never
followed, and a file is never moved over another.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from .config import Config
from .edit import atomic_write
from .errors import ConflictError, UsageError, WriteError
from .format import parse_customer
from .layout import ARCHIVE_DIR
from .lock import write_lock
from .model import Customer, Fingerprint
from .safefs import STATE_DIR, UnsafePath, open_dir, read_in_state, replace_in_state
from .store import Store, is_customer_file
from .tomlread import MAX_FILE_BYTES, read_file

DELETED_PREFIX = "deleted."


def archive(store: Store, customer: Customer) -> Path:
    """Move the customer's file to ``archive/``; its new path."""
    with write_lock(store.root):
        check_unchanged(customer)
        _move(store.customers_dir, customer.path.name, store.root / ARCHIVE_DIR, create=True)
        store.reload([customer.path])
    return store.root / ARCHIVE_DIR / customer.path.name


def unarchive(store: Store, key: str) -> Customer:
    """Bring an archived (or deleted) customer back to the board; the customer as loaded."""
    with write_lock(store.root):
        name = _match(_archive_names(store.root), key, "archived")
        if name is not None:
            _move(store.root / ARCHIVE_DIR, name, store.customers_dir.resolve(), create=True)
        else:
            name = _match(_deleted_names(store.root), key, "deleted")
            if name is None:
                raise UsageError(f"no archived or deleted customer {key!r} (see `tuiboard list --archived`)")
            raw = read_in_state(store.root, DELETED_PREFIX + name, MAX_FILE_BYTES)
            if raw is None:
                raise WriteError(f"{STATE_DIR}/{DELETED_PREFIX}{name} cannot be read; nothing done")
            store.customers_dir.mkdir(exist_ok=True)
            atomic_write(store.customers_dir / name, raw, exclusive=True)
            with open_dir(store.root / STATE_DIR) as fd:
                os.unlink(DELETED_PREFIX + name, dir_fd=fd)
        target = store.customers_dir / name
        board = store.reload([target]).board
    customer = board.customers.get(target.stem)
    if customer is None:
        raise WriteError(f"{target}: moved back, but it does not load: see `tuiboard check`")
    return customer


def delete(store: Store, customer: Customer) -> str:
    """Remove the customer's file (on the board or archived), keeping its bytes in
    ``.tuiboard/``; the kept copy's path, relative to the folder."""
    kept = DELETED_PREFIX + customer.path.name
    with write_lock(store.root):
        raw = check_unchanged(customer)
        replace_in_state(store.root, kept, raw)
        os.unlink(customer.path)
        store.reload([customer.path])
    return f"{STATE_DIR}/{kept}"


def archived(root: Path, config: Config) -> list[Customer]:
    """The archived customers, by id (files that do not load are left out: `check` them by
    moving them back)."""
    out = []
    for name in sorted(_archive_names(root)):
        path = root / ARCHIVE_DIR / name
        raw = read_file(path)
        customer = parse_customer(raw, path, config)[0] if raw is not None else None
        if customer is not None:
            out.append(customer)
    return out


def find_archived(root: Path, config: Config, key: str) -> Customer:
    """An archived customer by id or unique id prefix."""
    everyone = archived(root, config)
    found = [c for c in everyone if c.id == key] or [c for c in everyone if c.id.startswith(key.lower())]
    if len(found) != 1:
        what = "no archived customer" if not found else f"{len(found)} archived customers match"
        raise UsageError(f"{what} {key!r} (see `tuiboard list --archived`)")
    return found[0]


# -- internals ----------------------------------------------------------------------------


def check_unchanged(customer: Customer) -> bytes:
    raw = read_file(customer.path)
    if raw is None:
        raise ConflictError(f"{customer.path.name} was deleted on disk; nothing done")
    fp = customer.fingerprint
    now = Fingerprint.of(raw, 0)
    if fp is not None and (now.size, now.digest) != (fp.size, fp.digest):
        raise ConflictError(f"{customer.path.name} changed on disk since it was read; reload and try again")
    return raw


def _archive_names(root: Path) -> list[str]:
    folder = root / ARCHIVE_DIR
    if os.path.islink(folder):
        return []
    try:
        return [n for n in os.listdir(folder) if is_customer_file(n)]
    except OSError:
        return []


def _deleted_names(root: Path) -> list[str]:
    folder = root / STATE_DIR
    if os.path.islink(folder):
        return []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [n[len(DELETED_PREFIX) :] for n in names if n.startswith(DELETED_PREFIX) and n.endswith(".toml")]


def _match(names: list[str], key: str, what: str) -> str | None:
    """The file name ``key`` names: the id, else a unique id prefix."""
    if f"{key}.toml" in names:
        return f"{key}.toml"
    prefix = [n for n in names if n.startswith(key.lower())]
    if len(prefix) > 1:
        raise UsageError(f"{key!r} matches {len(prefix)} {what} customers: {', '.join(sorted(prefix)[:5])}")
    return prefix[0] if prefix else None


def _move(src: Path, name: str, dst: Path, *, create: bool) -> None:
    """Move ``src/name`` to ``dst/name``: never over an existing file, never into a link.

    A hard link then an unlink, both relative to the two folders' descriptors: the name in
    ``dst`` is taken exclusively, and a link planted as ``dst`` (or a file in it) is refused.
    """
    try:
        with open_dir(dst, create=create) as dfd, open_dir(src.resolve()) as sfd:
            try:
                os.link(name, name, src_dir_fd=sfd, dst_dir_fd=dfd, follow_symlinks=False)
            except FileExistsError:
                raise WriteError(f"{dst.name}/{name} already exists; nothing moved") from None
            os.unlink(name, dir_fd=sfd)
            for fd in (dfd, sfd):
                with suppress(OSError):
                    os.fsync(fd)
    except UnsafePath as exc:
        raise WriteError(f"{dst}: {exc.strerror}") from exc
    except FileNotFoundError as exc:
        raise ConflictError(f"{name} was deleted on disk; nothing moved") from exc
    except OSError as exc:
        raise WriteError(f"{src / name}: {exc.strerror or exc}; nothing moved") from exc
