"""A stage column: a header and a virtual card list drawn with the line API.

`CardList` is a `ScrollView` whose virtual height is cards x CARD_HEIGHT; `render_line`
draws only the visible lines, from strips cached per (customer version, width, language,
today) in an LRU shared by every column (the Toolong pattern). Selection is by customer
id, so it survives a reload; the scroll offset is left alone.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import HorizontalScroll, Vertical
from textual.events import Click, Resize
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from pipeline.config import Config, Stage
from pipeline.model import Customer

from ..labels import Labels, labels
from ..textout import money, safe
from ..viewmodel import Totals
from .card import CARD_HEIGHT, card_lines
from .fit import Fit, first_shown, fit_columns

CacheKey = tuple[object, ...]


class CardPainter:
    """Card strips for every column, cached; a new config, day or language starts afresh."""

    def __init__(self, console: Console, maxsize: int = 4096) -> None:
        self.console = console
        self.config = Config()
        self.today = date.min
        self.words = labels()
        self.generation = 0  # bumped whenever the cached strips are thrown away
        self.conflicted: frozenset[str] = frozenset()  # customers whose files git left conflicted
        self._cache: LRUCache[CacheKey, list[Strip]] = LRUCache(maxsize)
        self.marks: Container[str] = frozenset()  # ids of the marked cards (tuiboard/marks.py)

    def set_context(self, config: Config, today: date, words: Labels) -> None:
        if config is not self.config or today != self.today or words is not self.words:
            self._cache.clear()
            self.generation += 1
        self.config, self.today, self.words = config, today, words

    def set_conflicted(self, ids: frozenset[str]) -> None:
        if ids != self.conflicted:
            self.conflicted = ids
            self.generation += 1

    def strips(self, customer: Customer, width: int) -> list[Strip]:
        conflicted = customer.id in self.conflicted
        key = (customer.id, customer.fingerprint, customer.problems, width, conflicted)
        cached = self._cache.get(key)
        if cached is None:
            lines = card_lines(customer, self.config, self.today, width, self.words, conflicted)
            cached = [Strip(list(line.render(self.console, end="")), width) for line in lines]
            self._cache[key] = cached
        return cached

    def mark_rule(self, width: int) -> Strip:
        """A marked card's last line: ``✔ ━━━━`` instead of the thin rule."""
        return Strip(
            list(Text("✔ " + "━" * (width - 2), style="bold green").render(self.console, end="")), width
        )


class CardList(ScrollView, can_focus=True, inherit_bindings=False):
    """The cards of one stage, virtualised."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-list--cursor",
        "card-list--cursor-blurred",
        "card-list--marked",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "nav.up", show=False),
        Binding("down,j", "cursor(1)", "nav.down", show=False),
        Binding("pageup", "page(-1)", "nav.page_up", show=False),
        Binding("pagedown", "page(1)", "nav.page_down", show=False),
        Binding("home", "first", "nav.first", show=False),
        Binding("end", "last", "nav.last", show=False),
    ]
    DEFAULT_CSS = """
    CardList { height: 1fr; overflow-x: hidden; scrollbar-size-vertical: 1; }
    CardList > .card-list--cursor { background: $accent 45%; }
    CardList > .card-list--cursor-blurred { background: $accent 15%; }
    CardList > .card-list--marked { background: $success 20%; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(self, stage: Stage, painter: CardPainter) -> None:
        super().__init__(id=f"cards-{stage.id}")
        self.stage = stage
        self.painter = painter
        self.cards: list[Customer] = []
        self._index: dict[str, int] = {}
        self.selected_id: str | None = None
        self._drawn_generation = -1

    @property
    def selected(self) -> Customer | None:
        return self.cards[self.cursor] if 0 <= self.cursor < len(self.cards) else None

    def set_cards(self, cards: list[Customer]) -> None:
        """New contents: the same customer stays selected, else the same position.

        The same customers in the same order, drawn the same way, change nothing: a reload of
        one file then repaints only the column(s) it touched.
        """
        if cards == self.cards and self._drawn_generation == self.painter.generation:
            return  # `==` on lists of the same objects is an identity check per item: cheap
        self._drawn_generation = self.painter.generation
        self.cards = cards
        self._index = {c.id: i for i, c in enumerate(cards)}
        keep = self._index.get(self.selected_id or "")
        cursor = keep if keep is not None else min(self.cursor, max(0, len(cards) - 1))
        self._update_virtual_size()
        self.cursor = cursor
        self.refresh()

    def select_id(self, customer_id: str) -> bool:
        index = self._index.get(customer_id)
        if index is None:
            return False
        self.cursor = index
        return True

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.cards) * CARD_HEIGHT)

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.cards) - 1)) if self.cards else 0

    def watch_cursor(self, old: int, new: int) -> None:
        card = self.selected
        self.selected_id = card.id if card else None
        for index in {old, new}:
            self.refresh(Region(0, index * CARD_HEIGHT - round(self.scroll_y), self.size.width, CARD_HEIGHT))
        if card is not None:
            self.scroll_to_region(
                Region(0, new * CARD_HEIGHT, self.size.width, CARD_HEIGHT), animate=False, immediate=True
            )

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, step: int) -> None:
        self.cursor += step * max(1, self.scrollable_content_region.height // CARD_HEIGHT)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.cards) - 1

    def on_resize(self, event: Resize) -> None:
        self._update_virtual_size()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: Click) -> None:
        index = (event.y + round(self.scroll_y)) // CARD_HEIGHT
        if 0 <= index < len(self.cards):
            self.cursor = index

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + round(self.scroll_y)
        index, row = divmod(line, CARD_HEIGHT)
        base = self.rich_style
        if not 0 <= index < len(self.cards):
            return Strip.blank(width, base)
        card = self.cards[index]
        strip = self.painter.strips(card, width)[row]
        if card.id in self.painter.marks:
            last = row == CARD_HEIGHT - 1
            marked = self.get_component_rich_style("card-list--marked")
            strip = self.painter.mark_rule(width) if last else strip.apply_style(marked)
        if index == self.cursor:
            name = "card-list--cursor" if self.has_focus else "card-list--cursor-blurred"
            strip = strip.apply_style(self.get_component_rich_style(name))
        return strip.apply_style(base)


