"""Logging an activity: its kind (call, visit, email, demo, meeting, note), a note and the day
it happened (today unless changed: a call yesterday is logged the morning after)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, RadioButton, RadioSet

from pipeline.model import LOG_KINDS
from pipeline.parse_input import parse_when

from ..labels import labels
from ..widgets.fields import FormField, Required, When
from .dialog import Dialog, after_typing, titled

KIND_LABELS = {kind: labels()(f"kind.{kind}") for kind in LOG_KINDS}  # Chinese, for the details


class LogEntryScreen(Dialog[tuple[str, str, date] | None]):
    """(kind, note, day): kind from pipeline.model.LOG_KINDS, note non-empty and stripped, the
    day not in the future."""

    DEFAULT_CSS = """
    LogEntryScreen RadioSet { width: 1fr; height: auto; layout: grid; grid-size: 3; margin-bottom: 1; }
    LogEntryScreen RadioButton { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "key.save", priority=True),
        *(
            Binding(f"f{i}", f"kind('{kind}')", f"kind.{kind}", show=False)
            for i, kind in enumerate(LOG_KINDS, 1)
        ),
    ]
    KEYS = (
        (f"F1-F{len(LOG_KINDS)}", "key.kind"),
        ("enter/^s", "key.save"),
        ("esc", "key.cancel"),
    )

    def __init__(self, customer_name: str, today: date) -> None:
        super().__init__()
        self.customer_name, self.today = customer_name, today

    def heading(self) -> Text:
        return titled(self.words("log.title"), name=self.customer_name)

    def compose_body(self) -> ComposeResult:
        with RadioSet(compact=True):
            for i, kind in enumerate(LOG_KINDS, 1):
                label = Text.assemble(f"{self.words(f'kind.{kind}')} ", (f"F{i}", "dim"))
                yield RadioButton(label, value=i == 1, name=kind)
        note = Input(placeholder=self.words("log.note_placeholder"), id="note", compact=True)
        note.validators = [Required(self.words)]
        yield FormField(self.words("log.note"), note)
        when = Input(
            self.today.isoformat(),
            validators=[Required(self.words), When(self.words, self.today, not_after=self.today)],
            id="date",
            compact=True,
        )
        yield FormField(self.words("log.date"), when)

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @property
    def kind(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else LOG_KINDS[0]

    def action_kind(self, kind: str) -> None:
        next(b for b in self.query(RadioButton) if b.name == kind).value = True

    @on(Input.Submitted)
    @after_typing
    def action_submit(self) -> None:
        if self.form_valid():
            when = parse_when(self.query_one("#date", Input).value, self.today)
            self.dismiss((self.kind, self.query_one("#note", Input).value.strip(), when))
