"""The edits that are not moves: new (``n``), edit (``e``), next action (``a``), log (``i``)
and, after a log, the next action due by the tier's cadence (the Pipedrive loop)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from pipeline import actions, rules

from ..screens.customer_form import Changes, CustomerFormScreen
from ..screens.log_entry import LogEntryScreen
from ..screens.next_action import NextActionScreen
from ..textout import safe
from .writes import create, write

if TYPE_CHECKING:
    from .base import BoardBase


async def new(screen: BoardBase) -> None:
    board = screen.host.board
    if board is None:
        return
    form = CustomerFormScreen(board.config, screen.today, existing=list(board.customers.values()))
    values = await screen.app.push_screen_wait(form)
    if values is not None:
        await create(screen, values)


async def edit(screen: BoardBase) -> None:
    """The form over the selected customer. Refused because the file changed on disk, it
    opens again over the reloaded file with what was typed, to check and save again."""
    host = screen.host
    customer, board = screen.need_selected(), host.board
    typed: Changes | None = None
    while customer is not None and board is not None:
        form = CustomerFormScreen(board.config, screen.today, customer, typed)
        values = await screen.app.push_screen_wait(form)
        if not values:
            if values is not None:
                host.say(host.labels("toast.nothing_changed"))
            return
        fn = partial(actions.set_fields, host.store, customer, values)
        name = safe(customer.name)
        if await write(screen, customer, fn, host.labels("toast.saved", name=name)) != "conflict":
            return
        typed, board = values, host.board
        customer = board.customers.get(customer.id) if board else None
        host.say(host.labels("toast.typed_kept"), "warning")


async def next_action(screen: BoardBase, customer_id: str | None = None, *, cadence: bool = False) -> None:
    """The selected customer's (or ``customer_id``'s) next action; ``cadence``: the due date
    starts at the cadence default (after a log), else at the current due."""
    host = screen.host
    board = host.board
    if board is None:
        return
    customer = screen.need_selected() if customer_id is None else board.customers.get(customer_id)
    if customer is None:
        return
    dialog = NextActionScreen(customer, board.config, screen.today, cadence=cadence)
    picked = await screen.app.push_screen_wait(dialog)
    if picked is not None:
        action, due = picked
        fn = partial(actions.next_action, host.store, customer, action, due)
        await write(screen, customer, fn, host.labels("toast.next_set"))


async def log(screen: BoardBase) -> None:
    """Log a contact, then ask what comes next (escape: nothing) while the deal is open."""
    host = screen.host
    customer = screen.need_selected()
    if customer is None:
        return
    entry = await screen.app.push_screen_wait(LogEntryScreen(customer.name, screen.today))
    if entry is None:
        return
    kind, note, when = entry
    fn = partial(actions.log, host.store, customer, kind, note, when)
    if await write(screen, customer, fn, host.labels("toast.logged"), ("on-log",)) != "written":
        return
    board = host.board
    logged = board.customers.get(customer.id) if board else None
    if logged is not None and board is not None and rules.is_open(logged, board.config):
        await next_action(screen, logged.id, cadence=True)
