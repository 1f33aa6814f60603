"""What the board shows, computed from a `Board`: cards per stage in sort order, and the sums.

Pure functions of (board, filter, sort, today); the widgets only draw the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline import rules
from pipeline.model import Customer
from pipeline.query import Filter, sort_key
from pipeline.store import Board
from pipeline.views import SORT_IDS as SORTS


def next_sort(sort: str) -> str:
    return SORTS[(SORTS.index(sort) + 1) % len(SORTS)] if sort in SORTS else SORTS[0]


@dataclass(frozen=True, slots=True)
class Totals:
    count: int = 0
    amount: float = 0.0
    weighted: float = 0.0


@dataclass(frozen=True, slots=True)
class BoardView:
    columns: dict[str, list[Customer]]  # stage id -> cards, sorted; every configured stage
    sums: dict[str, Totals]  # stage id -> the column header's figures
    shown: int  # customers that pass the filter
    total: int  # customers on the board
    open_amount: float
    weighted: float
    overdue: int
    problems: int  # files with problems
    errors: int  # files with errors


def build_view(board: Board, flt: Filter, sort: str, today: date) -> BoardView:
    """One pass to sort customers into columns, then per column: its sums, and the order.

    Whether a card is open is a property of its column, so it is looked up once per stage.
    """
    config = board.config
    columns: dict[str, list[Customer]] = {s.id: [] for s in config.stages}
    active = flt.active
    for c in board.customers.values():
        if active and not flt.matches(c, config, today):
            continue
        cards = columns.get(c.stage)
        if cards is not None:  # else a stage the config does not know: the file has a problem already
            cards.append(c)
    sums: dict[str, Totals] = {}
    open_amount = weighted = 0.0
    overdue = 0
    key = sort_key(sort, config, today)
    for stage in config.stages:
        cards = columns[stage.id]
        amount = sum(c.amount or 0.0 for c in cards)
        stage_weighted = sum(rules.weighted_amount(c, config) for c in cards)
        sums[stage.id] = Totals(len(cards), amount, stage_weighted)
        if stage.kind == "open":
            open_amount += amount
            weighted += stage_weighted
            overdue += sum(1 for c in cards if rules.is_overdue(c, config, today))
        cards.sort(key=key)
    files = board.problems_by_file
    return BoardView(
        columns,
        sums,
        sum(len(v) for v in columns.values()),
        len(board.customers),
        open_amount,
        weighted,
        overdue,
        len(files),
        sum(1 for ps in files.values() if any(p.is_error for p in ps)),
    )
