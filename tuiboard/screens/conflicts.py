"""The conflicts view: every customer a merge or rebase left conflicted; enter settles one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pipeline.problems import printable
from pipeline.settle import Conflict

from .dialog import Dialog, titled


@dataclass(frozen=True, slots=True)
class Conflicted:
    customer_id: str
    name: str
    path: Path  # the customer file
    conflict: Conflict


class ConflictsScreen(Dialog[str | None]):
    """The id of the customer to settle (enter), or None."""

    DEFAULT_CSS = """
    ConflictsScreen > #dialog { width: 90; }
    ConflictsScreen OptionList { height: auto; max-height: 70vh; }
    ConflictsScreen #summary { height: auto; margin-bottom: 1; }
    """
    KEYS = (("↑↓", "选择 pick"), ("enter", "解决 settle"), ("esc", "关闭 close"))

    def __init__(self, conflicted: list[Conflicted]) -> None:
        super().__init__(titled("冲突 Conflicts"))
        self.conflicted = conflicted

    def compose_body(self) -> ComposeResult:
        n = len(self.conflicted)
        if n:
            summary = Text(
                f"{n} 个客户有合并冲突，解决后按 S 同步 · {n} conflicted: settle each, then S syncs",
                style="bold red",
            )
        else:
            summary = Text("没有冲突 · no conflicts", style="green")
        yield Static(summary, id="summary", markup=False)
        options = [Option(self._row(c), id=c.customer_id) for c in self.conflicted]
        yield OptionList(*options)

    @staticmethod
    def _row(c: Conflicted) -> Text:
        text = Text("⚡ ", style="bold red")
        text.append(printable(c.name), style="bold")
        if c.conflict.whole_file:
            text.append(f"   整个文件 whole file: {printable(c.conflict.reason)}", style="dim")
        else:
            fields = ", ".join(printable(f.field) for f in c.conflict.fields)
            text.append(f"   {fields}", style="dim")
        return text

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _settle(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
