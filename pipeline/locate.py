"""Find where a key sits in TOML text, so schema problems can name a line and column.

tomllib returns plain data without positions; schema problems are rare, so a light line
scan on demand is cheaper than a position-tracking parser on every load.
"""

from __future__ import annotations

import re

from .lines import toml_lines

_KEY = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*[=.]""")


def _header_parts(inner: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in inner.split("."))


KeyIndex = dict[tuple[object, ...], tuple[int, int, str]]


def index_keys(text: str) -> KeyIndex:
    """Every key and header in ``text`` -> (line, column, line text) where it first appears.

    One scan per file: a file with thousands of schema problems then costs one scan, not
    one per problem (which took minutes for a 600 KB file).
    """
    index: KeyIndex = {}
    current: tuple[object, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    for lineno, line in enumerate(toml_lines(text), 1):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped.startswith("[["):
            end = stripped.find("]]")
            parts = _header_parts(stripped[2 : end if end > 0 else None])
            idx = counts.get(parts, 0)
            counts[parts] = idx + 1
            current = (*parts, idx)
            here: tuple[object, ...] = current
        elif stripped.startswith("["):
            end = stripped.find("]")
            current = _header_parts(stripped[1 : end if end > 0 else None])
            here = current
        else:
            m = _KEY.match(line)
            if not m:
                continue
            name = next(g for g in m.groups() if g is not None)
            here = (*current, name)
            indent = m.start(m.lastindex or 1) - (1 if m.group(1) or m.group(2) else 0)
        index.setdefault(here, (lineno, indent + 1, line))
    return index


def key_position(text: str, keys: tuple[object, ...], index: KeyIndex | None = None) -> tuple[int, int]:
    """(line, column), 1-based, of ``keys`` such as ``("next", "due")`` or ``("history", 2)``.

    Integers index arrays of tables. Falls back to the nearest enclosing key or header,
    and to (1, 1) when nothing matches. Pass ``index_keys(text)`` to look up many keys.
    """
    if not keys:
        return 1, 1
    target = tuple(keys)
    if index is None:
        index = index_keys(text)
    for depth in range(len(target), 0, -1):
        found = index.get(target[:depth])
        if found is None:
            continue
        lineno, column, line = found
        rest = target[depth:]
        if rest and isinstance(rest[0], str):
            column = _find_word(line, rest[0]) or column
        return lineno, column
    return 1, 1


def _find_word(line: str, word: str) -> int:
    m = re.search(rf"(?<![\w-]){re.escape(word)}\s*=", line)
    return m.start() + 1 if m else 0
