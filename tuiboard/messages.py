"""What the app tells its screens: a new board from the store (a reload, a write, a load)."""

from __future__ import annotations

from typing import Literal

from textual.message import Message

from pipeline.store import Board


class BoardChanged(Message):
    """Posted to every screen on the stack when the app has a new `Board`.

    ``source``: the store's first load, a reload (the watcher's, or after $EDITOR or a
    conflict), or one of the board's own writes.
    """

    def __init__(self, board: Board, source: Literal["load", "reload", "write"]) -> None:
        super().__init__()
        self.board = board
        self.source = source
