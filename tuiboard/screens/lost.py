"""Marking a customer lost: a reason is required, picked from pipeline.toml's list or typed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pipeline.problems import printable

from ..widgets.fields import FormField, Required
from .dialog import Dialog, titled


class LostReasonScreen(Dialog[str | None]):
    """The reason (non-empty, stripped), or None on escape."""

    DEFAULT_CSS = """
    LostReasonScreen OptionList { height: auto; max-height: 12; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit_typed", "key.ok", show=False)]
    KEYS = (("↑↓ enter", "key.pick_reason"), ("tab", "key.type_reason"), ("esc", "key.cancel"))

    def __init__(self, reasons: Sequence[str], customer_name: str) -> None:
        super().__init__()
        self.reasons = [r for r in reasons if r.strip()]
        self.customer_name = customer_name

    def heading(self) -> Text:
        return titled(self.words("lost.title"), name=self.customer_name)

    def compose_body(self) -> ComposeResult:
        if self.reasons:
            yield OptionList(*(Option(Text(printable(r)), id=str(i)) for i, r in enumerate(self.reasons)))
        else:
            yield Static(Text(self.words("lost.no_reasons")), classes="muted")
        typed = Input(
            placeholder=self.words("lost.placeholder"), validators=[Required(self.words)], compact=True
        )
        yield FormField(self.words("lost.other"), typed)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])

    @on(Input.Submitted)
    def action_submit_typed(self) -> None:
        if self.form_valid():
            self.dismiss(self.query_one(Input).value.strip())
