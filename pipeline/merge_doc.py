"""The document side of `pipeline.merge`: paths through tables and entries of a tomlkit
document, set or deleted so that comments stay with what they describe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.items import AoT, Item, Table, Whitespace
from tomlkit.items import Comment as TomlComment

from .changes import pop_trailing


class Unmergeable(Exception):
    """The file cannot be merged field by field; it becomes one conflict."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class Put:
    """Set, or delete (no value), what a path names; paths may pass through entries: ("log", 2)."""

    path: tuple[str | int, ...]
    value: Any = MISSING

    def apply_plain(self, data: dict[str, Any]) -> None:
        """In place: ``data`` is a copy the merge owns."""
        parent = walk(data, self.path[:-1])
        if self.value is MISSING:
            del parent[self.path[-1]]
        else:
            parent[self.path[-1]] = unwrap(self.value)

    def apply_document(self, doc: tomlkit.TOMLDocument) -> None:
        parent, last = walk(doc, self.path[:-1]), self.path[-1]
        if self.value is not MISSING:
            parent[last] = self.value
            return
        item = parent[last]
        if isinstance(item, Table) and isinstance(parent, AoT) and isinstance(last, int):
            _hand_over(item, parent[last - 1] if last else _table_before(doc, parent))
            if last == 0 and len(parent) > 1:  # the next entry takes the removed one's spacing
                parent[1].trivia.indent = item.trivia.indent
        elif isinstance(item, Table):
            _hand_over(item, _table_before(doc, item) if parent is doc else None)
        del parent[last]


def _hand_over(removed: Table, before: Table | None) -> None:
    """Comments after a removed table belong to what follows it: keep them, after ``before``."""
    trailing = pop_trailing(removed)
    if not any(isinstance(item, TomlComment) for item in trailing):
        return
    if before is None:
        raise Unmergeable("removing a table would lose the comment after it")
    body = before.value.body
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        body.pop()
    for item in trailing:
        before.add(item)


def _table_before(doc: tomlkit.TOMLDocument, item: Item) -> Table | None:
    """The table whose body ends just before a top-level table or array of tables."""
    pos = next((i for i, (_, it) in enumerate(doc.body) if it is item), 0)
    before = doc.body[pos - 1][1] if pos else None
    if isinstance(before, AoT) and len(before):
        return before[-1]
    return before if isinstance(before, Table) else None


def item_at(doc: tomlkit.TOMLDocument, path: tuple[str | int, ...]) -> Any:
    node: Any = doc
    for key in path:
        if isinstance(node, list):
            found = isinstance(key, int) and key < len(node)
        else:
            found = isinstance(node, dict) and key in node
        if not found:
            return None
        node = node[key]
    return node


def raw_text(doc: tomlkit.TOMLDocument, path: tuple[str, ...]) -> str:
    """A value as written, e.g. ``250_000`` or ``"张伟"``."""
    item = item_at(doc, path)
    if not isinstance(item, Item):
        raise Unmergeable(f"cannot find {'.'.join(path)} to mark the conflict")
    return item.as_string()


def walk(node: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def unwrap(value: Any) -> Any:
    return value.unwrap() if isinstance(value, Item) else value
