"""The today view: a rep's overdue and due-today next actions, in seed 003's order of work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

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
    7: "与回落客户重新会晤",
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


@dataclass(frozen=True, slots=True)
class AgendaItem:
    customer: Customer
    priority: int  # 1 (first) to 8, rules.work_priority
    label: str  # the priority's Chinese label
    status: rules.DueStatus  # OVERDUE or TODAY
    due: date
    days_overdue: int  # 0 when due today

    @property
    def label_en(self) -> str:
        return PRIORITY_LABELS_EN[self.priority]


def today_items(
    customers: Iterable[Customer], config: Config, today: date, owner: str | None = None
) -> list[AgendaItem]:
    """Overdue and due-today next actions of open customers and won ones (after-sales).

    Ordered by work priority, then overdue before today, then due date (oldest first), then name.
    ``owner``: only that rep's customers.
    """
    items = []
    for c in customers:
        if owner is not None and c.owner != owner:
            continue
        if c.next_due is None or c.next_due > today:
            continue
        if rules.stage_kind(c, config) not in ("open", "won"):
            continue
        priority = rules.work_priority(c, config)
        items.append(
            AgendaItem(
                customer=c,
                priority=priority,
                label=PRIORITY_LABELS[priority],
                status=rules.due_status(c, today),
                due=c.next_due,
                days_overdue=(today - c.next_due).days,
            )
        )
    items.sort(key=lambda i: (i.priority, i.status, i.due, i.customer.name, i.customer.id))
    return items
