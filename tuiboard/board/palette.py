"""The command palette finds customers too (by `pipeline.search`); a pick focuses the card."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import Hit, Hits, Provider

from pipeline import search
from pipeline.problems import printable

from ..screens.jump import LIMIT, describe
from .base import BoardBase


class CustomerCommands(Provider):
    """In the board screen's COMMANDS: ``self.screen`` is the board."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, BoardBase) or screen.board is None or not query.strip():
            return
        board = screen.board
        for customer in search.rank(board.customers.values(), query, LIMIT):
            yield Hit(
                search.score(customer, query) / 100,
                describe(customer, board.config, screen.host.labels),
                _focuser(screen, customer.id),
                text=printable(customer.name),
            )


def _focuser(screen: BoardBase, customer_id: str) -> Callable[[], object]:
    return lambda: screen.focus_customer(customer_id)
