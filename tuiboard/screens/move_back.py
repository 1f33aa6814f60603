"""Moving a card back a stage: only why (optional), no checklist: the earlier stage's entry
criteria were met once already."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from pipeline.config import Stage
from pipeline.problems import printable

from ..widgets.fields import FormField
from .dialog import Dialog, titled


class MoveBackScreen(Dialog[str | None]):
    """The reason, stripped ("" when none was typed); None on escape (nothing moves)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "退回 Move back", show=False)]
    KEYS = (("enter", "退回 move back"), ("esc", "取消 cancel"))

    def __init__(self, stage: Stage, customer_name: str, english: bool = False) -> None:
        verb = "Move back to" if english else "退回到"
        super().__init__(titled(f"{verb} {printable(stage.title(english))}", name=customer_name))

    def compose_body(self) -> ComposeResult:
        reason = Input(placeholder="为什么退回（可不填） why, optional", id="reason", compact=True)
        yield FormField("原因 Reason", reason)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        self.dismiss(self.query_one("#reason", Input).value.strip())
