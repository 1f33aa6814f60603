"""An edit as data: primitive changes (`SetKey`, `DelKey`, `Append`), and how each is applied
to a tomlkit document (keeping comments, spacing and key order) and to the plain data tomllib
read. `pipeline.edit` writes a file only if the two agree; the merge uses them too.

tomlkit rules followed: scalars are replaced in place (the line's comment stays); tables are
never deleted or replaced; a new table goes before the first array of tables; an appended
entry gets a blank line before it, and the comments and blank lines that trailed the previous
last entry move after the new one, so the diff is only the added lines.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import tomlkit
from tomlkit.items import AoT, Array, InlineTable, Table, Whitespace
from tomlkit.items import Comment as TomlComment

from .errors import WriteError
from .model import APPENDED


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


@dataclass(frozen=True, slots=True)
class Remove:
    """Take entry ``at`` out of an array of tables (a contact, a product); with its last
    entry the array goes too, so the file does not keep an ``x = []``."""

    array: str
    at: int


Change = SetKey | Append | DelKey | Remove


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
        elif isinstance(change, Remove):
            del out[change.array][change.at]
            if not out[change.array]:
                del out[change.array]
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
        elif isinstance(change, Remove):
            entries = doc[change.array]
            if len(entries) == 1:
                del doc[change.array]
            else:
                del entries[change.at]
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


def _insert_table(doc: tomlkit.TOMLDocument, key: str, table: Table | AoT) -> None:
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
        if array in APPENDED or not any(isinstance(item, AoT) for _, item in doc.body):
            doc.append(array, aot)
        else:  # a new [[contacts]] goes before history, log …, as format rule 5 wants
            table.trivia.indent = ""
            _insert_table(doc, array, aot)
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
