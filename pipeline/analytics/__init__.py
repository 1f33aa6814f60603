"""Funnel analytics (domain.md section 5): every metric as plain records for JSON.

`Analysis(customers, config, as_of)` takes each customer as it stood on ``as_of``
(`history_rules.as_of`: a customer's stage as of D is its last history entry dated on or
before D; one whose history starts after D, or with no history and created after D, does not
exist yet). Only the stage and the log have a past; every other field (amount, next action,
owner ...) is today's value, and a report for a past date lists them under
``current_values``. The caller filters the customers first (`pipeline.query`).
Per-customer values come from `pipeline.rules` and `pipeline.history_rules` (`snapshot`);
the modules here count, sum and group: `funnel` (stages, conversion, win rate, time in
stage, trend), `forecast` (close months, amount buckets, sources), `health` (漏网率,
capacity, tier mix, shape). See docs/metrics.md for every metric and the seed it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ..config import Config
from ..model import Customer
from . import forecast as _forecast
from . import funnel as _funnel
from . import health as _health
from .forecast import bucket_records
from .health import CAPACITY_TEXT
from .periods import HalfMonth, month_ends
from .snapshot import Row, Snapshot, money

__all__ = ["CAPACITY_TEXT", "Analysis", "HalfMonth", "bucket_records", "month_ends"]

# Fields that have no history: as of a past date they are today's values (labelled so).
CURRENT_VALUE_FIELDS = ("amount", "probability", "expected_close", "next_action", "owner", "source", "tier")


class Analysis:
    """Every metric over ``customers`` as of ``as_of``; each method returns plain records."""

    def __init__(
        self, customers: Sequence[Customer], config: Config, as_of: date, today: date | None = None
    ) -> None:
        self.config = config
        self.as_of = as_of
        self.today = today or as_of  # a past as_of labels the fields that have no history
        self.snapshot = Snapshot(customers, config, as_of)
        self._leaks: dict[HalfMonth, list[dict[str, Any]]] = {}

    @property
    def rows(self) -> list[Row]:
        """One row per customer that existed on the day, in the order given."""
        return self.snapshot.rows

    def funnel(self) -> list[dict[str, Any]]:
        return _funnel.funnel(self.snapshot)

    def conversion(self) -> list[dict[str, Any]]:
        return _funnel.conversion(self.snapshot)

    def win_rate(self) -> dict[str, Any]:
        return _funnel.win_rate(self.snapshot)

    def time_in_stage(self) -> list[dict[str, Any]]:
        return _funnel.time_in_stage(self.snapshot)

    def trend(self) -> list[dict[str, Any]]:
        return _funnel.trend(self.snapshot)

    def forecast(self) -> list[dict[str, Any]]:
        return _forecast.forecast(self.snapshot)

    def sources_won(self) -> list[dict[str, Any]]:
        return _forecast.sources_won(self.snapshot)

    def sources_won_monthly(self) -> list[dict[str, Any]]:
        return _forecast.sources_won_monthly(self.snapshot)

    def amount_buckets(self, scope: str = "open") -> dict[str, Any]:
        return _forecast.amount_buckets(self.snapshot, scope)

    def leak_rate(self, period: HalfMonth | None = None) -> dict[str, Any]:
        """漏网率 of ``period`` (default: the half-month holding as_of)."""
        return self._leak_rates(period)[-1]

    def leak_trend(self, last: HalfMonth | None = None) -> list[dict[str, Any]]:
        return _health.leak_trend(self.snapshot, self._leak_rates(last))

    def _leak_rates(self, last: HalfMonth | None) -> list[dict[str, Any]]:
        """One pass over the customers for the 12 half-months up to ``last`` (asked three times
        by a report: the KPI, the reporting period and the trend)."""
        last = last or HalfMonth.of(self.as_of)
        if last not in self._leaks:
            self._leaks[last] = _health.leak_rates(self.snapshot, last)
        return self._leaks[last]

    def capacity(self) -> list[dict[str, Any]]:
        return _health.capacity(self.snapshot)

    def tier_mix(self) -> list[dict[str, Any]]:
        return _health.tier_mix(self.snapshot)

    def shape(self) -> list[dict[str, Any]]:
        return _health.shape(self.snapshot)

    def kpis(self) -> dict[str, Any]:
        """The charts screen's strip: open and weighted amount, win and leak rate, overdue, stale."""
        opens = [r for r in self.rows if r.kind == "open"]
        return {
            "open": len(opens),
            "open_amount": money(r.amount for r in opens),
            "weighted_amount": money(r.weighted for r in opens),
            "win_rate": self.win_rate()["rate"],
            "leak_rate": self.leak_rate()["rate"],  # the half-month holding as_of
            "overdue": sum(r.overdue for r in opens),
            "stale": sum(r.stale for r in opens),
        }

    def report(self, period: HalfMonth | None = None, buckets: str = "open") -> dict[str, Any]:
        """Everything `tuiboard report --json` prints (docs/metrics.md)."""
        return {
            "as_of": self.as_of.isoformat(),
            "customers": len(self.rows),
            "current_values": list(CURRENT_VALUE_FIELDS) if self.as_of < self.today else [],
            "kpis": self.kpis(),
            "funnel": self.funnel(),
            "conversion": self.conversion(),
            "win_rate": self.win_rate(),
            "time_in_stage": self.time_in_stage(),
            "forecast": self.forecast(),
            "sources_won": self.sources_won(),
            "sources_won_monthly": self.sources_won_monthly(),
            "amount_buckets": self.amount_buckets(buckets),
            "trend": self.trend(),
            "leak_rate": self.leak_rate(period),
            "leak_trend": self.leak_trend(period),
            "capacity": self.capacity(),
            "tier_mix": self.tier_mix(),
            "shape": self.shape(),
        }
