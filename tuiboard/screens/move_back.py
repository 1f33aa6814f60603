"""Moving a card back a stage: only why (optional), no checklist: the earlier stage's entry
criteria were met once already."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
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

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "key.move_back", show=False)]
    KEYS = (("enter", "key.move_back"), ("esc", "key.cancel"))

    def __init__(self, stage: Stage, customer_name: str) -> None:
        super().__init__()
        self.stage, self.customer_name = stage, customer_name

    def heading(self) -> Text:
        stage = printable(self.stage.title(self.words.english))
        return titled(self.words("back.title", stage=stage), name=self.customer_name)

    def compose_body(self) -> ComposeResult:
        reason = Input(placeholder=self.words("back.placeholder"), id="reason", compact=True)
        yield FormField(self.words("back.reason"), reason)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        self.dismiss(self.query_one("#reason", Input).value.strip())
