"""The customers as they stood on the report's day, each with what the metrics read of it.

Every per-customer value comes from `pipeline.rules` / `pipeline.history_rules` (the rules the
board, the card, `show` and `list` use); the metric modules only count, sum and group rows.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .. import history_rules, rules
from ..config import Config
from ..model import Customer


@dataclass(frozen=True, slots=True)
class Row:
    """One customer on the day: ``customer`` is `history_rules.as_of` (stage and history
    rewound; every other field today's value)."""

    customer: Customer
    kind: str  # open / won / lost (`rules.stage_kind`)
    weighted: float  # `rules.weighted_amount`
    stale: bool  # `rules.is_stale`
    overdue: bool  # `rules.is_overdue`
    tier: str | None  # `rules.effective_tier`

    @property
    def amount(self) -> float:
        """The amount, 0 when the file has none (what sums count)."""
        return self.customer.amount or 0.0


class Snapshot:
    """The rows of the customers that existed on ``as_of``, and the config's stage names."""

    def __init__(self, customers: Sequence[Customer], config: Config, as_of: date) -> None:
        self.config = config
        self.as_of = as_of
        self.stage_ids = list(config.stage_ids)
        self.path = config.path
        self.open_ids = [s.id for s in config.open_stages]
        self.won_ids = frozenset(s.id for s in config.stages if s.kind == "won")
        self.label = {s.id: s.label for s in config.stages}
        self.rows = [row(c, config, as_of) for c in _existing(customers, as_of)]

    def stage_records(self, counts: dict[str, int]) -> list[dict[str, object]]:
        return [{"stage": s, "label": self.label[s], "count": counts.get(s, 0)} for s in self.stage_ids]


def row(customer: Customer, config: Config, day: date) -> Row:
    return Row(
        customer=customer,
        kind=rules.stage_kind(customer, config),
        weighted=rules.weighted_amount(customer, config),
        stale=rules.is_stale(customer, config, day),
        overdue=rules.is_overdue(customer, config, day),
        tier=rules.effective_tier(customer, config),
    )


def _existing(customers: Iterable[Customer], day: date) -> Iterable[Customer]:
    for c in customers:
        past = history_rules.as_of(c, day)
        if past is not None:
            yield past


def rate(num: float, den: float) -> float | None:
    return None if not den else round(num / den, 3)


def money(values: Iterable[float]) -> float:
    return round(math.fsum(values), 2)


def median_mean(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Median and mean to one decimal; None for no values."""
    if not values:
        return None, None
    return round(float(statistics.median(values)), 1), round(math.fsum(values) / len(values), 1)


def finding(code: str, severity: str, stage: str | None, message: str) -> dict[str, object]:
    return {"code": code, "severity": severity, "stage": stage, "message": message}
