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

from ..widgets.fields import FormField, Required, When
from .dialog import Dialog, titled

KIND_LABELS = {
    "call": "电话",
    "visit": "拜访",
    "email": "邮件",
    "demo": "演示",
    "meeting": "会议",
    "note": "备注",
}


class LogEntryScreen(Dialog[tuple[str, str, date] | None]):
    """(kind, note, day): kind from pipeline.model.LOG_KINDS, note non-empty and stripped, the
    day not in the future."""

    DEFAULT_CSS = """
    LogEntryScreen RadioSet { width: 1fr; height: auto; layout: grid; grid-size: 3; margin-bottom: 1; }
    LogEntryScreen RadioButton { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "保存 Save", priority=True),
        *(Binding(f"f{i}", f"kind('{kind}')", kind, show=False) for i, kind in enumerate(LOG_KINDS, 1)),
    ]
    KEYS = (
        (f"F1-F{len(LOG_KINDS)}", "类型 kind"),
        ("enter/^s", "保存 save"),
        ("esc", "取消 cancel"),
    )

    def __init__(self, customer_name: str, today: date) -> None:
        super().__init__(titled("记录跟进 Log activity", name=customer_name))
        self.today = today

    def compose_body(self) -> ComposeResult:
        with RadioSet(compact=True):
            for i, kind in enumerate(LOG_KINDS, 1):
                label = Text.assemble(f"{KIND_LABELS[kind]} {kind} ", (f"F{i}", "dim"))
                yield RadioButton(label, value=i == 1, name=kind)
        note = Input(placeholder="聊了什么 what happened", id="note", compact=True)
        note.validators = [Required("a note")]
        yield FormField("内容 Note", note)
        when = Input(
            self.today.isoformat(),
            validators=[Required("the date"), When(self.today, not_after=self.today)],
            id="date",
            compact=True,
        )
        yield FormField("日期 Date", when)

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @property
    def kind(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else LOG_KINDS[0]

    def action_kind(self, kind: str) -> None:
        next(b for b in self.query(RadioButton) if b.name == kind).value = True

    @on(Input.Submitted)
    def action_submit(self) -> None:
        if self.form_valid():
            when = parse_when(self.query_one("#date", Input).value, self.today)
            self.dismiss((self.kind, self.query_one("#note", Input).value.strip(), when))
