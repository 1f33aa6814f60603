"""`u`: put back the bytes a board edit replaced, through the same fingerprint check as every
write, so it never undoes someone else's later edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import actions
from pipeline.edit import WriteResult
from pipeline.errors import ConflictError, TuiboardError
from pipeline.store import Board, Store

if TYPE_CHECKING:
    from .base import BoardBase


@dataclass(frozen=True, slots=True)
class Undo:
    customer_id: str
    path: Path
    before: bytes | None  # None: the edit created the file
    after: bytes
    what: str


def remember(screen: BoardBase, result: WriteResult, what: str) -> None:
    c = result.customer
    screen.undo_stack.append(Undo(c.id, c.path, result.before, result.after, what))


async def undo_last(screen: BoardBase) -> None:
    async with screen.writing:  # a write still on the store thread first keeps its entry
        await _undo_last(screen)


async def _undo_last(screen: BoardBase) -> None:
    host = screen.host
    if not screen.undo_stack:
        host.say(host.labels("toast.nothing_to_undo"), "warning")
        return
    entry = screen.undo_stack.pop()
    if not isinstance(entry, Undo):  # a bulk write's batch (board/bulk.py imports this module)
        from .bulk import undo

        await undo(screen, entry)
        return
    try:
        board = await host.in_store(_restore, host.store, entry)
    except ConflictError as exc:
        host.say(host.labels.reason(exc), "warning")
        return
    except TuiboardError as exc:
        host.say(host.labels.reason(exc), "error")
        return
    await screen.take(board)
    screen.focus_customer(entry.customer_id)  # the next key acts on the customer put back
    host.say(host.labels("toast.undone", what=entry.what))


def _restore(store: Store, entry: Undo) -> Board:
    """On the store thread."""
    actions.undo(store, entry.path, entry.before, entry.after)
    return store.board()
