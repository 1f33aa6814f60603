"""Saving the board's filter as a view: the filter dialog's ``v`` asks for a name here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.validation import ValidationResult
from textual.widgets import Input, Static

from pipeline.problems import printable
from pipeline.query import Filter
from pipeline.views import MAX_NAME, View

from ..widgets.fields import Explaining, FormField
from .dialog import Dialog, titled


@dataclass(frozen=True, slots=True)
class SaveAsView:
    """What the filter dialog returns when ``v`` was pressed: this filter, to be named and saved."""

    filter: Filter


class ViewName(Explaining):
    """1 to MAX_NAME characters; a name that exists says it will be replaced."""

    def __init__(self, existing: tuple[View, ...]) -> None:
        super().__init__()
        self.names = {v.name for v in existing}

    def validate(self, value: str) -> ValidationResult:
        name = value.strip()
        if not name or len(name) > MAX_NAME:
            return self.failure(f"1 to {MAX_NAME} characters · 名称 1 到 {MAX_NAME} 个字")
        return self.success()

    def explain(self, value: str) -> str:
        return "replaces the view of that name · 将覆盖同名视图" if value.strip() in self.names else ""


class ViewNameScreen(Dialog[str | None]):
    """The name to save the view under (stripped), or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "保存 Save", show=False)]
    KEYS = (("enter", "保存 save"), ("esc", "取消 cancel"))

    def __init__(self, flt: Filter, views: tuple[View, ...]) -> None:
        super().__init__(titled("存为视图 Save as view"))
        self.flt, self.views = flt, views

    def compose_body(self) -> ComposeResult:
        what = self.flt.describe() or "全部客户 everyone"
        yield Static(Text(f"筛选 filter: {printable(what)}"), classes="muted")
        name = Input(placeholder="我的A类", validators=[ViewName(self.views)], id="name", compact=True)
        yield FormField("名称 Name", name)
        yield Static(
            Text("pipeline.toml 中的 [views.名称]，按 1–9 切换 · keys 1–9 switch views"), classes="muted"
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        if self.form_valid():
            self.dismiss(self.query_one("#name", Input).value.strip())
