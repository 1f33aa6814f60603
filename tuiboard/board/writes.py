"""One board write: `pipeline.actions` on the store thread, then the undo entry, the new board
on screen, a toast and the user's ``on-*`` hooks.

A file changed on disk since the board read it is not overwritten (`ConflictError`): the
board reloads it instead and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Literal

from pipeline import actions
from pipeline.duplicates import similar
from pipeline.edit import WriteResult
from pipeline.errors import ConflictError, TuiboardError
from pipeline.model import Customer
from pipeline.store import Board, Store

from ..benchlog import bench_mark
from ..hookcalls import hook_failures
from ..textout import safe
from .undo import remember

if TYPE_CHECKING:
    from .base import BoardBase

Write = Callable[[], WriteResult]
# written; not written because the file changed on disk since the board read it (now
# reloaded); not written for another reason (said)
Outcome = Literal["written", "conflict", "refused"]


async def write(
    screen: BoardBase,
    customer: Customer,
    fn: Write,
    done: str,
    events: tuple[str, ...] = (),
    *,
    follow: bool = False,
) -> Outcome:
    """Run ``fn`` (a `pipeline.actions` call for ``customer``). ``events``: the ``on-*``
    hooks to run after it (as the CLI does). ``follow``: the focus goes with the card (a
    move), before the hooks run, so the next key acts where the rep sees the card."""
    host = screen.host
    async with screen.writing:
        try:
            result, board = await host.in_store(_written, host.store, fn)
        except ConflictError as exc:
            host.say(host.labels("toast.reloaded_not_written", why=host.labels.reason(exc)), "warning")
            reloaded = await host.reload_paths(customer.path, announce=False)
            await screen.show(reloaded.board)
            return "conflict"
        except TuiboardError as exc:
            host.say(host.labels.reason(exc), "error")
            return "refused"
        remember(screen, result, done)
        await screen.take(board)  # on the screen before the lock goes (`BoardBase.settled`)
        if follow:
            screen.follow(result.customer.id)
    host.say(done)
    await run_hooks(screen, result.customer.id, events)
    return "written"


async def create(screen: BoardBase, values: actions.Fields) -> None:
    """A new customer from the form's ``values``; the card is selected, ``on-new`` runs."""
    host = screen.host
    async with screen.writing:
        try:
            result, board = await host.in_store(_created, host.store, values, screen.today)
        except TuiboardError as exc:
            host.say(host.labels.reason(exc), "error")
            return
        remember(screen, result, host.labels("toast.undo_new"))
        await screen.take(board)
        screen.follow(result.customer.id)
    name = safe(result.customer.path.name)
    others = (c for c in board.customers.values() if c.id != result.customer.id)
    alike = similar(result.customer.name, others, limit=1)  # the form said so as it was typed
    if alike:
        host.say(host.labels("toast.created_similar", name=name, other=safe(alike[0].name)), "warning")
    else:
        host.say(host.labels("toast.created", name=name))
    await run_hooks(screen, result.customer.id, ("on-new",))


async def run_hooks(screen: BoardBase, customer_id: str, events: tuple[str, ...]) -> None:
    """The user's ``on-*`` hooks (~/.config/tuiboard/hooks, never the folder's), on the
    store thread; a failing hook is said, the write stands."""
    host = screen.host
    board = host.board
    customer = board.customers.get(customer_id) if board else None
    if not events or board is None or customer is None:
        return
    for line in await host.in_store(hook_failures, board, customer, events):
        host.say(line, "warning")


def _written(store: Store, fn: Write) -> tuple[WriteResult, Board]:
    """On the store thread."""
    result = fn()
    bench_mark("written")
    return result, store.board()


def _created(store: Store, values: actions.Fields, today: date) -> tuple[WriteResult, Board]:
    """On the store thread."""
    result = actions.new_customer(store, values, today)
    return result, store.board()
