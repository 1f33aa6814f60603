"""Find anyone in two keys: `g` (or the command palette) with a few letters of a name, id,
contact, phone or pinyin (``hzzl`` -> 杭州中联软件); enter focuses the card.

Both use `pipeline.search`, the matcher behind `/` too (the palette's provider is
`tuiboard.board.palette`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from pipeline import search
from pipeline.config import Config
from pipeline.model import Customer
from pipeline.problems import printable

from ..labels import Labels
from .dialog import Dialog

LIMIT = 12


def describe(c: Customer, config: Config, words: Labels) -> Text:
    """``杭州中联软件有限公司  意向客户 · 王磊 · hangzhou-zhonglian``: one line per customer."""
    stage = config.stage(c.stage)
    text = Text(printable(c.name), style="bold")
    text.append(f"  {printable(stage.title(words.english)) if stage else printable(c.stage)}", style="dim")
    if c.contact:
        text.append(f" · {printable(c.contact)}", style="dim")
    text.append(f" · {printable(c.id)}", style="dim")
    return text


class JumpScreen(Dialog[str | None]):
    """The chosen customer's id, or None on escape."""

    DEFAULT_CSS = """
    JumpScreen OptionList { height: auto; max-height: 14; margin-top: 1; border: none; padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
    ]
    KEYS = (("↑↓", "key.pick"), ("enter", "key.go"), ("esc", "key.cancel"))

    def __init__(self, customers: Sequence[Customer], config: Config) -> None:
        super().__init__()
        self.customers, self.config = customers, config
        self.hits: list[Customer] = []

    def heading(self) -> Text:
        return Text(self.words("jump.title"), style="bold")

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.words("jump.placeholder"), id="query", compact=True)
        yield OptionList(id="hits")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        self.hits = search.rank(self.customers, event.value, LIMIT) if event.value.strip() else []
        hits.add_options(Option(describe(c, self.config, self.words), id=c.id) for c in self.hits)
        if self.hits:
            hits.highlighted = 0

    def action_move(self, step: int) -> None:
        hits = self.query_one("#hits", OptionList)
        if self.hits:
            hits.highlighted = max(0, min(len(self.hits) - 1, (hits.highlighted or 0) + step))

    @on(Input.Submitted, "#query")
    def _go(self) -> None:
        highlighted = self.query_one("#hits", OptionList).highlighted
        if self.hits:
            self.dismiss(self.hits[highlighted or 0].id)

    @on(OptionList.OptionSelected, "#hits")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
