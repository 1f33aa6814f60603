"""Business rules as pure functions: no files, no clock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline import rules
from pipeline.config import load_preset, preset_names
from pipeline.model import Customer, HistoryEntry, LogEntry
from pipeline.rules import DueStatus, TransitionError

CONFIG = load_preset("seven-stage")
TODAY = date(2026, 11, 23)


def cust(**kw: Any) -> Customer:
    kw.setdefault("stage", "intent")
    return Customer(id=kw.pop("id", "c"), path=Path("c.toml"), data={}, name=kw.pop("name", "C"), **kw)


def test_effective_probability_is_the_customers_else_the_stages() -> None:
    assert rules.effective_probability(cust(), CONFIG) == 25
    assert rules.effective_probability(cust(probability=70.0), CONFIG) == 70
    assert rules.effective_probability(cust(probability=0.0), CONFIG) == 0  # 0 is a value, not "unset"
    assert rules.effective_probability(cust(stage="gone"), CONFIG) == 0


def test_weighted_amount() -> None:
    assert rules.weighted_amount(cust(amount=200_000.0), CONFIG) == 50_000
    assert rules.weighted_amount(cust(amount=200_000.0, probability=90.0), CONFIG) == 180_000
    assert rules.weighted_amount(cust(), CONFIG) == 0
    assert rules.weighted_amount(cust(stage="won", amount=10.0), CONFIG) == 10


@pytest.mark.parametrize(
    ("amount", "tier"),
    [
        (2_500_000.0, "VIP"),
        (2_000_000.0, "VIP"),
        (1_000_000.0, "A"),
        (300_000.0, "B"),
        (50_000.0, "C"),
        (10.0, None),
    ],
)
def test_computed_tier_from_min_amounts(amount: float, tier: str | None) -> None:
    assert rules.effective_tier(cust(amount=amount), CONFIG) == tier


def test_a_tier_set_by_hand_wins_over_the_rule() -> None:
    assert rules.effective_tier(cust(amount=5_000_000.0, tier="D"), CONFIG) == "D"
    assert rules.effective_tier(cust(), CONFIG) is None


@pytest.mark.parametrize(
    ("due", "status"),
    [
        (TODAY - timedelta(days=1), DueStatus.OVERDUE),
        (TODAY, DueStatus.TODAY),
        (TODAY + timedelta(days=1), DueStatus.UPCOMING),
        (None, DueStatus.NONE),
    ],
)
def test_due_status(due: date | None, status: DueStatus) -> None:
    assert rules.due_status(cust(next_due=due), TODAY) is status


def test_days_in_stage_counts_from_the_latest_entry_into_it() -> None:
    history = (
        HistoryEntry(date(2026, 9, 1), "target"),
        HistoryEntry(date(2026, 10, 1), "intent"),
        HistoryEntry(date(2026, 10, 20), "project"),
        HistoryEntry(date(2026, 11, 3), "intent"),  # fell back
    )
    c = cust(history=history, created=date(2026, 8, 1))
    assert rules.stage_entered(c) == date(2026, 11, 3)
    assert rules.days_in_stage(c, TODAY) == 20
    assert rules.days_in_stage(cust(created=date(2026, 11, 13)), TODAY) == 10  # no history: created
    assert rules.days_in_stage(cust(), TODAY) is None
    assert rules.days_in_stage(cust(created=TODAY + timedelta(days=3)), TODAY) == 0


def test_stage_entered_is_the_latest_date_whatever_the_file_order() -> None:
    history = (
        HistoryEntry(date(2026, 10, 5), "intent"),
        HistoryEntry(date(2026, 9, 1), "target"),
        HistoryEntry(date(2026, 11, 3), "intent"),
        HistoryEntry(date(2026, 10, 1), "intent"),  # out of order: the latest date counts
        HistoryEntry(date(2026, 12, 1), "project"),
    )
    assert rules.stage_entered(cust(history=history, created=date(2026, 8, 1))) == date(2026, 11, 3)
    assert rules.stage_entered(cust(stage="won", history=history, created=date(2026, 8, 1))) == date(
        2026, 8, 1
    )
    assert rules.stage_entered(cust(stage="won", history=history)) is None


def test_stale_after_the_stages_threshold_for_open_stages_only() -> None:
    entered = (HistoryEntry(TODAY - timedelta(days=21), "intent"),)  # intent: stale after 21 days
    assert not rules.is_stale(cust(history=entered), CONFIG, TODAY)
    older = (HistoryEntry(TODAY - timedelta(days=22), "intent"),)
    assert rules.is_stale(cust(history=older), CONFIG, TODAY)
    long_ago = (HistoryEntry(TODAY - timedelta(days=400), "won"),)
    assert not rules.is_stale(cust(stage="won", history=long_ago), CONFIG, TODAY)
    assert not rules.is_stale(cust(), CONFIG, TODAY)  # no date known


@pytest.mark.parametrize(
    ("kw", "days"),
    [
        ({"intent": "high"}, 1),
        ({"intent": "medium"}, 7),
        ({"intent": "low"}, 90),
        ({"tier": "B"}, 14),
        ({"amount": 60_000.0}, 30),  # computed tier C
        ({}, rules.DEFAULT_FOLLOW_UP_DAYS),
    ],
)
def test_default_due_from_cadence(kw: dict[str, Any], days: int) -> None:
    assert rules.default_due(cust(**kw), CONFIG, TODAY) == TODAY + timedelta(days=days)


def test_transitions() -> None:
    c = cust()
    rules.check_transition(c, CONFIG, "project", None)
    rules.check_transition(c, CONFIG, "target", None)  # going back is allowed
    rules.check_transition(c, CONFIG, "lost", "价格过高")
    with pytest.raises(TransitionError, match="needs a reason"):
        rules.check_transition(c, CONFIG, "lost", None)
    with pytest.raises(TransitionError, match="needs a reason"):
        rules.check_transition(c, CONFIG, "lost", "   ")
    with pytest.raises(TransitionError, match="unknown stage"):
        rules.check_transition(c, CONFIG, "nowhere", None)
    with pytest.raises(TransitionError, match="already"):
        rules.check_transition(c, CONFIG, "intent", None)


def test_neighbour_stage_skips_lost_unless_shown() -> None:
    assert rules.neighbour_stage(CONFIG, "intent", 1) == "project"
    assert rules.neighbour_stage(CONFIG, "target", -1) is None
    assert rules.neighbour_stage(CONFIG, "won", 1) is None
    assert rules.neighbour_stage(CONFIG, "won", 1, include_lost=True) == "lost"


def test_work_priority_follows_seed_003() -> None:
    assert rules.work_priority(cust(stage="target"), CONFIG) == 1
    assert rules.work_priority(cust(stage="potential"), CONFIG) == 2
    assert rules.work_priority(cust(stage="negotiation"), CONFIG) == 3
    assert rules.work_priority(cust(stage="approved"), CONFIG) == 4
    assert rules.work_priority(cust(stage="intent"), CONFIG) == 5
    assert rules.work_priority(cust(stage="won"), CONFIG) == 6
    fell = (HistoryEntry(date(2026, 9, 1), "project"), HistoryEntry(date(2026, 10, 1), "intent"))
    assert rules.fell_back(cust(history=fell), CONFIG)
    assert rules.work_priority(cust(history=fell), CONFIG) == 7
    assert rules.work_priority(cust(stage="lost"), CONFIG) == 8


def test_cards_sort_overdue_first_then_today_none_upcoming() -> None:
    cards = [
        cust(name="up", next_due=TODAY + timedelta(days=2)),
        cust(name="none"),
        cust(name="today", next_due=TODAY),
        cust(name="old", next_due=TODAY - timedelta(days=9)),
        cust(name="late", next_due=TODAY - timedelta(days=1)),
    ]
    ordered = sorted(cards, key=lambda c: rules.card_sort_key(c, TODAY))
    assert [c.name for c in ordered] == ["old", "late", "today", "none", "up"]


# -- issue 9 ---------------------------------------------------------------------------------


def test_won_counts_100_and_lost_0_percent_whatever_the_file_says() -> None:
    assert rules.effective_probability(cust(stage="won", probability=80.0), CONFIG) == 100
    assert rules.effective_probability(cust(stage="lost", probability=30.0), CONFIG) == 0
    assert rules.weighted_amount(cust(stage="won", amount=50_000.0, probability=80.0), CONFIG) == 50_000
    assert rules.weighted_amount(cust(stage="lost", amount=50_000.0, probability=30.0), CONFIG) == 0
    assert rules.effective_probability(cust(probability=55.0), CONFIG) == 55  # open: the forecast


def test_overdue_is_open_customers_past_due_only() -> None:
    yesterday = TODAY - timedelta(days=1)
    assert rules.is_overdue(cust(next_due=yesterday), CONFIG, TODAY)
    assert not rules.is_overdue(cust(next_due=TODAY), CONFIG, TODAY)
    assert not rules.is_overdue(cust(stage="won", next_due=yesterday), CONFIG, TODAY)
    assert not rules.is_overdue(cust(stage="lost", next_due=yesterday), CONFIG, TODAY)
    assert not rules.is_overdue(cust(), CONFIG, TODAY)


def test_history_out_of_order_and_sorted() -> None:
    h = (
        HistoryEntry(date(2026, 9, 1), "target"),
        HistoryEntry(date(2026, 11, 1), "project"),
        HistoryEntry(date(2026, 10, 1), "intent"),  # appended later with an earlier date
        HistoryEntry(date(2026, 10, 15), "intent"),  # still before 11-01
    )
    c = cust(stage="project", history=h)
    assert [(i, e.date, before) for i, e, before in rules.history_out_of_order(c.history)] == [
        (2, date(2026, 10, 1), date(2026, 11, 1)),
        (3, date(2026, 10, 15), date(2026, 11, 1)),
    ]
    assert [e.date.month for e in rules.sorted_history(c)] == [9, 10, 10, 11]
    assert rules.last_history_date(c) == date(2026, 11, 1)
    assert rules.history_out_of_order(cust(history=h[:2]).history) == []
    # by date, the latest entry into intent is 10-15 (in the file, too: both come after 11-01)
    assert rules.stage_entered(cust(stage="intent", history=h)) == date(2026, 10, 15)


def test_won_date_is_the_start_of_the_current_won_spell() -> None:
    ten = load_preset("ten-level")
    h = (
        HistoryEntry(date(2026, 8, 1), "A21"),
        HistoryEntry(date(2026, 9, 1), "A02"),  # signed
        HistoryEntry(date(2026, 10, 1), "A01"),  # settled: the same won spell
    )
    assert rules.won_date(cust(stage="A01", history=h), ten) == date(2026, 9, 1)
    rewon = (HistoryEntry(date(2026, 9, 1), "won"), HistoryEntry(date(2026, 9, 5), "negotiation"))
    rewon += (HistoryEntry(date(2026, 10, 2), "won"),)
    assert rules.won_date(cust(stage="won", history=rewon), CONFIG) == date(2026, 10, 2)
    assert rules.won_date(cust(history=rewon), CONFIG) is None  # not won now


def test_after_sales_steps_follow_seed_002() -> None:
    won = (HistoryEntry(date(2026, 11, 20), "won"),)
    c = cust(stage="won", history=won)
    # won 11-20: the call opens that day and is due 11-23 (3 days); satisfaction opens 12-11
    assert [(t.step.id, t.due) for t in rules.after_sales_due(c, CONFIG, TODAY)] == [
        ("call", date(2026, 11, 23))
    ]
    called = cust(stage="won", history=won, log=(LogEntry(date(2026, 11, 21), "call", "回访"),))
    assert rules.after_sales_due(called, CONFIG, TODAY) == []
    emailed = cust(stage="won", history=won, log=(LogEntry(date(2026, 11, 21), "email", "x"),))
    assert len(rules.after_sales_due(emailed, CONFIG, TODAY)) == 1  # the call step wants a call or visit
    # 12-15: the call dropped out (due 11-23 + 7 days), satisfaction (opens 12-11, due 12-20) is open
    later = rules.after_sales_due(c, CONFIG, date(2026, 12, 15))
    assert [(t.step.id, t.late_on(date(2026, 12, 15))) for t in later] == [("satisfaction", 0)]


def test_close_changes_for_the_write_path() -> None:
    day = date(2026, 11, 23)
    assert rules.close_changes(cust(), CONFIG, "won", day) == {
        "action": "成交后电话回访",
        "due": date(2026, 11, 26),
    }
    assert rules.close_changes(cust(), CONFIG, "lost", day) == {"action": None, "due": None}
    assert rules.close_changes(cust(), CONFIG, "project", day) == {}


def test_downgrade_after_a_month_without_full_payment() -> None:
    won = (HistoryEntry(date(2026, 10, 20), "won"),)  # 34 days before TODAY
    data = {"payments": [{"date": date(2026, 10, 25), "amount": 60_000}, {"amount": "bad"}]}
    c = Customer(id="c", path=Path("c.toml"), data=data, name="C", stage="won", amount=100_000.0, history=won)
    assert rules.paid_total(c) == 60_000  # the bad entry is left out
    assert rules.needs_downgrade(c, CONFIG, TODAY)
    assert not rules.needs_downgrade(c, CONFIG, date(2026, 11, 19))  # 30 days: not yet
    paid = {"payments": [{"date": date(2026, 10, 25), "amount": 100_000}]}
    full = Customer(
        id="c", path=Path("c.toml"), data=paid, name="C", stage="won", amount=100_000.0, history=won
    )
    assert not rules.needs_downgrade(full, CONFIG, TODAY)


@pytest.mark.parametrize(
    ("monthly", "tier"),
    [(250_000.0, "VIP"), (200_000.0, "VIP"), (120_000.0, "A"), (30_000.0, "B"), (5_000.0, "C"), (-1.0, None)],
)
def test_suggest_tier_by_monthly_payment(monthly: float, tier: str | None) -> None:
    # seed 000: VIP 20万/月以上, A 10万/月以上, B 3-5万/月, C the rest; a net refund is no tier
    assert rules.suggest_tier(monthly, CONFIG) == tier


def _fell_back_by_scan(customer: Customer, config: Any) -> bool:
    """The rule as first written: a history entry in an open stage further along."""
    here = config.stage_index(customer.stage)
    return any(
        config.stage_index(h.stage) > here
        for h in customer.history
        if (stage := config.stage(h.stage)) and stage.kind == "open"
    )


def _work_priority_by_scan(customer: Customer, config: Any) -> int:
    kind = rules.stage_kind(customer, config)
    if kind == "won":
        return 6
    if kind == "lost":
        return 8
    if _fell_back_by_scan(customer, config):
        return 7
    opens = [s.id for s in config.open_stages]
    i = opens.index(customer.stage) if customer.stage in opens else -1
    if i in (0, 1):
        return i + 1
    return 3 + min(len(opens) - 1 - i, 2)


@pytest.mark.parametrize("preset", preset_names())
def test_work_priority_and_fell_back_from_the_lookup_are_the_scans(preset: str) -> None:
    """`fell_back` and `work_priority` read `Config.open_stage_at` (the agenda asks them for
    thousands of customers): the same answers as scanning the stages, for every stage a
    customer can be in (unknown ids too) and histories through every stage."""
    config = load_preset(preset)
    ids = [*config.stage_ids, "gone", ""]
    for stage in ids:
        for past in ids:
            for later in ids:
                history = tuple(HistoryEntry(date(2026, 1, d), s) for d, s in ((1, past), (2, later)))
                c = Customer(id="c", path=Path("c.toml"), data={}, name="C", stage=stage, history=history)
                assert rules.fell_back(c, config) == _fell_back_by_scan(c, config), (stage, past, later)
                assert rules.work_priority(c, config) == _work_priority_by_scan(c, config), (stage, past)
