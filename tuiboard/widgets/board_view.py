"""What the board shows, computed from a `Board`: cards per stage in sort order, and the sums.

Pure functions of (board, filter, sort, today); the widgets only draw the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from pipeline import rules
from pipeline.config import Config
from pipeline.model import Customer
from pipeline.query import Filter
from pipeline.store import Board

SortKey = Callable[[Customer], tuple[object, ...]]
# (id, Chinese label, English label); the first is Pipedrive's order.
SORTS: tuple[tuple[str, str, str], ...] = (
    ("due", "到期", "due"),
    ("amount", "金额", "amount"),
    ("probability", "成功率", "probability"),
    ("name", "名称", "name"),
    ("days", "停留天数", "days in stage"),
)


def sort_key(sort: str, config: Config, today: date) -> SortKey:
    if sort == "amount":
        return lambda c: (-(c.amount or 0.0), c.name)
    if sort == "probability":
        return lambda c: (-rules.effective_probability(c, config), c.name)
    if sort == "name":
        return lambda c: (c.name.casefold(), c.id)
    if sort == "days":
        return lambda c: (-(rules.days_in_stage(c, today) or 0), c.name)
    return lambda c: rules.card_sort_key(c, today)


def next_sort(sort: str) -> str:
    ids = [s[0] for s in SORTS]
    return ids[(ids.index(sort) + 1) % len(ids)] if sort in ids else ids[0]


def sort_label(sort: str, english: bool) -> str:
    for sid, zh, en in SORTS:
        if sid == sort:
            return en if english else zh
    return sort


@dataclass(frozen=True, slots=True)
class Totals:
    count: int = 0
    amount: float = 0.0
    weighted: float = 0.0


def totals(customers: list[Customer], config: Config) -> Totals:
    return Totals(
        len(customers),
        sum(c.amount or 0.0 for c in customers),
        sum(rules.weighted_amount(c, config) for c in customers),
    )


@dataclass(frozen=True, slots=True)
class BoardView:
    columns: dict[str, list[Customer]]  # stage id -> cards, sorted; every configured stage
    shown: int  # customers that pass the filter
    total: int  # customers on the board
    open_amount: float
    weighted: float
    overdue: int
    problems: int  # files with problems
    errors: int  # files with errors


def build_view(board: Board, flt: Filter, sort: str, today: date) -> BoardView:
    config = board.config
    columns: dict[str, list[Customer]] = {s.id: [] for s in config.stages}
    open_amount = weighted = 0.0
    overdue = 0
    active = flt.active
    for c in board.customers.values():
        if active and not flt.matches(c, config, today):
            continue
        cards = columns.get(c.stage)
        if cards is None:  # a stage the config does not know: the file has a problem already
            continue
        cards.append(c)
        if rules.is_open(c, config):
            open_amount += c.amount or 0.0
            weighted += rules.weighted_amount(c, config)
            if rules.due_status(c, today) is rules.DueStatus.OVERDUE:
                overdue += 1
    key = sort_key(sort, config, today)
    for cards in columns.values():
        cards.sort(key=key)
    files = board.problems_by_file
    return BoardView(
        columns,
        sum(len(v) for v in columns.values()),
        len(board.customers),
        open_amount,
        weighted,
        overdue,
        len(files),
        sum(1 for ps in files.values() if any(p.is_error for p in ps)),
    )
