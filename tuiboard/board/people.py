"""`C` and `P`: add a contact or a product to the selected customer (the same entries as
`tuiboard contact add` and `tuiboard product add`), through the one board write."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from pipeline import actions

from ..screens.contacts import ContactFormScreen, ProductFormScreen
from .writes import write

if TYPE_CHECKING:
    from .base import BoardBase

FORMS = {"contacts": ContactFormScreen, "products": ProductFormScreen}
DONE = {"contacts": "toast.contact_added", "products": "toast.product_added"}  # catalog keys


async def add_entry(screen: BoardBase, array: str) -> None:
    """Ask for a ``[[contacts]]`` or ``[[products]]`` entry, then write it (undo: `u`)."""
    host = screen.host
    customer = screen.need_selected()
    if customer is None:
        return
    entry = await screen.app.push_screen_wait(FORMS[array](customer.name))
    if entry is not None:
        fn = partial(actions.add_entry, host.store, customer, array, entry)
        await write(screen, customer, fn, host.labels(DONE[array]))
