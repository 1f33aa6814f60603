"""Marked cards and what the board says after a bulk write: no widgets here, so it is unit-tested.

Marks are customer ids, so they survive reloads and re-sorting; a customer whose file is
gone (or who the filter hides) drops out of the marks the next time they are used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pipeline.model import Customer
from pipeline.problems import printable

from .labels import Labels
from .textout import safe

if TYPE_CHECKING:
    from pipeline.actions import BulkResult  # the write path: not loaded to draw the board

MAX_REFUSALS_SHOWN = 3  # the toast names the first few; the rest are counted


class Marks:
    """The ids of the marked cards, in the order they were marked."""

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}

    def __contains__(self, customer_id: object) -> bool:
        return customer_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def toggle(self, customer_id: str) -> bool:
        """Mark or unmark one card; True when it is now marked."""
        if customer_id in self._ids:
            del self._ids[customer_id]
            return False
        self._ids[customer_id] = None
        return True

    def toggle_all(self, customer_ids: Iterable[str]) -> bool:
        """Mark every one of these, or unmark them all when all already are; True when marked."""
        ids = list(customer_ids)
        if ids and all(i in self._ids for i in ids):
            for i in ids:
                del self._ids[i]
            return False
        self._ids.update(dict.fromkeys(ids))
        return bool(ids)

    def clear(self) -> int:
        """Unmark everything; how many were marked."""
        count = len(self._ids)
        self._ids.clear()
        return count

    def customers(self, shown: Mapping[str, Customer]) -> list[Customer]:
        """The marked customers still on the board (``shown``: id -> customer), in marking
        order; the others are unmarked."""
        gone = [i for i in self._ids if i not in shown]
        for i in gone:
            del self._ids[i]
        return [shown[i] for i in self._ids]


def summary(result: BulkResult, done: str, words: Labels) -> str:
    """One line for the toast: ``3 moved, 1 refused: Acme: …`` / ``已移动 3 个客户，1 个未成功：…``.

    ``done`` is the catalog key of what was done, ``{n}`` the count: ``bulk.moved``.
    """
    refused = len(result.refused)
    line = words(done, n=len(result.written))
    if refused:
        line += words("bulk.refused", count=refused)
    reasons = [
        f"{safe(r.customer.name)}: {words.reason(r.error) if r.error else r.reason}"
        for r in result.refused[:MAX_REFUSALS_SHOWN]
    ]
    line += "; ".join(reasons)
    if refused > MAX_REFUSALS_SHOWN:
        line += words("bulk.more_refused", count=refused - MAX_REFUSALS_SHOWN)
    return printable(line)