class ColumnHeader(Widget):
    """Two lines: the stage label and card count; the sum of amounts and the weighted sum."""

    DEFAULT_CSS = "ColumnHeader { height: 2; padding: 0 1; background: $panel; }"

    def __init__(self, stage: Stage) -> None:
        super().__init__()
        self.stage = stage
        self.sums = Totals()
        self.currency = "CNY"
        self.words = labels()
        self.partial = False  # a cold start's partial board: the figures can only grow (≥)

    def show(self, sums: Totals, currency: str, words: Labels, partial: bool = False) -> None:
        if (sums, currency, words, partial) != (self.sums, self.currency, self.words, self.partial):
            self.sums, self.currency, self.words, self.partial = sums, currency, words, partial
            self.refresh()

    def render(self) -> Text:
        at_least = "≥" if self.partial else ""
        count = f"{at_least}{self.sums.count}"
        label = Text(safe(self.stage.title(self.words.english)), style="bold")
        label.truncate(max(1, self.size.width - len(count) - 1), overflow="ellipsis")
        gap = max(1, self.size.width - label.cell_len - len(count))
        text = Text.assemble(label, " " * gap, (count, "bold"), "\n")
        total = f"Σ {at_least}{money(self.sums.amount, self.currency)}"
        weighted = f"  {self.words('column.weighted')} {at_least}{money(self.sums.weighted, self.currency)}"
        text.append(total)
        if cell_len(total + weighted) <= self.size.width:  # only whole: a narrow column shows Σ alone
            text.append(weighted, style="dim")
        return text


class ColumnsRow(HorizontalScroll, can_focus=False, inherit_bindings=False):
    """The columns side by side, as wide as `fit_columns` says; it scrolls sideways a whole
    column at a time to the focused one (so no card is cut), and takes no keys."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fit = Fit((), 0)
        self.first = 0  # the leftmost whole column on screen

    def lay_out(self, columns: list[StageColumn], width: int, density: str) -> None:
        self.fit = fit_columns(width, [c.stage.kind for c in columns], density)
        for column, each in zip(columns, self.fit.widths, strict=True):
            column.styles.width = each
        self.styles.width = self.fit.viewport or "1fr"
        self.first = first_shown(self.fit, self.first, self.first)
        self.call_after_refresh(self._scroll_to_first)

    def bring_into_view(self, index: int) -> None:
        self.first = first_shown(self.fit, self.first, index)
        self.call_after_refresh(self._scroll_to_first)

    def _scroll_to_first(self) -> None:
        self.scroll_to(x=sum(self.fit.widths[: self.first]), animate=False, immediate=True)


class StageColumn(Vertical):
    """Header plus cards for one stage."""

    DEFAULT_CSS = """
    StageColumn { width: 30; height: 1fr; border-right: vkey $panel-lighten-1; }
    StageColumn:focus-within > ColumnHeader { background: $accent 40%; }
    """

    def __init__(self, stage: Stage, painter: CardPainter) -> None:
        super().__init__(id=f"column-{stage.id}")
        self.stage = stage
        self.cards = CardList(stage, painter)
        self.header = ColumnHeader(stage)

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.cards

    def show(
        self, cards: list[Customer], sums: Totals, currency: str, words: Labels, partial: bool = False
    ) -> None:
        self.header.show(sums, currency, words, partial)
        self.cards.set_cards(cards)
