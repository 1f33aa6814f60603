"""The today view: a rep's work for the day, in seed 003's order of work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from . import rules
from .config import Config
from .model import Customer

# Seed 003 (潜在客户分类表和时间管理): "你所有工作都可以归入到下面八类中,按照下面的顺序优先完成".
# Priorities 3-5 are the furthest open stages of whatever funnel the folder uses.
PRIORITY_LABELS: dict[int, str] = {
    1: "联系新线索",
    2: "与新联系人初次会晤",
    3: "推动最后阶段成交",
    4: "推进后期客户",
    5: "推进中期客户",
    6: "成交客户售后服务",
    7: "与后退客户重新会晤",
    8: "行政与项目管理",
}
PRIORITY_LABELS_EN: dict[int, str] = {
    1: "new leads",
    2: "first meetings",
    3: "close the furthest",
    4: "advance late stage",
    5: "advance mid stage",
    6: "after-sales",
    7: "fallen back",
    8: "admin",
}


NO_NEXT_TASK = ("未安排下一步行动", "no next action")
DOWNGRADE_TASK = ("签约超过一个月未付全款:重新评估、降级", "signed a month ago, not paid in full: re-grade")


class AgendaItem(NamedTuple):
    """One piece of today's work (a tuple: `today` builds thousands, and a frozen
    dataclass's ``__init__`` set each field by name, three times the cost)."""

    customer: Customer
    priority: int  # 1 (first) to 8, rules.work_priority
    label: str  # the priority's Chinese label
    kind: str  # "next_action", "no_next", "after_sales" or "downgrade"
    task: str  # what to do: the next action, the after-sales step, ...
    task_en: str
    status: rules.DueStatus  # OVERDUE, TODAY, UPCOMING (an after-sales step due later), NONE
    due: date | None
    days_overdue: int  # 0 when due today or undated

    @property
    def label_en(self) -> str:
        return PRIORITY_LABELS_EN[self.priority]

    @property
    def overdue(self) -> bool:
        """A next action past due: the same count as `rules.is_overdue`."""
        return self.kind == "next_action" and self.status is rules.DueStatus.OVERDUE


def today_items(
    customers: Iterable[Customer],
    config: Config,
    today: date,
    owner: str | None = None,
    *,
    dated: bool = False,
) -> list[AgendaItem]:
    """A rep's work for today, in seed 003's eight-item order.

    Open customers: a next action due today or before, or no next action at all (a new lead
    with none is the first thing to do). Won customers: the after-sales steps open today
    (`rules.after_sales_due`, priority 6) and a downgrade check (`rules.needs_downgrade`,
    priority 8, admin). Within a priority: `sort_key`. ``owner``: only that rep's customers.
    ``dated``: only the items with a due date (overdue or today), as `tuiboard due` counts
    them; the undated ones are not worked out (a downgrade check reads the file's payments).
    """
    items: list[AgendaItem] = []
    for c in customers:
        if owner is not None and c.owner != owner:
            continue
        kind = rules.stage_kind(c, config)
        if kind == "open":
            items += _open_items(c, config, today, dated)
        elif kind == "won":
            items += _won_items(c, config, today, dated)
    items.sort(key=sort_key)
    return items


_RANK = {rules.DueStatus.NONE: 0, rules.DueStatus.OVERDUE: 1}


def sort_key(item: AgendaItem) -> tuple[object, ...]:
    """Priority; within it no next action first (nobody has planned anything), then overdue,
    then due today; oldest due first, then name."""
    return (
        item.priority,
        _RANK.get(item.status, 2),
        item.due or date.min,
        item.customer.name,
        item.customer.id,
    )


def _item(
    c: Customer, priority: int, kind: str, task: tuple[str, str], due: date | None, today: date
) -> AgendaItem:
    if due is None:
        status = rules.DueStatus.NONE
    elif due < today:
        status = rules.DueStatus.OVERDUE
    else:  # an after-sales step is work from the day it opens, due days later
        status = rules.DueStatus.TODAY if due == today else rules.DueStatus.UPCOMING
    late = max(0, (today - due).days) if due else 0
    return AgendaItem(c, priority, PRIORITY_LABELS[priority], kind, task[0], task[1], status, due, late)


def _open_items(c: Customer, config: Config, today: date, dated: bool) -> list[AgendaItem]:
    # The priority (it reads the history) only for the few customers with work today.
    if not c.next_action and c.next_due is None:
        return (
            [] if dated else [_item(c, rules.work_priority(c, config), "no_next", NO_NEXT_TASK, None, today)]
        )
    if c.next_due is not None and c.next_due <= today:
        text = c.next_action or NO_NEXT_TASK[0]
        return [_item(c, rules.work_priority(c, config), "next_action", (text, text), c.next_due, today)]
    return []


def _won_items(c: Customer, config: Config, today: date, dated: bool) -> list[AgendaItem]:
    items = [
        _item(c, 6, "after_sales", (t.step.label, t.step.label_en), t.due, today)
        for t in rules.after_sales_due(c, config, today)
    ]
    if not dated and rules.needs_downgrade(c, config, today):
        items.append(_item(c, 8, "downgrade", DOWNGRADE_TASK, None, today))
    return items
