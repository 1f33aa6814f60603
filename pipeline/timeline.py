"""A customer's stage history as spans: how long it stayed in each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import Customer


@dataclass(frozen=True, slots=True)
class StageSpan:
    stage: str
    start: date
    end: date | None  # None: the last entry, counted until today
    days: int


def stage_spans(customer: Customer, today: date) -> list[StageSpan]:
    """One span per history entry, in date order; each lasts until the next entry's date.

    The last entry is open-ended and counts until ``today`` (an entry dated in the future
    counts 0 days).
    """
    entries = sorted(customer.history, key=lambda h: h.date)  # stable: same-day moves keep file order
    spans = []
    for i, entry in enumerate(entries):
        end = entries[i + 1].date if i + 1 < len(entries) else None
        days = ((end or today) - entry.date).days
        spans.append(StageSpan(entry.stage, entry.date, end, max(0, days)))
    return spans
