"""What the app tells its screens: a new board from the store (a reload, a write, a load);
keys held while a write was under way may go (`KeysDue`, to the app)."""

from __future__ import annotations

from typing import Literal

from textual.message import Message

from pipeline.store import Board

Source = Literal["load", "loading", "reload", "write"]


class BoardChanged(Message):
    """Posted to every screen on the stack when the app has a new `Board`.

    ``source``: the store's first load, a partial board of it (a cold start, while the rest
    parses: ``progress`` is (files parsed, files to parse)), a reload (the watcher's, or after
    $EDITOR or a conflict), or one of the board's own writes.
    """

    def __init__(self, board: Board, source: Source, progress: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.board = board
        self.source = source
        self.progress = progress


class KeysDue(Message):
    """The write that held the board's keys is on the screen: run them (`board/typeahead.py`)."""
