"""The conflicts view: every customer a merge or rebase left conflicted; enter settles one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.widgets.option_list import Option

from pipeline.problems import printable
from pipeline.settle import Conflict

from ..labels import Labels
from .dialog import ListDialog, titled


@dataclass(frozen=True, slots=True)
class Conflicted:
    customer_id: str
    name: str
    path: Path  # the customer file
    conflict: Conflict


class ConflictsScreen(ListDialog[str | None]):
    """The id of the customer to settle (enter), or None."""

    DEFAULT_CSS = "ConflictsScreen > #dialog { width: 90; }"
    KEYS = (("↑↓", "key.pick"), ("enter", "key.settle"), ("esc", "key.close"))

    def __init__(self, conflicted: list[Conflicted]) -> None:
        super().__init__()
        self.conflicted = conflicted

    def heading(self) -> Text:
        return titled(self.words("conflicts.title"))

    def contents(self) -> tuple[Text, list[Option | None]]:
        n = len(self.conflicted)
        if n:
            summary = Text(self.words("conflicts.summary", count=n), style="bold red")
        else:
            summary = Text(self.words("conflicts.none"), style="green")
        return summary, [Option(self._row(c, self.words), id=c.customer_id) for c in self.conflicted]

    def picked(self, option_id: str) -> str | None:
        return option_id

    @staticmethod
    def _row(c: Conflicted, words: Labels) -> Text:
        text = Text("⚡ ", style="bold red")
        text.append(printable(c.name), style="bold")
        if c.conflict.whole_file:
            text.append(f"   {words('settle.whole_file')}: {printable(c.conflict.reason)}", style="dim")
        else:
            fields = ", ".join(printable(f.field) for f in c.conflict.fields)
            text.append(f"   {fields}", style="dim")
        return text
