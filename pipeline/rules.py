"""Business rules as pure functions of (customer, config, today): no I/O, no clock."""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum

from .config import Config
from .errors import TuiboardError
from .model import Customer

DEFAULT_FOLLOW_UP_DAYS = 7


class DueStatus(IntEnum):
    """Ordered the way Pipedrive sorts a column: what needs attention first."""

    OVERDUE = 0
    TODAY = 1
    NONE = 2
    UPCOMING = 3


class TransitionError(TuiboardError, ValueError):
    """A stage move the method does not allow (unknown stage, lost without a reason)."""


def effective_probability(customer: Customer, config: Config) -> float:
    """The customer's own probability, else its stage's default."""
    if customer.probability is not None:
        return customer.probability
    stage = config.stage(customer.stage)
    return stage.probability if stage else 0.0


def weighted_amount(customer: Customer, config: Config) -> float:
    return (customer.amount or 0.0) * effective_probability(customer, config) / 100.0


def effective_tier(customer: Customer, config: Config) -> str | None:
    """The file's tier, else the first tier (config order) whose min_amount the amount reaches."""
    if customer.tier is not None:
        return customer.tier
    if customer.amount is None:
        return None
    for tier in config.tiers:
        if tier.min_amount is not None and customer.amount >= tier.min_amount:
            return tier.id
    return None


def stage_kind(customer: Customer, config: Config) -> str:
    stage = config.stage(customer.stage)
    return stage.kind if stage else "open"


def is_open(customer: Customer, config: Config) -> bool:
    return stage_kind(customer, config) == "open"


def due_status(customer: Customer, today: date) -> DueStatus:
    if customer.next_due is None:
        return DueStatus.NONE
    if customer.next_due < today:
        return DueStatus.OVERDUE
    if customer.next_due == today:
        return DueStatus.TODAY
    return DueStatus.UPCOMING


def stage_entered(customer: Customer) -> date | None:
    """When the customer entered its current stage: the latest history entry for it."""
    for entry in reversed(customer.history):
        if entry.stage == customer.stage:
            return entry.date
    return customer.created


def days_in_stage(customer: Customer, today: date) -> int | None:
    entered = stage_entered(customer)
    return None if entered is None else max(0, (today - entered).days)


def is_stale(customer: Customer, config: Config, today: date) -> bool:
    """Past the stage's stale threshold (open stages only)."""
    stage = config.stage(customer.stage)
    if stage is None or stage.kind != "open" or stage.stale_after_days is None:
        return False
    days = days_in_stage(customer, today)
    return days is not None and days > stage.stale_after_days


def follow_up_days(customer: Customer, config: Config) -> int:
    """Cadence: intent first (high 1 day, medium 7, low 90), else the tier's follow-up days."""
    if customer.intent and customer.intent in config.cadence:
        return config.cadence[customer.intent]
    tier = config.tier(effective_tier(customer, config) or "")
    return tier.follow_up_days if tier else DEFAULT_FOLLOW_UP_DAYS


def default_due(customer: Customer, config: Config, today: date) -> date:
    return today + timedelta(days=follow_up_days(customer, config))


def check_transition(customer: Customer, config: Config, target: str, reason: str | None) -> None:
    """Raise TransitionError unless moving ``customer`` to ``target`` is allowed."""
    stage = config.stage(target)
    if stage is None:
        raise TransitionError(f"unknown stage {target!r} (known: {', '.join(config.stage_ids)})")
    if target == customer.stage:
        raise TransitionError(f"{customer.id} is already in stage {target!r}")
    if stage.kind == "lost" and not (reason and reason.strip()):
        raise TransitionError("moving to a lost stage needs a reason (--reason)")


def neighbour_stage(config: Config, stage_id: str, step: int, include_lost: bool = False) -> str | None:
    """The stage ``step`` columns away (the lost column is skipped unless shown)."""
    ids = [s.id for s in config.stages if include_lost or s.kind != "lost"]
    if stage_id not in ids:
        return None
    i = ids.index(stage_id) + step
    return ids[i] if 0 <= i < len(ids) else None


def fell_back(customer: Customer, config: Config) -> bool:
    """Has the customer been further along the funnel than it is now?"""
    here = config.stage_index(customer.stage)
    return any(
        config.stage_index(h.stage) > here
        for h in customer.history
        if config.stage(h.stage) and config.stage(h.stage).kind == "open"
    )  # type: ignore[union-attr]


def work_priority(customer: Customer, config: Config) -> int:
    """Seed 003's order of the day, 1 (first) to 8 (admin).

    1 new leads (first open stage); 2 first meetings (second open stage); 3-5 pushing the
    furthest open stages to close, furthest first; 6 after-sales (won); 7 fallen-back
    contacts; 8 everything else.
    """
    kind = stage_kind(customer, config)
    if kind == "won":
        return 6
    if kind == "lost":
        return 8
    if fell_back(customer, config):
        return 7
    opens = [s.id for s in config.open_stages]
    i = opens.index(customer.stage) if customer.stage in opens else -1
    if i == 0:
        return 1
    if i == 1:
        return 2
    from_end = len(opens) - 1 - i  # 0 for the last open stage
    return 3 + min(from_end, 2)


def card_sort_key(customer: Customer, today: date) -> tuple[object, ...]:
    """Overdue first (oldest due first), due today, no next action, then upcoming by date."""
    status = due_status(customer, today)
    due = customer.next_due or date.max
    return (int(status), due, customer.name)
