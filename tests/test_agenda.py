"""The today view's order: seed 003's work priority, then overdue before today, due date, name."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.agenda import PRIORITY_LABELS, today_items
from pipeline.config import load_preset
from pipeline.format import parse_customer
from pipeline.model import Customer
from pipeline.rules import DueStatus
from tests.conftest import TODAY

CONFIG = load_preset("seven-stage")


def customer(
    cid: str, stage: str, due: date | None, *, owner: str = "wang.li", history: str = ""
) -> Customer:
    """A customer parsed from a real file's text."""
    text = f'name = "{cid}客户"\nstage = "{stage}"\nowner = "{owner}"\n'
    if stage == "lost":
        text += 'lost_reason = "没有预算"\n'
    if due is not None:
        text += f'[next]\naction = "跟进 {cid}"\ndue = {due.isoformat()}\n'
    text += history
    c, problems = parse_customer(text.encode(), Path(f"/p/customers/{cid}.toml"), CONFIG)
    assert c is not None and not problems, problems
    return c


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


FELL_BACK = (
    '[[history]]\ndate = 2026-09-01\nstage = "target"\n'
    '[[history]]\ndate = 2026-10-01\nstage = "intent"\n'
    '[[history]]\ndate = 2026-11-01\nstage = "potential"\n'
)


def test_priority_then_overdue_then_due_date_then_name() -> None:
    customers = [
        customer("b-today", "target", days(0)),
        customer("a-late", "target", days(-2)),
        customer("c-later", "target", days(-5)),
        customer("closing", "negotiation", days(0)),
        customer("meeting", "potential", days(-1)),
        customer("approved", "approved", days(-3)),
        customer("mid", "intent", days(0)),
        customer("aftersales", "won", days(-1)),
        customer("back", "potential", days(0), history=FELL_BACK),
        customer("z-same", "project", days(-4)),
        customer("y-same", "project", days(-4)),
    ]
    items = today_items(customers, CONFIG, TODAY)
    assert [i.customer.id for i in items] == [
        "c-later",  # 1 new leads: overdue (oldest due first) …
        "a-late",
        "b-today",  # … before due today
        "meeting",  # 2 first meetings
        "closing",  # 3 the furthest open stage
        "approved",  # 4
        "y-same",  # 5: same due date, by name
        "z-same",
        "mid",  # 5, due today
        "aftersales",  # 6 after-sales on a won customer
        "back",  # 7 fell back from intent to potential
    ]
    assert [i.priority for i in items] == [1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 7]
    assert items[0].label == PRIORITY_LABELS[1] == "联系新线索"
    assert items[-1].label_en == "fallen back"
    assert [i.status for i in items[:3]] == [DueStatus.OVERDUE, DueStatus.OVERDUE, DueStatus.TODAY]
    assert [i.days_overdue for i in items[:3]] == [5, 2, 0]


def test_only_due_or_overdue_actions_of_open_and_won_customers() -> None:
    customers = [
        customer("upcoming", "target", days(1)),
        customer("none", "target", None),
        customer("lost", "lost", days(-3)),
        customer("due", "intent", days(0)),
    ]
    assert [i.customer.id for i in today_items(customers, CONFIG, TODAY)] == ["due"]


def test_owner_filter() -> None:
    customers = [customer("mine", "target", days(0)), customer("theirs", "target", days(0), owner="li.na")]
    assert [i.customer.id for i in today_items(customers, CONFIG, TODAY, owner="li.na")] == ["theirs"]
    assert len(today_items(customers, CONFIG, TODAY)) == 2
    assert today_items(customers, CONFIG, TODAY, owner="nobody") == []


STAGES = [s.id for s in CONFIG.stages]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STAGES), st.none() | st.integers(-30, 30)), max_size=12))
def test_exactly_the_due_items_in_sorted_order(rows: list[tuple[str, int | None]]) -> None:
    customers = [
        customer(f"c{i}", stage, None if d is None else days(d)) for i, (stage, d) in enumerate(rows)
    ]
    items = today_items(customers, CONFIG, TODAY)
    expected = {f"c{i}" for i, (stage, d) in enumerate(rows) if d is not None and d <= 0 and stage != "lost"}
    assert {i.customer.id for i in items} == expected
    keys = [(i.priority, i.status, i.due, i.customer.name) for i in items]
    assert keys == sorted(keys)
