"""Edits that keep every hand-written byte, written atomically and verified.

An edit is a list of primitive changes (`SetKey`, `Append`). Each is applied twice: to a
tomlkit document (which keeps comments, spacing and key order) and to the plain data
tomllib read. The new text is written only if re-parsing it gives exactly that data.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import os
import re
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import tomlkit
from tomlkit.items import AoT, Array, InlineTable, Table, Whitespace
from tomlkit.items import Comment as TomlComment

from .config import Config
from .errors import ConflictError, WriteError
from .format import dump_customer, parse_customer
from .lines import toml_lines
from .lock import file_lock, write_lock
from .model import LOG_KINDS, Customer, Fingerprint
from .names import TakenIds, unique_id
from .rules import check_transition, close_changes


@dataclass(frozen=True, slots=True)
class SetKey:
    path: tuple[str, ...]  # ("stage",) or ("next", "due")
    value: Any


@dataclass(frozen=True, slots=True)
class Append:
    array: str  # "history", "log" or "objections"
    entry: dict[str, Any]
    at: int | None = None  # insert before this entry; None appends at the end


@dataclass(frozen=True, slots=True)
class DelKey:
    """Remove a key if present (only keys inside a table: tables themselves are never deleted,
    so tomlkit keeps every other byte)."""

    path: tuple[str, ...]  # ("next", "action")


Change = SetKey | Append | DelKey


@dataclass(frozen=True, slots=True)
class WriteResult:
    customer: Customer  # re-parsed from what was written
    before: bytes | None  # the previous bytes, for undo; None for a new file
    after: bytes


# -- the edits a board or CLI makes -------------------------------------------------------


def move_changes(
    customer: Customer,
    config: Config,
    target: str,
    when: date,
    reason: str | None = None,
    criteria: Sequence[str] = (),
) -> list[Change]:
    check_transition(customer, config, target, reason)
    entry: dict[str, Any] = {"date": when, "stage": target}
    changes: list[Change] = [SetKey(("stage",), target)]
    if reason and reason.strip():  # why it was lost, or why it went back
        entry["reason"] = reason.strip()
    if criteria:  # the entry criteria the rep confirmed
        entry["criteria"] = list(criteria)
    if config.stage(target).kind == "lost":  # type: ignore[union-attr]  # check_transition: a known stage
        changes.append(SetKey(("lost_reason",), reason.strip()))  # type: ignore[union-attr]  # lost needs one
    changes.append(Append("history", entry))
    # Won or lost ends the open next action: won turns it into the first after-sales step,
    # lost clears it (rules.close_changes), so a closed deal is never 逾期.
    current = customer.data.get("next")
    for key, value in close_changes(customer, config, target, when).items():
        if value is not None:
            changes.append(SetKey(("next", key), value))
        elif isinstance(current, dict) and key in current:
            changes.append(DelKey(("next", key)))
    return changes


def next_changes(action: str, due: date) -> list[Change]:
    if not action.strip():
        raise WriteError("the next action needs some text")
    return [SetKey(("next", "action"), action.strip()), SetKey(("next", "due"), due)]


def log_changes(kind: str, note: str, when: date) -> list[Change]:
    if kind not in LOG_KINDS:
        raise WriteError(f"log kind must be one of {', '.join(LOG_KINDS)}, not {kind!r}")
    return [Append("log", {"date": when, "kind": kind, "note": note})]


# -- applying changes ---------------------------------------------------------------------


def apply_plain(data: dict[str, Any], changes: Sequence[Change]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for change in changes:
        if isinstance(change, SetKey):
            table = out
            for key in change.path[:-1]:
                table = table.setdefault(key, {})
            table[change.path[-1]] = change.value
        elif isinstance(change, DelKey):
            _holder(out, change.path).pop(change.path[-1], None)
        else:
            entries = out.setdefault(change.array, [])
            entries.insert(len(entries) if change.at is None else change.at, dict(change.entry))
    return out


def apply_document(doc: tomlkit.TOMLDocument, changes: Sequence[Change]) -> None:
    for change in changes:
        if isinstance(change, SetKey):
            _set(doc, change.path, change.value)
        elif isinstance(change, DelKey):
            holder = _holder(doc, change.path)
            if change.path[-1] in holder:
                del holder[change.path[-1]]
        else:
            _append(doc, change.array, change.entry, change.at)


def _holder(data: Any, path: tuple[str, ...]) -> Any:
    """The table that holds ``path``'s last key; an empty dict when a table on the way is missing."""
    for key in path[:-1]:
        data = data.get(key) if hasattr(data, "get") else None
        if data is None:
            return {}
    return data


def _set(doc: tomlkit.TOMLDocument, path: tuple[str, ...], value: Any) -> None:
    if len(path) == 1:
        doc[path[0]] = value  # replaces the value only: the line's comment stays
        return
    head, rest = path[0], path[1:]
    if head not in doc:
        table = tomlkit.table()
        _insert_table(doc, head, table)
    container = doc[head]
    for key in rest[:-1]:
        if key not in container:
            container[key] = tomlkit.table()
        container = container[key]
    container[rest[-1]] = value


