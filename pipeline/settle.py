"""Settling one conflicted customer file, field by field: what conflicts, and the result.

The conflicting fields are the ones the merge driver itself reports. A pick makes both
sides agree on that field (ours takes their value, or theirs takes ours); the driver then
merges the two cleanly, so everything else is merged exactly as it would have been.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any, Literal

import tomlkit

from .edit import SetKey, apply_document
from .merge import MISSING, merge_customer

Side = Literal["ours", "theirs"]
WHOLE = "*"  # the pick that takes one side's whole file


class SettleError(Exception):
    """The picks do not settle the file; nothing was written."""


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str  # "amount", "next.due"
    base: Any  # MISSING when that side has no such key
    ours: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class Conflict:
    base: bytes | None  # None: the file is not there on that side
    ours: bytes | None
    theirs: bytes | None
    fields: tuple[FieldConflict, ...]  # empty when only the whole file can be picked
    reason: str = ""  # why only the whole file can be picked

    @property
    def whole_file(self) -> bool:
        return not self.fields


def _data(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _get(data: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def find_conflict(base: bytes | None, ours: bytes | None, theirs: bytes | None) -> Conflict:
    """What the driver cannot merge in these three versions."""
    if ours is None or theirs is None:
        gone = "ours" if ours is None else "theirs"
        return Conflict(base, ours, theirs, (), f"{gone} deleted the file, the other side changed it")
    result = merge_customer(base or b"", ours, theirs)
    sides = [_data(raw) for raw in (base, ours, theirs)]
    fields = []
    for name in result.conflicts:
        path = tuple(name.split("."))
        values = [_get(d, path) for d in sides]
        if sides[1] is None or sides[2] is None or all(v is MISSING for v in values[1:]):
            return Conflict(base, ours, theirs, (), name)
        fields.append(FieldConflict(name, *values))
    if not fields and not result.clean:
        return Conflict(base, ours, theirs, (), "the file cannot be merged field by field")
    return Conflict(base, ours, theirs, tuple(fields))


def settle(conflict: Conflict, picks: dict[str, Side]) -> bytes | None:
    """The settled file (None: deleted). Every conflicting field must be picked, or the
    whole file with ``picks[WHOLE]``."""
    if WHOLE in picks:
        return conflict.ours if picks[WHOLE] == "ours" else conflict.theirs
    if conflict.whole_file:
        raise SettleError(f"only the whole file can be picked here: {conflict.reason}")
    missing = [f.field for f in conflict.fields if f.field not in picks]
    if missing:
        raise SettleError(f"no pick for {', '.join(missing)}")
    assert conflict.ours is not None and conflict.theirs is not None
    ours, theirs = conflict.ours, conflict.theirs
    for f in conflict.fields:
        path = tuple(f.field.split("."))
        if picks[f.field] == "theirs":
            ours = _put(ours, path, f.theirs)
        else:
            theirs = _put(theirs, path, f.ours)
    result = merge_customer(conflict.base or b"", ours, theirs)
    if not result.clean:
        raise SettleError(f"still conflicting after the picks: {', '.join(result.conflicts)}")
    return result.data


def _put(raw: bytes, path: tuple[str, ...], value: Any) -> bytes:
    """``raw`` with ``path`` set to ``value`` (deleted for MISSING), formatting kept."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    doc = tomlkit.parse(raw.decode("utf-8-sig"))
    if value is MISSING:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    else:
        apply_document(doc, [SetKey(path, value)])
    return (b"\xef\xbb\xbf" if bom else b"") + tomlkit.dumps(doc).encode("utf-8")
