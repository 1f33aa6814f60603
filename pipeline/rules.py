"""Business rules as pure functions of (customer, config, today): no I/O, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from operator import attrgetter

from .config import AfterSalesStep, Config, Stage
from .errors import TuiboardError, UsageError
from .model import Customer, HistoryEntry, is_number

DEFAULT_FOLLOW_UP_DAYS = 7


class DueStatus(IntEnum):
    """Ordered the way Pipedrive sorts a column: what needs attention first."""

    OVERDUE = 0
    TODAY = 1
    NONE = 2
    UPCOMING = 3


class TransitionError(TuiboardError, ValueError):
    """A stage move the method does not allow (unknown stage, lost without a reason)."""


class UnknownStage(TransitionError, UsageError):
    """A stage id the config does not have: a mistake in what was typed (exit 2)."""

    exit_code = 2


def known_stage(config: Config, stage_id: str) -> Stage:
    """The stage ``stage_id`` names; `UnknownStage`, listing the known ones, for any other."""
    stage = config.stage(stage_id)
    if stage is None:
        raise UnknownStage(f"unknown stage {stage_id!r} (known: {', '.join(config.stage_ids)})")
    return stage


def stage_probability(config: Config, stage_id: str, own: float | None) -> float:
    """Won counts 100 % and lost 0 % whatever the file says; an open stage takes the
    customer's own forecast, else the stage's default (domain.md section 6)."""
    stage = config.stage(stage_id)
    if stage is not None and stage.kind == "won":
        return 100.0
    if stage is not None and stage.kind == "lost":
        return 0.0
    if own is not None:
        return own
    return stage.probability if stage else 0.0


def effective_probability(customer: Customer, config: Config) -> float:
    """The probability every weighted figure uses: see `stage_probability`."""
    return stage_probability(config, customer.stage, customer.probability)


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


def is_overdue(customer: Customer, config: Config, today: date) -> bool:
    """The one definition of overdue: an open customer whose next action was due before today.

    Won and lost customers are never overdue: their follow-up is after-sales work
    (`after_sales_due`) or nothing.
    """
    return is_open(customer, config) and customer.next_due is not None and customer.next_due < today


def due_status(customer: Customer, today: date) -> DueStatus:
    if customer.next_due is None:
        return DueStatus.NONE
    if customer.next_due < today:
        return DueStatus.OVERDUE
    if customer.next_due == today:
        return DueStatus.TODAY
    return DueStatus.UPCOMING


def sorted_history(customer: Customer) -> tuple[HistoryEntry, ...]:
    """History ordered by date (stable: same-day entries keep their file order)."""
    return tuple(sorted(customer.history, key=_by_date))


_by_date = attrgetter("date")


def history_out_of_order(history: Sequence[HistoryEntry]) -> list[tuple[int, HistoryEntry, date]]:
    """Entries dated before an entry above them in the file: (index, entry, the later date
    before it). Metrics sort by date anyway; `check` warns so that a person can fix the file."""
    out = []
    latest: date | None = None
    for i, entry in enumerate(history):
        if latest is not None and entry.date < latest:
            out.append((i, entry, latest))
        latest = entry.date if latest is None else max(latest, entry.date)
    return out


def last_history_date(customer: Customer) -> date | None:
    """The latest date in the history: `move --date` before it needs --force."""
    return max((h.date for h in customer.history), default=None)


def stage_entered(customer: Customer) -> date | None:
    """When the customer entered its current stage: the latest history entry for it, by date."""
    here = customer.stage
    latest: date | None = None
    for h in customer.history:  # a plain loop: a third of max() over a generator, twice a list record
        if h.stage == here and (latest is None or h.date > latest):
            latest = h.date
    return customer.created if latest is None else latest


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
    stage = known_stage(config, target)
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
    at = config.open_stage_at
    # order does not matter: any earlier entry further along, in an open stage
    return any((found := at(h.stage)) is not None and found[0] > here for h in customer.history)


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
    found = config.open_stage_at(customer.stage)
    i = found[1] if found is not None else -1
    if i == 0:
        return 1
    if i == 1:
        return 2
    from_end = len(config.open_stages) - 1 - i  # 0 for the last open stage
    return 3 + min(from_end, 2)


def card_sort_key(customer: Customer, today: date) -> tuple[object, ...]:
    """Overdue first (oldest due first), due today, no next action, then upcoming by date."""
    status = due_status(customer, today)
    due = customer.next_due or date.max
    return (int(status), due, customer.name)


def won_date(customer: Customer, config: Config) -> date | None:
    """The day the current won spell began (A02 then A01 is one spell), by date; None unless won."""
    if stage_kind(customer, config) != "won":
        return None
    since: date | None = None
    for entry in sorted_history(customer):
        stage = config.stage(entry.stage)
        won = stage is not None and stage.kind == "won"
        since = (since or entry.date) if won else None
    return since


@dataclass(frozen=True, slots=True)
class AfterSalesTask:
    step: AfterSalesStep
    won: date
    due: date

    def late_on(self, today: date) -> int:
        """Days past due (0 when not yet due)."""
        return max(0, (today - self.due).days)


def after_sales_due(customer: Customer, config: Config, today: date) -> list[AfterSalesTask]:
    """Seed 002's after-sales steps that are open for a won customer on ``today``.

    A step opens ``opens_days`` after winning, is due ``due_days`` after, and is done by a
    log entry of one of its kinds dated on or after it opened. A step not done drops out
    when as long again has passed after its due date (at least a week), so that an old win
    does not fill today's work forever.
    """
    won = won_date(customer, config)
    if won is None:
        return []
    out = []
    for step in config.after_sales:
        opens = won + timedelta(days=step.opens_days)
        due = won + timedelta(days=step.due_days)
        expires = due + timedelta(days=max(step.due_days, 7))
        if not opens <= today <= expires:
            continue
        done = any(e.date is not None and e.date >= opens and e.kind in step.kinds for e in customer.log)
        if not done:
            out.append(AfterSalesTask(step, won, due))
    return out


def close_changes(customer: Customer, config: Config, target: str, day: date) -> dict[str, object]:
    """The next action after a move to ``target`` on ``day`` (keys of the [next] table; None
    removes the key). Won: the first after-sales step, due after its days; lost: none. An
    open target changes nothing (empty dict). The write path applies this with the move."""
    stage = config.stage(target)
    if stage is None or stage.kind == "open":
        return {}
    if stage.kind == "won" and config.after_sales:
        first = config.after_sales[0]
        return {"action": first.label, "due": day + timedelta(days=first.due_days)}
    return {"action": None, "due": None}


@dataclass(frozen=True, slots=True)
class Payment:
    date: date | None
    amount: float


def payments(customer: Customer) -> tuple[Payment, ...]:
    """The file's ``[[payments]]`` (docs/format.md): entries without a numeric amount are
    left out (the reader reports them)."""
    raw = customer.data.get("payments")
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        amount, day = item.get("amount"), item.get("date")
        if is_number(amount):
            out.append(Payment(day if isinstance(day, date) else None, float(amount)))
    return tuple(out)


def paid_total(customer: Customer) -> float:
    return sum(p.amount for p in payments(customer))


def needs_downgrade(customer: Customer, config: Config, today: date) -> bool:
    """Seed 000 (A类客户注): signed more than a month ago (``downgrade_after_days``) and not
    paid in full (payments below the amount) is re-evaluated and downgraded. A won customer
    without an amount cannot be judged and is not flagged."""
    won = won_date(customer, config)
    if won is None or customer.amount is None or (today - won).days <= config.downgrade_after_days:
        return False
    return paid_total(customer) < customer.amount


def suggest_tier(monthly_payment: float, config: Config) -> str | None:
    """Seed 000's tier by monthly payment (回款/月): the first tier, in config order, whose
    ``min_monthly_payment`` the payment reaches; None below every threshold."""
    for tier in config.tiers:
        if tier.min_monthly_payment is not None and monthly_payment >= tier.min_monthly_payment:
            return tier.id
    return None