def _insert_table(doc: tomlkit.TOMLDocument, key: str, table: Table) -> None:
    """A new table goes before the appended arrays (history, log …), as format rule 5 wants."""
    first_aot = next((i for i, (_, item) in enumerate(doc.body) if isinstance(item, AoT)), None)
    if first_aot is None:
        table.trivia.indent = "\n" if doc.body else ""
        doc.append(key, table)
        return
    first_entry = cast(AoT, doc.body[first_aot][1])[0]  # first_aot indexes an AoT
    if "\n" not in first_entry.trivia.indent:  # a blank line between the new table and the arrays
        first_entry.trivia.indent = "\n" + first_entry.trivia.indent
    doc._insert_at(first_aot, key, table)  # tomlkit has no public "insert before"


def _append(doc: tomlkit.TOMLDocument, array: str, entry: dict[str, Any], at: int | None = None) -> None:
    existing = doc.get(array)
    if isinstance(existing, Array):  # written inline: history = [{…}, …]
        existing.insert(len(existing) if at is None else at, _inline(entry))
        return
    table = tomlkit.table()
    for key, value in entry.items():
        table[key] = value
    table.trivia.indent = "\n"
    if isinstance(existing, AoT) and len(existing):
        at = len(existing) if at is None else at
        if at == 0:  # the new first entry takes the old first one's spacing
            table.trivia.indent, existing[0].trivia.indent = existing[0].trivia.indent, "\n"
            existing.insert(0, table)
            return
        # Comments and blank lines after the previous entry belong to what follows it:
        # move them after the new entry so the diff is the added lines only.
        for item in pop_trailing(existing[at - 1]):
            table.add(item)
        existing.insert(at, table)
    elif isinstance(existing, AoT):  # every entry was removed (a merge): it still holds the place
        existing.append(table)
    elif existing is None:
        aot = tomlkit.aot()
        aot.append(table)
        doc.append(array, aot)
    else:
        raise WriteError(f"{array} is not an array of tables; edit it by hand")


def pop_trailing(table: Table) -> list[Whitespace | TomlComment]:
    """Take the comments and blank lines that end a table: they belong to what follows it."""
    body = table.value.body
    trailing: list[Whitespace | TomlComment] = []
    while body and body[-1][0] is None and isinstance(last := body[-1][1], Whitespace | TomlComment):
        body.pop()
        trailing.insert(0, last)
    return trailing


def _inline(entry: dict[str, Any]) -> InlineTable:
    table = tomlkit.inline_table()
    table.update(entry)
    return table


# -- reading, checking and writing --------------------------------------------------------


def edit_customer(customer: Customer, config: Config, changes: Sequence[Change]) -> WriteResult:
    """Apply ``changes`` to the customer's file, if it is still the file that was read.

    Under the folder's write lock: no other tuiboard writes between the check and the rename.
    """
    if customer.has_errors:
        first = next(p for p in customer.problems if p.is_error)
        raise WriteError(f"{first.location()}: fix this file first: {first.message}")
    with file_lock(customer.path):
        before = _read_checked(customer)
        text = before.decode("utf-8-sig")
        try:
            doc = tomlkit.parse(text)
        except Exception as exc:  # tomlkit is stricter or looser than tomllib in corners
            raise WriteError(f"{customer.path}: cannot edit this file safely: {exc}") from exc
        roundtrip = tomlkit.dumps(doc)
        apply_document(doc, changes)
        new_text = keep_layout(customer.path, text, roundtrip, tomlkit.dumps(doc))
        intended = apply_plain(tomllib.loads(text), changes)
        _verify(customer.path, new_text, intended)
        bom = codecs.BOM_UTF8 if before.startswith(codecs.BOM_UTF8) else b""
        after = bom + new_text.encode("utf-8")
        atomic_write(customer.path, after, expected=customer.fingerprint)
        return WriteResult(_reparse(customer.path, after, config), before, after)


def rewrite_customer(customer: Customer, config: Config, text: str) -> WriteResult:
    """Replace the whole file with ``text`` (``fmt``), only if it reads back as the same data."""
    if customer.has_errors:
        first = next(p for p in customer.problems if p.is_error)
        raise WriteError(f"{first.location()}: fix this file first: {first.message}")
    with file_lock(customer.path):
        before = _read_checked(customer)
        _verify(customer.path, text, tomllib.loads(before.decode("utf-8-sig")))
        after = text.encode("utf-8")
        atomic_write(customer.path, after, expected=customer.fingerprint)
        return WriteResult(_reparse(customer.path, after, config), before, after)


