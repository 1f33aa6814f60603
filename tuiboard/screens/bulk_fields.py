"""Owner, tier and tags for every marked card at once (``e`` with marks): only what is filled in is set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Select

from pipeline.actions import Fields
from pipeline.config import Config
from pipeline.parse_input import parse_tags
from pipeline.problems import printable

from ..widgets.fields import FormField
from .dialog import Dialog, after_typing, titled


@dataclass(frozen=True, slots=True)
class BulkEdit:
    """What to do to each marked customer: fields to set, tags to add (to those it lacks)."""

    fields: Fields
    tags: tuple[str, ...] = ()


class BulkFieldsScreen(Dialog[BulkEdit | None]):
    """The edit for each marked customer (empty when nothing was filled in), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "key.save", priority=True)]
    KEYS = (("tab", "key.next_field"), ("enter/^s", "key.save"), ("esc", "key.cancel"))

    def __init__(self, config: Config, who: str) -> None:
        super().__init__()
        self.config, self.who = config, who  # the customers, named (board/bulk.py)

    def heading(self) -> Text:
        return titled(self.words("bulk.title"), name=self.who)

    def compose_body(self) -> ComposeResult:
        unchanged = self.words("bulk.unchanged")
        yield FormField(self.words("bulk.owner"), Input(placeholder=unchanged, id="owner", compact=True))
        tiers = [
            (Text(printable(f"{t.label} {t.id}" if t.label != t.id else t.id)), t.id)
            for t in self.config.tiers
        ]
        yield FormField(self.words("bulk.tier"), Select(tiers, prompt=unchanged, id="tier", compact=True))
        tags = Input(placeholder=self.words("bulk.tag_hint"), id="tags", compact=True)
        yield FormField(self.words("bulk.add_tag"), tags)

    def on_mount(self) -> None:
        self.query_one("#owner", Input).focus()

    @on(Input.Submitted)
    @after_typing
    def action_submit(self) -> None:
        fields: dict[tuple[str, ...], str] = {}
        owner = self.query_one("#owner", Input).value.strip()
        if owner:
            fields[("owner",)] = owner
        tier = self.query_one("#tier", Select).value
        if isinstance(tier, str):  # Select.BLANK: each card keeps its tier
            fields[("tier",)] = tier
        tags = parse_tags(self.query_one("#tags", Input).value)
        self.dismiss(BulkEdit(fields, tuple(dict.fromkeys(tags))))
