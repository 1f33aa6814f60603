"""The board filter: tiers, owners, sources and tags to pick, and three toggles. Returns a Filter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, SelectionList
from textual.widgets.selection_list import Selection

from pipeline.config import Config
from pipeline.model import Customer
from pipeline.problems import printable
from pipeline.query import Filter

from .dialog import Dialog, after_typing, titled
from .view_name import SaveAsView

TOGGLES = ("overdue", "stale", "no_next")  # Filter's flags, each worded ``filter.<flag>``


class FilterScreen(Dialog[Filter | SaveAsView | None]):
    """The new filter (its stages and search text kept from ``current``), the filter to save as
    a view (``v``), or None on escape."""

    DEFAULT_CSS = """
    FilterScreen > #dialog { width: 100; }
    FilterScreen #lists { height: auto; }
    FilterScreen SelectionList {
        width: 1fr; height: auto; max-height: 12; border: round $panel; padding: 0;
    }
    FilterScreen SelectionList:focus-within { border: round $primary; }
    FilterScreen #toggles { height: auto; margin-top: 1; }
    FilterScreen Checkbox { width: auto; margin-right: 3; }
    FilterScreen #buttons { height: auto; align-horizontal: right; }
    FilterScreen #buttons Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "key.apply", priority=True),
        Binding("ctrl+s", "apply", "key.apply", priority=True),
        Binding("r", "reset", "key.reset"),
        Binding("v", "save_view", "key.save_view"),
    ]
    KEYS = (
        ("tab", "key.next_group"),
        ("space", "key.tick"),
        ("r", "key.reset"),
        ("v", "key.save_view"),
        ("enter/^s", "key.apply"),
        ("esc", "key.cancel"),
    )

    def __init__(self, config: Config, customers: list[Customer], current: Filter) -> None:
        super().__init__()
        self.current = current
        tiers = {t.id: f"{t.label} {t.id}" if t.label != t.id else t.id for t in config.tiers}
        sources = {
            s: f"{config.source_label(s)} {s}" if config.source_label(s) != s else s for s in config.sources
        }
        owners = {c.owner for c in customers if c.owner}
        tags = {t for c in customers for t in c.tags}
        # Values the current filter holds stay visible (and ticked) even if nothing has them now.
        self.groups: dict[str, dict[str, str]] = {
            "tiers": _with(tiers, current.tiers),
            "owners": _with(dict.fromkeys(sorted(owners)), current.owners),
            "sources": _with(sources, current.sources),
            "tags": _with(dict.fromkeys(sorted(tags)), current.tags),
        }

    def heading(self) -> Text:
        return titled(self.words("filter.title"))

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="lists"):
            for group, values in self.groups.items():
                chosen: frozenset[str] = getattr(self.current, group)
                selections = SelectionList[str](
                    *(
                        Selection(Text(printable(label or value)), value, value in chosen)
                        for value, label in values.items()
                    ),
                    id=group,
                )
                selections.border_title = self.words(f"filter.{group}")
                yield selections
        with Horizontal(id="toggles"):
            for field in TOGGLES:
                yield Checkbox(
                    self.words(f"filter.{field}"), getattr(self.current, field), id=field, compact=True
                )
        with Horizontal(id="buttons"):
            for button in (
                Button(self.words("filter.reset"), id="reset"),
                Button(self.words("filter.apply"), id="apply", variant="primary"),
            ):
                button.compact = True
                button.can_focus = False  # for the mouse: enter always applies, r resets
                yield button

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_reset(self) -> None:
        for selections in self.query(SelectionList):
            selections.deselect_all()
        for box in self.query(Checkbox):
            box.value = False

    @after_typing
    def action_apply(self) -> None:
        self.dismiss(self._picked())

    def action_save_view(self) -> None:
        self.dismiss(SaveAsView(self._picked()))

    def _picked(self) -> Filter:
        # Filter's fields by widget id: its sets from the lists, its flags from the boxes.
        picked: dict[str, Any] = {s.id: frozenset(s.selected) for s in self.query(SelectionList) if s.id}
        toggles: dict[str, Any] = {box.id: box.value for box in self.query(Checkbox) if box.id}
        return Filter(
            **picked, **toggles, stages=self.current.stages, text=self.current.text, due=self.current.due
        )

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        if event.button.id == "reset":
            self.action_reset()
        else:
            self.action_apply()


def _with(values: Mapping[str, str | None], chosen: Iterable[str]) -> dict[str, str]:
    out = {k: v or k for k, v in values.items()}
    out.update({v: v for v in sorted(chosen) if v not in out})
    return out
