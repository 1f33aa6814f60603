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

from ..labels import Labels
from ..widgets.fields import Explaining, FormField
from .dialog import Dialog, titled


@dataclass(frozen=True, slots=True)
class SaveAsView:
    """What the filter dialog returns when ``v`` was pressed: this filter, to be named and saved."""

    filter: Filter


class ViewName(Explaining):
    """1 to MAX_NAME characters; a name that exists says it will be replaced."""

    def __init__(self, existing: tuple[View, ...], words: Labels) -> None:
        super().__init__()
        self.names = {v.name for v in existing}
        self.words = words

    def validate(self, value: str) -> ValidationResult:
        name = value.strip()
        if not name or len(name) > MAX_NAME:
            return self.failure(self.words("view.name_length", most=MAX_NAME))
        return self.success()

    def explain(self, value: str) -> str:
        return self.words("view.replaces") if value.strip() in self.names else ""


class ViewNameScreen(Dialog[str | None]):
    """The name to save the view under (stripped), or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "key.save", show=False)]
    KEYS = (("enter", "key.save"), ("esc", "key.cancel"))

    def __init__(self, flt: Filter, views: tuple[View, ...]) -> None:
        super().__init__()
        self.flt, self.views = flt, views

    def heading(self) -> Text:
        return titled(self.words("view.title"))

    def compose_body(self) -> ComposeResult:
        words = self.words
        what = printable(self.flt.describe()) or words("view.everyone")
        yield Static(Text(f"{words('title.filter')}: {what}"), classes="muted")
        name = Input(placeholder="我的A类", validators=[ViewName(self.views, words)], id="name", compact=True)
        yield FormField(words("view.name"), name)
        yield Static(Text(words("view.hint")), classes="muted")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        if self.form_valid():
            self.dismiss(self.query_one("#name", Input).value.strip())
