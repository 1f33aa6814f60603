"""The today view: the day's work (`pipeline.agenda`), grouped by seed 003's work priority."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets.option_list import Option

from pipeline.agenda import AgendaItem, today_items
from pipeline.config import Config
from pipeline.model import Customer

from ..labels import Labels
from ..textout import fit
from .dialog import ListDialog, titled


def item_line(item: AgendaItem, words: Labels) -> Text:
    """``逾期 3天  11-20  name  task  owner``, cut to columns by terminal cells."""
    c = item.customer
    if item.overdue:
        status = Text(fit(words("today.overdue", days=item.days_overdue), 12), "bold red")
    elif item.kind == "after_sales":
        late = words("today.after_sales_late", days=item.days_overdue)
        status = Text(fit(late if item.days_overdue else words("today.after_sales"), 12), "bold magenta")
    elif item.kind == "downgrade":
        status = Text(fit(words("today.downgrade"), 12), "bold magenta")
    elif item.due is None:
        status = Text(fit(words("today.no_next"), 12), "bold red")
    else:
        status = Text(fit(words("today.today"), 12), "bold yellow")
    due = item.due.strftime("%m-%d") if item.due else "     "
    return Text.assemble(
        " ",
        status,
        (due + "  ", "dim"),
        (fit(c.name, 26), "bold"),
        "  ",
        fit(item.task, 26),
        "  ",
        (fit(c.owner or "", 10), "dim"),
    )


class TodayScreen(ListDialog[str | None]):
    """The chosen customer's id (enter), or None."""

    DEFAULT_CSS = "TodayScreen > #dialog { width: 96; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("o", "toggle_owner", "key.owner")]

    def __init__(
        self, customers: list[Customer], config: Config, today: date, owner: str | None = None
    ) -> None:
        super().__init__()
        self.customers, self.config, self.today = customers, config, today
        self.owner = owner
        self.owner_only = owner is not None

    def heading(self) -> Text:
        return titled(self.words("today.title"), str(self.today))

    def keys(self) -> tuple[tuple[str, str], ...]:
        mine = (("o", "key.mine_all"),) if self.owner else ()
        return (("↑↓ enter", "key.open_customer"), *mine, ("esc", "key.close"))

    def contents(self) -> tuple[Text, list[Option | None]]:
        words = self.words
        items = today_items(self.customers, self.config, self.today, self.owner if self.owner_only else None)
        options: list[Option | None] = []
        shown: set[str] = set()
        for priority, group in groupby(items, key=lambda i: i.priority):
            members = list(group)
            if options:
                options.append(None)  # a separator line between groups
            label = members[0].label_en if words.english else members[0].label
            head = Text.assemble(
                (f"{priority} {label}", "bold"), (words("today.group_count", count=len(members)), "dim")
            )
            options.append(Option(head, id=f"/priority/{priority}", disabled=True))  # "/" is in no file stem
            for item in members:
                cid = item.customer.id  # a customer's second row (after-sales and a re-grade): id/priority
                options.append(
                    Option(item_line(item, words), id=cid if cid not in shown else f"{cid}/{priority}")
                )
                shown.add(cid)
        overdue = sum(1 for i in items if i.overdue)
        none = sum(1 for i in items if i.kind == "no_next")
        after = sum(1 for i in items if i.kind in ("after_sales", "downgrade"))
        due_today = len(items) - overdue - none - after
        mine = self.owner_only and self.owner
        who = words("today.owner", owner=self.owner) if mine else words("today.everyone")
        summary = Text.assemble(
            (words("today.count_overdue", count=overdue), "bold red" if overdue else "dim"),
            "  ·  ",
            (words("today.count_no_next", count=none), "bold red" if none else "dim"),
            "  ·  ",
            (words("today.count_today", count=due_today), "bold yellow" if due_today else "dim"),
            "  ·  ",
            (words("today.count_after_sales", count=after), "bold magenta" if after else "dim"),
            "  ·  ",
            (who, "dim"),
        )
        if not items:
            summary.append("\n" + words("today.nothing"), "green")
        return summary, options

    def action_toggle_owner(self) -> None:
        if self.owner is not None:
            self.owner_only = not self.owner_only
            self.fill()

    def picked(self, option_id: str) -> str | None:
        return option_id.partition("/")[0] or None
