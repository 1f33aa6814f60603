"""Edits that keep every hand-written byte, written atomically and verified.

An edit is a list of primitive changes (`pipeline.changes`). Each is applied twice: to a
tomlkit document (which keeps comments, spacing and key order) and to the plain data
tomllib read. The new text is written only if re-parsing it gives exactly that data, under
the folder's lock, by `pipeline.atomic` (never over a file that changed since it was read).
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit

from .atomic import atomic_write, check_same, read_bytes
from .canonical import dump_customer
from .changes import Append, Change, DelKey, SetKey, apply_document, apply_plain
from .config import Config
from .errors import ConflictError, UsageError, WriteError
from .format import parse_customer
from .layout import CUSTOMERS_DIR
from .lines import toml_lines
from .lock import file_lock, write_lock
from .model import LOG_KINDS, Customer, Fingerprint
from .names import TakenIds, unique_id
from .rules import check_transition, close_changes


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
    stage = config.stage(target)  # check_transition: a known stage, and lost has a reason
    if stage is not None and stage.kind == "lost" and reason is not None:
        changes.append(SetKey(("lost_reason",), reason.strip()))
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


def next_changes(action: str | None, due: date) -> list[Change]:
    """The next action and its due date; ``action`` None keeps the action as the file has it
    (only the date changes: its text is not written again)."""
    if action is None:
        return [SetKey(("next", "due"), due)]
    if not action.strip():
        raise UsageError("the next action needs some text")
    return [SetKey(("next", "action"), action.strip()), SetKey(("next", "due"), due)]


def log_changes(kind: str, note: str, when: date) -> list[Change]:
    if kind not in LOG_KINDS:
        raise UsageError(f"log kind must be one of {', '.join(LOG_KINDS)}, not {kind!r}")
    return [Append("log", {"date": when, "kind": kind, "note": note})]


# -- reading, checking and writing --------------------------------------------------------


def refuse_broken(customer: Customer) -> None:
    """A file with errors is not written over (its text is the rep's to fix): the first one said."""
    if customer.has_errors:
        first = next(p for p in customer.problems if p.is_error)
        message = f"{first.location()}: fix this file first: {first.message}"
        raise WriteError(message, "fix_first", where=first.location(), why=first.message)


def edit_customer(customer: Customer, config: Config, changes: Sequence[Change]) -> WriteResult:
    """Apply ``changes`` to the customer's file, if it is still the file that was read.

    Under the folder's write lock: no other tuiboard writes between the check and the rename.
    """
    refuse_broken(customer)
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
    refuse_broken(customer)
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
    folder = root / CUSTOMERS_DIR
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
        current = read_bytes(path)
        if current != written:
            raise ConflictError(
                f"{path.name} changed on disk since the edit; not undone", "changed_since", file=path.name
            )
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


def _read_checked(customer: Customer) -> bytes:
    raw = read_bytes(customer.path)
    check_same(customer.path, raw, customer.fingerprint)
    return raw
