"""$EDITOR from the board: ``E`` on a card, enter on a problem (``p``); the file is reloaded
when the editor returns."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from ..screens.problems import ProblemsScreen

if TYPE_CHECKING:
    from .base import BoardBase


def editor_command(path: Path) -> list[str]:
    """$VISUAL or $EDITOR (else vi) split as a shell would, then the file; ValueError with
    a one-line message when the variable cannot be split (an unbalanced quote)."""
    name = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
    value = os.environ.get(name) or "vi"
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise ValueError(f"${name} cannot be run: {exc} in {value!r}") from None
    if not words:
        raise ValueError(f"${name} names no program")
    return [*words, str(path)]


async def open_in_editor(screen: BoardBase, path: Path) -> None:
    """Hand the terminal to $VISUAL/$EDITOR, then reload the file."""
    host = screen.host
    try:
        command = editor_command(path)
    except ValueError as exc:
        host.say(str(exc), "error")
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


async def problems(screen: BoardBase) -> None:
    """The problems panel; enter opens the chosen file in the editor."""
    board = screen.host.board
    if board is None:
        return
    path = await screen.app.push_screen_wait(ProblemsScreen(board.problems, screen.host.root))
    if path is not None:
        await open_in_editor(screen, path)