def keep_layout(path: Path, original: str, roundtrip: str, edited: str) -> str:
    """tomlkit's edited text, with every line the edit did not touch as the original had it.

    tomlkit does not always dump what it parsed: it drops the space before the ``}`` or
    ``]`` that follows a date, and it moves a split ``[[history]]`` array together. Lines
    that differ only in spacing are taken back from the original; any other change to
    lines the edit did not touch refuses the edit. New lines follow a CRLF file's endings.
    """
    if roundtrip != original:
        old, base = toml_lines(original, keepends=True), toml_lines(roundtrip, keepends=True)
        if len(old) != len(base) or any(_squash(a) != _squash(b) for a, b in zip(old, base, strict=True)):
            raise WriteError(f"{path}: an edit would rearrange this file's layout; edit it by hand")
        new = toml_lines(edited, keepends=True)
        kept: list[str] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, new, autojunk=False).get_opcodes():
            kept += old[i1:i2] if tag == "equal" else new[j1:j2]
        edited = "".join(kept)
    if "\r\n" in original and "\n" not in original.replace("\r\n", ""):
        edited = _LONE_LF.sub("\r\n", edited)
    return edited


_LONE_LF = re.compile(r"(?<!\r)\n")


def _squash(line: str) -> str:
    return line.replace(" ", "").replace("\t", "")


def create_customer(
    root: Path, config: Config, data: dict[str, Any], *, taken: set[str] | None = None
) -> WriteResult:
    """Write a canonical new file named from the customer's name, never over an existing one.

    ``taken``: the ids already in use (an import keeps one set for all its rows instead of
    listing the folder per row); the new id is added to it.
    """
    folder = root / "customers"
    with write_lock(root):
        folder.mkdir(parents=True, exist_ok=True)
        if taken is None:
            existing = TakenIds(n[:-5] for n in os.listdir(folder) if n.endswith(".toml"))
        else:
            existing = _folded(taken)
        cid = unique_id(str(data.get("name", "")), existing)
        path = folder / f"{cid}.toml"
        text = dump_customer(data)
        _verify(path, text, data)
        after = text.encode("utf-8")
        atomic_write(path, after, exclusive=True)
        result = _reparse(path, after, config)
        if result.has_errors:
            path.unlink()
            raise WriteError(next(p for p in result.problems if p.is_error).format())
        if taken is not None:
            taken.add(cid)
            existing.add(cid)
            _folded_index.update(of=taken, size=len(taken), index=existing)
        return WriteResult(result, None, after)


_folded_index: dict[str, Any] = {}  # the set of the last create(taken=...), its size, its folded index


def _folded(taken: set[str]) -> TakenIds:
    """``taken`` folded for `unique_id`; an import passes the same set row after row, so its
    index is kept between calls (rebuilt if the set changed otherwise) and rows stay O(1)."""
    kept = _folded_index
    if kept.get("of") is taken and kept.get("size") == len(taken):
        return kept["index"]
    return TakenIds(taken)


def restore(path: Path, previous: bytes | None, written: bytes, config: Config) -> Customer | None:
    """Undo a write: put back ``previous`` only if the file still holds what we wrote."""
    with file_lock(path):
        current = _read_bytes(path)
        if current != written:
            raise ConflictError(f"{path.name} changed on disk since the edit; not undone")
        if previous is None:
            path.unlink()
            return None
        atomic_write(path, previous, expected=Fingerprint.of(written, 0))
        return _reparse(path, previous, config)


def _verify(path: Path, text: str, intended: dict[str, Any]) -> None:
    try:
        got = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WriteError(f"{path}: the edit would produce invalid TOML ({exc}); not written") from exc
    if _normalise(got) != _normalise(intended):
        raise WriteError(f"{path}: the edit would not round-trip; not written")


_NAN = object()  # nan != nan, yet a file holding a nan round-trips


def _normalise(data: Any) -> Any:
    """tomllib reads tuples back as lists."""
    if isinstance(data, float) and data != data:
        return _NAN
    if isinstance(data, dict):
        return {k: _normalise(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_normalise(v) for v in data]
    return data


def _reparse(path: Path, raw: bytes, config: Config) -> Customer:
    st = os.stat(path)
    customer, problems = parse_customer(raw, path, config, st.st_mtime_ns)
    if customer is None:
        raise WriteError(problems[0].format() if problems else f"{path}: unreadable after write")
    return customer


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError as exc:
        raise ConflictError(f"{path.name} was deleted on disk; not written") from exc
    except OSError as exc:
        raise WriteError(f"{path}: {exc.strerror or exc}") from exc


def _read_checked(customer: Customer) -> bytes:
    raw = _read_bytes(customer.path)
    _check_same(customer.path, raw, customer.fingerprint)
    return raw


def _check_same(path: Path, raw: bytes, expected: Fingerprint | None) -> None:
    if expected is None:
        return
    now = Fingerprint.of(raw, 0)
    if (now.size, now.digest) != (expected.size, expected.digest):
        raise ConflictError(f"{path.name} changed on disk since it was read; reload and try again")


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
                    _check_same(path, _read_bytes(target), expected)
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
