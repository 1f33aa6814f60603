"""Setting the next action: its text and a due date, with quick picks and the cadence default."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pipeline import rules
from pipeline.config import Config
from pipeline.model import Customer
from pipeline.parse_input import parse_when
from pipeline.problems import printable

from ..widgets.fields import FormField, Required, When
from .dialog import Dialog, after_typing, titled

# (key, offset or "default"): F-keys, so nothing is typed into the fields; each a button
# worded ``next.pick.<offset>``.
PICKS = (("f1", "+1d"), ("f2", "+1w"), ("f3", "+1q"), ("f4", "default"))


class NextActionScreen(Dialog[tuple[str | None, date] | None]):
    """(action, due), the action None when it was not retyped (the file's text stays); refused
    while the action is empty or the date is bad or in the past."""

    DEFAULT_CSS = """
    NextActionScreen #current { height: auto; margin-bottom: 1; }
    NextActionScreen #picks { height: auto; padding-left: 18; }
    NextActionScreen #picks Button { min-width: 10; margin-right: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "key.save", priority=True),
        *(Binding(key, f"pick('{offset}')", f"next.pick.{offset}", show=False) for key, offset in PICKS),
    ]
    KEYS = (
        ("F1/F2/F3", "key.plus_day_week_quarter"),
        ("F4", "key.cadence"),
        ("enter/^s", "key.save"),
        ("esc", "key.cancel"),
    )

    def __init__(self, customer: Customer, config: Config, today: date, *, cadence: bool = False) -> None:
        """The due field starts at the current due (editing the text keeps the date), or at the
        cadence default when there is none or ``cadence`` is asked for (after logging a contact)."""
        super().__init__()
        self.customer, self.config, self.today = customer, config, today
        self.default = rules.default_due(customer, config, today)
        self.start = self.default if cadence or customer.next_due is None else customer.next_due
        self.shown_action = printable(customer.next_action or "")  # control characters made visible

    def heading(self) -> Text:
        return titled(self.words("next.title"), name=self.customer.name)

    def compose_body(self) -> ComposeResult:
        yield Static(self._current(), id="current", markup=False)
        action = Input(
            self.shown_action,
            validators=[Required(self.words)],
            id="action",
            compact=True,
        )
        yield FormField(self.words("next.action"), action)
        due = Input(
            self.start.isoformat(),
            validators=[When(self.words, self.today, not_before=self.today)],
            id="due",
            compact=True,
        )
        yield FormField(self.words("next.due"), due)
        with Horizontal(id="picks"):
            for key, offset in PICKS:
                button = Button(
                    f"{self.words(f'next.pick.{offset}')} {key.upper()}", name=offset, compact=True
                )
                button.can_focus = False  # tab moves between the two fields; the F-keys pick
                yield button

    def _current(self) -> Text:
        c = self.customer
        days = rules.follow_up_days(c, self.config)
        words = self.words
        text = Text(words("next.now"), style="dim")
        if c.next_action or c.next_due:
            text.append(printable(c.next_action or "—"))
            text.append(f"  {c.next_due or '—'}")
            if rules.due_status(c, self.today) is rules.DueStatus.OVERDUE:
                text.append(f"  {words('next.overdue')}", style="bold red")
        else:
            text.append(words("next.none"), style="yellow")
        text.append("\n" + words("next.cadence", days=days, due=self.default), style="dim")
        return text

    def on_mount(self) -> None:
        self.query_one("#action", Input).focus()

    def action_pick(self, offset: str) -> None:
        when = self.default if offset == "default" else parse_when(offset, self.today)
        self.query_one("#due", Input).value = when.isoformat()

    @on(Button.Pressed)
    def _clicked(self, event: Button.Pressed) -> None:
        self.action_pick(event.button.name or "default")

    @on(Input.Submitted)
    @after_typing
    def action_submit(self) -> None:
        if self.form_valid():
            typed = self.query_one("#action", Input).value
            # Not retyped: None keeps the file's text (what is shown may be its escaped form).
            kept = self.customer.next_action is not None and typed == self.shown_action
            action = None if kept else typed.strip()
            self.dismiss((action, parse_when(self.query_one("#due", Input).value, self.today)))
