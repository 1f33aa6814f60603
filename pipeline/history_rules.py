"""Rules over a customer's stage history and log, as pure functions of (customer, config, day).

They answer what the report asks of one customer (domain.md section 6): what stage it was in
on a past day, how far along the path it got, how long each stage lasted, whether it was
contacted in a period, how long its sale took. History is read by date
(`rules.sorted_history`), never by file order. Analytics only groups and sums their answers.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Collection, Sequence
from datetime import date

from . import rules
from .config import Config
from .model import Customer, HistoryEntry

# The fields a report period's form must have (seed 000's 漏网率: 应填未填): report keys.
FORM_FIELDS = ("amount", "expected_close", "next_action", "next_due")


def as_of(customer: Customer, day: date) -> Customer | None:
    """The customer as it stood on ``day``: None before it existed (its first history entry,
    else ``created``; without either it always existed); else its stage is its last history
    entry on or before the day and its history stops there. Every other field has no past
    and keeps today's value. Unchanged customers are returned as they are."""
    history = rules.sorted_history(customer)
    if not history:
        return customer if customer.created is None or customer.created <= day else None
    if history[0].date > day:
        return None
    if history[-1].date <= day:
        return customer
    kept = tuple(h for h in history if h.date <= day)
    return dataclasses.replace(customer, stage=kept[-1].stage, history=kept)


def stages_on(customer: Customer, days: Sequence[date]) -> list[str | None]:
    """The stage on each of ``days`` (as `as_of` gives it), None before the customer existed;
    one sort of the history for all the days (a year's month ends, say)."""
    history = rules.sorted_history(customer)
    if not history:
        return [customer.stage if customer.created is None or customer.created <= d else None for d in days]
    first, last = history[0].date, history[-1].date
    dates = [h.date for h in history]
    out: list[str | None] = []
    for d in days:
        if d >= last:
            out.append(customer.stage)
        elif d < first:
            out.append(None)
        else:
            out.append(history[bisect_right(dates, d) - 1].stage)
    return out


def furthest_reached(customer: Customer, config: Config) -> int:
    """The furthest `Config.path_index` the customer reached: its stage now or any history entry."""
    return max(config.path_index(s) for s in (customer.stage, *(h.stage for h in customer.history)))


def path_entries(customer: Customer, config: Config) -> list[tuple[date, int, bool]]:
    """Each history entry on the path, by date: (date, path index, advanced), advanced when
    that entry or a later one went further along the path."""
    history = rules.sorted_history(customer)
    out: list[tuple[date, int, bool]] = []
    further = -1
    for entry in reversed(history):
        i = config.path_index(entry.stage)
        further = max(further, i)
        if i >= 0:
            out.append((entry.date, i, further > i))
    return out[::-1]


def stage_spells(customer: Customer, day: date) -> list[tuple[str, int]]:
    """Days per stage spell up to ``day``: from each history entry to the next (by date), the
    last one running to the day; without history, one spell from ``created`` (none without
    it). Negative spans (entries after the day) count 0."""
    history = rules.sorted_history(customer)
    if not history:
        return [] if customer.created is None else [(customer.stage, max(0, (day - customer.created).days))]
    ends = [h.date for h in history[1:]] + [day]
    return [(h.stage, max(0, (end - h.date).days)) for h, end in zip(history, ends, strict=True)]


def entered_between(customer: Customer, stages: Collection[str], start: date, end: date) -> bool:
    """A history entry into one of ``stages`` dated from ``start`` to ``end``, both included."""
    return any(h.stage in stages and start <= h.date <= end for h in customer.history)


def contact_dates(customer: Customer, config: Config) -> list[date]:
    """The days seed 000 counts as 已接触, sorted: dated log entries, and history entries into
    a stage past the first (a target that was only written down was not contacted)."""
    days = [e.date for e in customer.log if e.date is not None]
    days += [h.date for h in customer.history if config.path_index(h.stage) != 0]
    return sorted(days)


def unfilled(customer: Customer) -> tuple[str, ...]:
    """The `FORM_FIELDS` the customer leaves empty (seed 000's 应填未填)."""
    values = {
        "amount": customer.amount,
        "expected_close": customer.expected_close,
        "next_action": customer.next_action or None,
        "next_due": customer.next_due,
    }
    return tuple(k for k in FORM_FIELDS if values[k] is None)


def sales_cycle_days(customer: Customer, config: Config) -> int | None:
    """Days from the first history entry to the first entry into a won stage, for a customer
    won now (seed 000's 跟进周期); None otherwise or without a won entry."""
    if rules.stage_kind(customer, config) != "won":
        return None
    history = rules.sorted_history(customer)
    won = [h.date for h in history if _is_won(config, h)]
    return (won[0] - history[0].date).days if won else None


def _is_won(config: Config, entry: HistoryEntry) -> bool:
    stage = config.stage(entry.stage)
    return stage is not None and stage.kind == "won"
