"""The today view's order: seed 003's work priority, then overdue before today, due date, name."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.agenda import PRIORITY_LABELS, sort_key, today_items
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


WON_TWO_DAYS_AGO = f'[[history]]\ndate = {days(-2).isoformat()}\nstage = "won"\n'
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
        customer("aftersales", "won", None, history=WON_TWO_DAYS_AGO),
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
        "aftersales",  # 6 after-sales: the call, due 3 days after winning (tomorrow)
        "back",  # 7 fell back from intent to potential
    ]
    assert [i.priority for i in items] == [1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 7]
    assert items[0].label == PRIORITY_LABELS[1] == "联系新线索"
    assert items[-1].label_en == "fallen back"
    assert [i.status for i in items[:3]] == [DueStatus.OVERDUE, DueStatus.OVERDUE, DueStatus.TODAY]
    assert [i.days_overdue for i in items[:3]] == [5, 2, 0]


def test_due_actions_and_customers_without_one() -> None:
    customers = [
        customer("upcoming", "target", days(1)),
        customer("none", "target", None),
        customer("lost", "lost", days(-3)),
        customer("due", "intent", days(0)),
        customer("won-no-history", "won", days(-3)),  # no won date: no after-sales step, never overdue
    ]
    items = today_items(customers, CONFIG, TODAY)
    # "none" is a new lead without a next action: priority 1, before "due" (priority 5)
    assert [(i.customer.id, i.kind, i.priority) for i in items] == [
        ("none", "no_next", 1),
        ("due", "next_action", 5),
    ]
    assert items[0].task == "未安排下一步行动" and items[0].due is None


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
    opens = {s.id for s in CONFIG.open_stages}
    expected = {f"c{i}" for i, (stage, d) in enumerate(rows) if stage in opens and (d is None or d <= 0)}
    assert {i.customer.id for i in items} == expected
    # one definition of overdue: the items marked overdue are the customers rules.is_overdue finds
    assert {i.customer.id for i in items if i.overdue} == {
        c.id for c in customers if rules.is_overdue(c, CONFIG, TODAY)
    }
    keys = [sort_key(i) for i in items]
    assert keys == sorted(keys)
    firsts = [i.kind for i in items if i.priority == 1]
    assert firsts == sorted(firsts, key=lambda k: k != "no_next")  # a lead nobody planned for comes first


def test_seed_003_order_puts_new_leads_without_a_next_action_first() -> None:
    customers = [
        customer("closing", "negotiation", days(-9)),
        customer("lead", "target", None),
        customer("won", "won", None, history=WON_TWO_DAYS_AGO),
    ]
    assert [i.customer.id for i in today_items(customers, CONFIG, TODAY)] == ["lead", "closing", "won"]


def test_after_sales_steps_and_a_downgrade_flag_in_todays_work() -> None:
    # won 2026-10-13 (41 days ago), 100000, paid 30000; a call logged on 10-14:
    # the call is done; satisfaction opened 11-03 (21 days), due 11-12 (30 days), late 11 days,
    # shown until 12-12; not paid in full 41 > 30 days after signing: flagged for downgrade
    won = (
        'amount = 100000\n[[history]]\ndate = 2026-10-13\nstage = "won"\n'
        '[[log]]\ndate = 2026-10-14\nkind = "call"\nnote = "回访"\n'
        "[[payments]]\ndate = 2026-10-20\namount = 30000\n"
    )
    text = f'name = "W"\nstage = "won"\n{won}'
    c, problems = parse_customer(text.encode(), Path("/p/customers/w.toml"), CONFIG)
    assert c is not None and not [p for p in problems if p.is_error]
    items = today_items([c], CONFIG, TODAY)
    assert [(i.kind, i.priority, i.task, i.due, i.days_overdue) for i in items] == [
        ("after_sales", 6, "满意度调研", date(2026, 11, 12), 11),
        ("downgrade", 8, "签约超过一个月未付全款:重新评估、降级", None, 0),
    ]
    assert not any(i.overdue for i in items)  # a won customer is never 逾期


def test_a_won_card_is_never_overdue_but_an_open_one_is() -> None:
    from tuiboard.labels import labels
    from tuiboard.widgets.card import card_lines

    won = customer("won", "won", days(-5), history=WON_TWO_DAYS_AGO)
    late = customer("late", "intent", days(-5))
    won_text = "".join(line.plain for line in card_lines(won, CONFIG, TODAY, 40, labels()))
    late_text = "".join(line.plain for line in card_lines(late, CONFIG, TODAY, 40, labels()))
    assert "逾期" not in won_text and "11-18" in won_text  # the after-sales date, plainly
    assert "逾期5天" in late_text
