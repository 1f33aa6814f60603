"""A customer's canonical text: what new files and `fmt` write (docs/format.md, rule 5)."""

from __future__ import annotations

import re
from typing import Any

import tomli_w

from .model import APPENDED, KEY_ORDER, TABLE_ORDER


def canonical_order(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in the format's order: known scalars, other scalars, tables, appended arrays."""
    ordered: dict[str, Any] = {k: data[k] for k in KEY_ORDER if k in data}
    rest = [k for k in data if k not in ordered and k not in TABLE_ORDER and k not in APPENDED]
    scalars = [k for k in rest if not isinstance(data[k], dict) and not _is_aot(data[k])]
    tables = [k for k in rest if k not in scalars]
    for key in scalars:
        ordered[key] = data[key]
    for key in (*(k for k in TABLE_ORDER if k in data), *tables, *(k for k in APPENDED if k in data)):
        ordered[key] = data[key]
    return ordered


def _is_aot(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dump_customer(data: dict[str, Any]) -> str:
    """Canonical text of a customer: UTF-8, LF, trailing newline, keys in the format's order.

    tomli-w writes short arrays of tables inline; the appended arrays are written as
    ``[[history]]`` blocks instead, so that each entry is its own lines in a diff.
    """
    ordered = canonical_order(data)
    blocks = {k: v for k, v in ordered.items() if _is_flat_aot(v)}
    text = tomli_w.dumps({k: v for k, v in ordered.items() if k not in blocks})
    for key, entries in blocks.items():
        for entry in entries:
            text += f"\n[[{toml_key(key)}]]\n" + tomli_w.dumps(entry)
    return text.lstrip("\n")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it is ASCII letters, digits, ``_`` and ``-`` only,
    else a quoted string (``"拜访记录"``, ``"visits.2025"``, ``""``), as tomli-w quotes them."""
    if _BARE_KEY.fullmatch(key):
        return key
    return tomli_w.dumps({key: 0}).rsplit(" = ", 1)[0]


def _is_flat_aot(value: Any) -> bool:
    return _is_aot(value) and not any(isinstance(v, dict | list) for e in value for v in e.values())


def has_comments(text: str) -> bool:
    """Does the TOML text hold a comment, i.e. a ``#`` outside every string?"""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            return True
        if ch in "\"'":
            triple = text.startswith(ch * 3, i)
            end_mark = ch * 3 if triple else ch
            i += len(end_mark)
            while i < n and not text.startswith(end_mark, i):
                if ch == '"' and text[i] == "\\":
                    i += 1
                elif not triple and text[i] == "\n":
                    break  # an unterminated string; tomllib reports it
                i += 1
            i += len(end_mark)
            continue
        i += 1
    return False
