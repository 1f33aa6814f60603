"""The board's one-line key bar: as many keys as the width holds, `?` and `q` always at the end.

Textual's Footer lays its keys out left to right and clips (or overprints) whatever does not
fit, so below ~115 columns `?` and `q` vanished. Here the line is a pure function of the
width: keys are dropped from the end of the table first, and the pinned keys never are.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from ..keymap import KEYS, PINNED, Key
from ..labels import Labels, labels

KEY_STYLE = "bold #ffa62b"
GAP = "  "


def key_display(key: Key) -> str:
    return key.display or key.keys.split(",")[0]


def _item(key: str, word: str) -> Text:
    return Text.assemble((key, KEY_STYLE), " ", word)


def key_items(words: Labels, searching: bool) -> tuple[list[Text], list[Text]]:
    """(the keys in the order they give way, the pinned keys), in ``words``' language.

    Keys of one group share an item: ``←→ 列``.
    """
    items: list[Text] = []
    if searching:
        clear = next(k for k in KEYS if k.action == "clear_search")
        items.append(_item(key_display(clear), clear.word(words)))
    seen: set[str] = set()
    for key in KEYS:
        if not key.footer or key.action in PINNED:
            continue
        if key.group is None:
            items.append(_item(key_display(key), key.word(words)))
        elif key.group.description not in seen:
            seen.add(key.group.description)
            members = [k for k in KEYS if k.group is key.group]
            items.append(_item("".join(key_display(k) for k in members), words(key.group.description)))
    pinned = [_item(key_display(k), k.word(words)) for k in KEYS if k.action in PINNED]
    return items, pinned


def key_line(width: int, items: Sequence[Text], pinned: Sequence[Text]) -> Text:
    """``items`` from the left while they fit, then ``pinned`` flush right; never wider than ``width``."""
    right = Text(GAP).join(pinned)
    room = width - 1 - right.cell_len - len(GAP)  # one cell of margin on the left
    left = Text()
    for item in items:
        need = item.cell_len + (len(GAP) if left.cell_len else 0)
        if need > room - left.cell_len:
            break
        if left.cell_len:
            left.append(GAP)
        left.append_text(item)
    if right.cell_len + 1 > width:  # narrower than the pinned keys: keep what fits of them
        right.truncate(max(0, width - 1))
    line = Text(" ")
    line.append_text(left)
    line.append(" " * max(0, width - 1 - left.cell_len - right.cell_len))
    line.append_text(right)
    return line


class KeyBar(Widget):
    """The key bar at the bottom of the board."""

    DEFAULT_CSS = "KeyBar { height: 1; background: $footer-background; color: $footer-foreground; }"

    def __init__(self) -> None:
        super().__init__(id="keybar")
        self.words = labels()
        self.searching = False

    def show(self, words: Labels, searching: bool) -> None:
        if (words, searching) != (self.words, self.searching):
            self.words, self.searching = words, searching
            self.refresh()

    def render(self) -> Text:
        items, pinned = key_items(self.words, self.searching)
        return key_line(self.size.width, items, pinned)
