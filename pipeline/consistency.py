"""What a merge can leave behind that is valid TOML yet wrong, found without git.

- Conflict markers (``<<<<<<<``) left in a file: git's or the merge driver's.
- A ``stage`` that disagrees with the last ``[[history]]`` entry: a merge, or a person
  settling a conflict, kept one side's stage while the history holds the other side's move.
  "Last" is in file order: the CLI and the board append moves (a backdated one too), and the
  merge driver inserts the other side's entries in date order.
- The same ``[[history]]`` entry twice: two sides recorded the same move.

Pure: text and parsed data in, `Problem`s out, each saying how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

from .lines import toml_lines
from .locate import key_position
from .problems import Problem, Severity, excerpt_at, printable

_MARKER = re.compile(r"^<{7}(?: |\r?$)", re.M)
RESOLVE_HINT = "settle it with `tuiboard resolve {id}` (or keep one side by hand and `git add` the file)"


def conflict_markers(text: str, path: Path) -> list[Problem]:
    """One error per ``<<<<<<<`` line: the start of an unsettled conflict."""
    if "<<<<<<<" not in text:
        return []
    lines = toml_lines(text)
    out = []
    for m in _MARKER.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        message = "unresolved merge conflict (git conflict markers); " + RESOLVE_HINT.format(
            id=printable(path.stem)
        )
        out.append(Problem(path, line, 1, Severity.ERROR, message, excerpt_at(lines[line - 1], 1, 1)))
    return out


def _day(value: Any) -> str | None:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()[:10]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    return None


def history_problems(
    text: str, data: dict[str, Any], path: Path, stages: Collection[str] | None = None
) -> list[Problem]:
    """A stage the last history entry contradicts, and history entries written twice.
    Entries naming a stage not in ``stages`` are reported elsewhere and do not count."""
    history = data.get("history")
    if not isinstance(history, list):
        return []
    out: list[Problem] = []
    seen: list[dict[str, Any]] = []
    last: tuple[str, str] | None = None  # (day, stage) of the last dated entry
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            continue
        if any(entry == earlier and _same_types(entry, earlier) for earlier in seen):
            out.append(
                _at(
                    text,
                    path,
                    ("history", i),
                    "this history entry is written twice (a merge recorded the same move from both sides);"
                    " delete one of the two",
                )
            )
        seen.append(entry)
        day, stage = _day(entry.get("date")), entry.get("stage")
        known = isinstance(stage, str) and (stages is None or stage in stages)
        if day is not None and known:
            last = (day, stage)  # type: ignore[assignment]
    stage = data.get("stage")
    if last is not None and isinstance(stage, str) and stage != last[1]:
        day, moved = last
        out.append(
            _at(
                text,
                path,
                ("stage",),
                f"stage is {printable(stage)!r} but the last history entry ({day}) moved it to"
                f" {printable(moved)!r}; set stage = {printable(moved)!r}, or record the move you mean"
                f" with `tuiboard move {printable(path.stem)} {printable(stage)}`",
            )
        )
    return out


def _same_types(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(type(a[k]) is type(b[k]) for k in a)


def _at(text: str, path: Path, keys: tuple[Any, ...], message: str) -> Problem:
    line, col = key_position(text, keys)
    lines = toml_lines(text)
    excerpt = excerpt_at(lines[line - 1], 1, col) if 1 <= line <= len(lines) else ""
    return Problem(path, line, col, Severity.WARNING, message, excerpt)
