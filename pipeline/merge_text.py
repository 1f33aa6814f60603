"""Conflict markers and the line-based merge: the text side of `pipeline.merge`."""

from __future__ import annotations

import re
import secrets
from typing import Any, cast

import tomlkit
from tomlkit.items import Table

from .changes import pop_trailing
from .linediff import hunks
from .lines import toml_lines

MARKER = 7  # git's default conflict-marker size
TOKEN = re.compile(r"tuiboard-conflict-[0-9a-f]{16}")


def whole_file(ours: bytes, theirs: bytes) -> bytes:
    """Both sides as one conflict (a side that cannot be merged field by field)."""

    def ended(raw: bytes) -> bytes:
        return raw if not raw or raw.endswith(b"\n") else raw + b"\n"

    return (
        b"<" * MARKER + b" ours\n" + ended(ours) + b"=" * MARKER + b"\n" + ended(theirs)
        + b">" * MARKER + b" theirs\n"
    )  # fmt: skip


def merge_lines(base: str, ours: str, theirs: str) -> str | None:
    """A line-based three-way merge, when the two sides' changes neither overlap nor touch."""
    lines = toml_lines(base, keepends=True)
    changes = [hunk for side in (ours, theirs) for hunk in hunks(lines, toml_lines(side, keepends=True))]
    out: list[str] = []
    pos, last = 0, None
    for hunk in sorted(changes, key=lambda h: (h[0], h[1])):
        if last is not None and hunk[0] <= last[1]:
            if hunk == last:  # the same change on both sides
                continue
            return None
        out += lines[pos : hunk[0]] + hunk[2]
        pos, last = hunk[1], hunk
    return "".join(out + lines[pos:])


def new_token(*texts: str) -> str:
    """A placeholder for a conflict that none of the texts contains."""
    while True:
        token = f"tuiboard-conflict-{secrets.token_hex(8)}"
        if not any(token in text for text in texts):
            return token


def block(ours: str, theirs: str) -> str:
    return "<" * MARKER + " ours\n" + ours + "=" * MARKER + "\n" + theirs + ">" * MARKER + " theirs\n"


_BLOCK = re.compile(f"^{'<' * MARKER} ours\n(.*?)^{'=' * MARKER}\n(.*?)^{'>' * MARKER} theirs\n", re.S | re.M)


def resolve(text: str, side: int) -> str:
    """Every conflict block settled for one side (0 ours, 1 theirs), as a person would."""
    return _BLOCK.sub(lambda m: m.group(1 + side), text)


def entry_text(name: str, entry: Table | dict[str, Any]) -> str:
    """One entry of an array of tables as it would be written alone: ``[[name]]`` and its
    keys, without the blank lines before it or the comments after it."""
    # tomlkit.item(dict) is a Table; its stubs also allow an InlineTable (an Array parent).
    table = entry if isinstance(entry, Table) else cast(Table, tomlkit.item(entry))
    pop_trailing(table)
    table.trivia.indent = ""
    doc = tomlkit.document()
    array = tomlkit.aot()
    array.append(table)
    doc.append(name, array)
    text = tomlkit.dumps(doc)
    return text if text.endswith("\n") else text + "\n"
