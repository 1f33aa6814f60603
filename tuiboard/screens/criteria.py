"""Before a move on: the target stage's entry criteria as a checklist the rep confirms or skips."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widgets import SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist

from pipeline.config import Stage
from pipeline.problems import printable

from .dialog import Dialog, titled

TICKED, UNTICKED = "✓", " "


class Checklist(SelectionList[int]):
    """A SelectionList whose box shows ✓ or nothing (Textual draws ``X`` in both states)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) > 1:
            box = segments[1]
            segments[1] = Segment(TICKED if option.value in self.selected else UNTICKED, box.style)
        return Strip(segments, strip.cell_length)


class CriteriaScreen(Dialog[list[str] | None]):
    """The ticked criteria, in the stage's order (enter), or ``[]`` (``s``: checklist skipped):
    either moves the card, and the move's history entry records them; None (escape) cancels.

    Enter with nothing ticked does not move: that is what ``s`` is for, and it says so.
    """

    DEFAULT_CSS = """
    CriteriaScreen SelectionList { height: auto; max-height: 16; }
    CriteriaScreen #ticked { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "key.move", priority=True),
        Binding("s", "skip", "key.skip"),
        Binding("a", "tick_all", "key.tick_all"),
    ]
    KEYS = (
        ("space", "key.tick"),
        ("a", "key.tick_all"),
        ("enter", "key.move"),
        ("s", "key.skip"),
        ("esc", "key.cancel"),
    )

    def __init__(self, stage: Stage, customer_name: str) -> None:
        super().__init__()
        self.stage, self.customer_name = stage, customer_name

    def heading(self) -> Text:
        stage = printable(self.stage.title(self.words.english))
        return titled(self.words("criteria.title", stage=stage), name=self.customer_name)

    def compose_body(self) -> ComposeResult:
        if not self.stage.criteria:
            yield Static(Text(self.words("criteria.none")), classes="muted")
            return
        yield Static(Text(self.words("criteria.heading")), classes="muted")
        yield Checklist(*((Text(printable(c)), i) for i, c in enumerate(self.stage.criteria)))
        yield Static(self._ticked_text(0), id="ticked", markup=False)

    @on(SelectionList.SelectedChanged)
    def _count(self, event: SelectionList.SelectedChanged[int]) -> None:
        self.query_one("#ticked", Static).update(self._ticked_text(len(event.selection_list.selected)))

    def _ticked_text(self, ticked: int) -> Text:
        total = len(self.stage.criteria)
        style = "green" if ticked == total else "yellow"
        return Text.assemble((f"{ticked}/{total}", f"bold {style}"), self.words("criteria.confirmed"))

    def action_tick_all(self) -> None:
        for selections in self.query(SelectionList):
            selections.select_all()

    def action_confirm(self) -> None:
        if self.stage.criteria and not self.query_one(Checklist).selected:
            self.say(self.words("criteria.nothing_ticked"))
            return
        ticked = set(self.query_one(Checklist).selected) if self.stage.criteria else set()
        self.dismiss([c for i, c in enumerate(self.stage.criteria) if i in ticked])

    def action_skip(self) -> None:
        self.dismiss([])
