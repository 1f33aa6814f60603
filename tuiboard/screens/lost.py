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
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit_typed", "确定 OK", show=False)]
    KEYS = (("↑↓ enter", "选择原因 pick"), ("tab", "输入其他原因 type one"), ("esc", "取消 cancel"))

    def __init__(self, reasons: Sequence[str], customer_name: str) -> None:
        super().__init__(titled("丢单原因 Lost reason", name=customer_name))
        self.reasons = [r for r in reasons if r.strip()]

    def compose_body(self) -> ComposeResult:
        if self.reasons:
            yield OptionList(*(Option(Text(printable(r)), id=str(i)) for i, r in enumerate(self.reasons)))
        else:
            yield Static(Text("pipeline.toml 没有 lost_reasons · type the reason"), classes="muted")
        typed = Input(placeholder="输入原因 type a reason", validators=[Required("a reason")], compact=True)
        yield FormField("其他原因 Other", typed)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])

    @on(Input.Submitted)
    def action_submit_typed(self) -> None:
        if self.form_valid():
            self.dismiss(self.query_one(Input).value.strip())
