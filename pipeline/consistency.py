"""What a merge can leave behind that is valid TOML yet wrong, found without git.

- Conflict markers (``<<<<<<<``) left in a file: git's or the merge driver's.
- A ``stage`` that disagrees with the last ``[[history]]`` entry: a merge, or a person
  settling a conflict, kept one side's stage while the history holds the other side's move.
  The stage may match the last entry in file order (the CLI appends a backdated move) or the
  latest-dated one (a history written out of order by hand); the merge driver inserts the
  other side's entries in date order, so after a merge the two are the same entry.
- A ``[[history]]`` entry written twice in a row: the same move recorded from both sides
  (a move to the stage one is already in is refused, so it never means anything).

Pure: text and parsed data in, `Problem`s out, each saying how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from .lines import toml_lines
from .locate import KeyIndex, index_keys, key_position
from .problems import Problem, Severity, excerpt_at, printable

_MARKER = re.compile(r"<{7}(?: |$)")
MAX_REPORTED = 20  # markers or doubled entries listed per file: a pathological file shows the first
RESOLVE_HINT = "settle it with `tuiboard resolve {id}` (or keep one side by hand and `git add` the file)"


CONFLICT_MARKERS = "unresolved merge conflict"


def is_conflicted(problems: Iterable[Problem]) -> bool:
    """Does a file with these problems hold an unsettled git conflict (its markers)?"""
    return any(p.is_error and p.message.startswith(CONFLICT_MARKERS) for p in problems)


def conflict_markers(text: str, path: Path) -> list[Problem]:
    """One error per ``<<<<<<<`` line: the start of an unsettled conflict."""
    if "<<<<<<<" not in text:
        return []
    lines = toml_lines(text)
    out = []
    hint = RESOLVE_HINT.format(id=printable(path.stem))
    for line, src in enumerate(lines, 1):
        if _MARKER.match(src):
            message = f"{CONFLICT_MARKERS} (git conflict markers); " + hint
            out.append(Problem(path, line, 1, Severity.ERROR, message, excerpt_at(src, 1, 1)))
            if len(out) == MAX_REPORTED:
                break
    return out


def first_side(text: str) -> str:
    """``text`` with every conflict taken as its first side (git's "ours"), the lines outside
    them kept: what a conflicted file is shown as until it is settled (never written)."""
    out, part = [], "outside"
    for line in text.split("\n"):  # TOML lines end at \n only
        if part == "outside" and _MARKER.match(line):
            part = "first"
        elif part == "first" and line.startswith("|||||||"):
            part = "base"
        elif part in ("first", "base") and line.rstrip("\r") == "=======":
            part = "second"
        elif part == "second" and line.startswith(">>>>>>>"):
            part = "outside"
        elif part in ("outside", "first"):
            out.append(line)
    return "\n".join(out)


def _day(value: Any) -> str | None:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()[:10]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    return None


def history_problems(
    text: str, data: dict[str, Any], path: Path, stages: Collection[str] | None = None
) -> list[Problem]:
    """A stage the last history entry contradicts, and a history entry written twice in a row.
    Entries naming a stage not in ``stages`` are reported elsewhere and do not count."""
    history = data.get("history")
    if not isinstance(history, list):
        return []
    out: list[Problem] = []
    at = _Places(text, path)
    before: tuple[tuple[str, str, str], ...] | None = None  # the previous entry, as a key
    doubled = 0
    last: tuple[str, str] | None = None  # (day, stage) of the last dated entry in the file
    latest: tuple[str, str] | None = None  # (day, stage) of the last entry of the latest day
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            continue
        key = tuple(sorted((k, type(v).__name__, repr(v)) for k, v in entry.items()))
        if key == before and doubled < MAX_REPORTED:
            doubled += 1
            message = (
                "this history entry repeats the one before it (a merge recorded the same move from"
                " both sides); delete one of the two"
            )
            out.append(at.warning(("history", i), message))
        before = key
        day, stage = _day(entry.get("date")), entry.get("stage")
        if day is not None and isinstance(stage, str) and (stages is None or stage in stages):
            last = (day, stage)
            if latest is None or day >= latest[0]:
                latest = last
    stage = data.get("stage")
    if (
        last is not None
        and latest is not None
        and isinstance(stage, str)
        and stage not in (last[1], latest[1])
    ):
        day, moved = last
        out.append(
            at.warning(
                ("stage",),
                f"stage is {printable(stage)!r} but the last history entry ({day}) moved it to"
                f" {printable(moved)!r}; set stage = {printable(moved)!r}, or record the move you mean"
                f" with `tuiboard move {printable(path.stem)} {printable(stage)}`",
            )
        )
    return out


class _Places:
    """Problem positions in one file; the key index is built once, on the first problem."""

    def __init__(self, text: str, path: Path) -> None:
        self.text, self.path = text, path
        self._index: KeyIndex | None = None
        self._lines: list[str] = []

    def warning(self, keys: tuple[Any, ...], message: str) -> Problem:
        if self._index is None:
            self._index, self._lines = index_keys(self.text), toml_lines(self.text)
        line, col = key_position(self.text, keys, self._index)
        lines = self._lines
        excerpt = excerpt_at(lines[line - 1], 1, col) if 1 <= line <= len(lines) else ""
        return Problem(self.path, line, col, Severity.WARNING, message, excerpt)
