"""Owner and tier for every marked card at once (``e`` with marks): only what is filled in is set."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Select

from pipeline.actions import Fields
from pipeline.config import Config
from pipeline.problems import printable

from ..widgets.fields import FormField
from .dialog import Dialog, titled


class BulkFieldsScreen(Dialog[Fields | None]):
    """The fields to set on each marked customer ({} when nothing was filled in), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "保存 Save", priority=True)]
    KEYS = (("tab", "下一项 next"), ("enter/^s", "保存 save"), ("esc", "取消 cancel"))

    def __init__(self, config: Config, count: int, english: bool = False) -> None:
        super().__init__(
            titled("批量修改 Set for all", name=f"{count} customers" if english else f"{count} 个客户")
        )
        self.config = config

    def compose_body(self) -> ComposeResult:
        owners = Input(placeholder="不变 unchanged", id="owner", compact=True)
        yield FormField("负责人 Owner", owners)
        tiers = [
            (Text(printable(f"{t.label} {t.id}" if t.label != t.id else t.id)), t.id)
            for t in self.config.tiers
        ]
        yield FormField("级别 Tier", Select(tiers, prompt="不变 unchanged", id="tier", compact=True))

    def on_mount(self) -> None:
        self.query_one("#owner", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        fields: dict[tuple[str, ...], str] = {}
        owner = self.query_one("#owner", Input).value.strip()
        if owner:
            fields[("owner",)] = owner
        tier = self.query_one("#tier", Select).value
        if isinstance(tier, str):  # Select.BLANK: each card keeps its tier
            fields[("tier",)] = tier
        self.dismiss(fields)
