"""$EDITOR from the board: ``E`` on a card, enter on a problem (``p``, at its line); the
file is reloaded when the editor returns, and a file that now has problems says so at once."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from pipeline.problems import Problem

from ..screens.problems import ProblemsScreen

if TYPE_CHECKING:
    from .base import BoardBase


Place = Callable[[str, int, int], list[str]]  # (file, line, column) -> the editor's arguments


def _plus_line(file: str, line: int, column: int) -> list[str]:
    return [f"+{line}", file]


def _goto(file: str, line: int, column: int) -> list[str]:
    return ["--goto", f"{file}:{line}:{column}"]


# How each editor (by its program's name) opens a file at a line; any other gets the file alone.
AT_LINE: dict[str, Place] = {
    **dict.fromkeys(("vi", "vim", "nvim", "nano", "emacs", "micro", "kak", "hx"), _plus_line),
    **dict.fromkeys(("code", "codium"), _goto),
}


def editor_command(path: Path, line: int = 0, column: int = 0) -> list[str]:
    """$VISUAL or $EDITOR (else vi) split as a shell would, then the file (at ``line`` when
    given and the editor is in `AT_LINE`); ValueError with a one-line message when the
    variable cannot be split (an unbalanced quote)."""
    name = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
    value = os.environ.get(name) or "vi"
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise ValueError(f"${name} cannot be run: {exc} in {value!r}") from None
    if not words:
        raise ValueError(f"${name} names no program")
    place = AT_LINE.get(Path(words[0]).name)
    if line > 0 and place is not None:
        return [*words, *place(str(path), line, max(column, 1))]
    return [*words, str(path)]


async def open_in_editor(screen: BoardBase, path: Path, line: int = 0, column: int = 0) -> None:
    """Hand the terminal to $VISUAL/$EDITOR, then reload the file and say if it now has problems."""
    host = screen.host
    try:
        command = editor_command(path, line, column)
    except ValueError as exc:
        host.say(host.labels.reason(exc), "error")
        return
    try:
        try:
            with screen.app.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:  # headless (tests): the editor runs without a terminal
            subprocess.run(command, check=False, stdin=subprocess.DEVNULL, capture_output=True)
    except OSError as exc:
        host.say(f"{command[0]}: {exc.strerror or exc}", "error")
        return
    result = await host.reload_paths(path)
    await screen.show(result.board)
    _report_problems(screen, result.board.problems_by_file.get(path, []))


def _report_problems(screen: BoardBase, problems: list[Problem]) -> None:
    """The file's first problem, named by file:line:col, as soon as the editor returns."""
    if not problems:
        return
    host = screen.host
    first = min(problems, key=lambda p: (not p.is_error, p.line, p.column))
    more = len(problems) - 1
    where = f"{first.location(host.root)}: {first.message}"
    extra = host.labels("toast.more_problems", count=more) if more else ""
    host.say(
        host.labels("toast.file_problems", where=where) + extra,
        "error" if first.is_error else "warning",
    )


async def problems(screen: BoardBase) -> None:
    """The problems panel; enter opens the chosen file in the editor."""
    board = screen.host.board
    if board is None:
        return
    problem = await screen.app.push_screen_wait(ProblemsScreen(board.problems, screen.host.root))
    if problem is not None:
        await open_in_editor(screen, problem.path, problem.line, problem.column)
