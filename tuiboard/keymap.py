"""The board's keys as data: one table drives the bindings, the footer, `?` and the command palette.

Their words are in the catalog (`tuiboard.labels`): ``keys.NAME`` and ``keyhelp.NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from .labels import Labels

COLUMNS = Binding.Group("keys.group.columns", compact=True)
MOVE = Binding.Group("keys.group.move", compact=True)
VIEWS = Binding.Group("keys.group.views", compact=True)


@dataclass(frozen=True, slots=True)
class Key:
    keys: str  # Textual key names, comma-separated
    action: str  # an action of the board screen (tuiboard/board/screen.py)
    name: str  # catalog keys: ``keys.NAME`` (footer and `?`, short), ``keyhelp.NAME`` (palette, `?`)
    footer: bool = False
    display: str | None = None
    group: Binding.Group | None = None
    number: int = 0  # a saved view's number, for the catalog's ``{n}``

    @property
    def label(self) -> str:
        return f"keys.{self.name}"

    @property
    def help(self) -> str:
        return f"keyhelp.{self.name}"

    def word(self, words: Labels) -> str:
        """The key's short word in ``words``' language."""
        return words(self.label, n=self.number)

    def line(self, words: Labels) -> str:
        """What the key does, one line in ``words``' language (the palette, `?`)."""
        return words(self.help, n=self.number)


KEYS: tuple[Key, ...] = (
    Key("left,h", "focus_column(-1)", "left", True, "←", COLUMNS),
    Key("right,l", "focus_column(1)", "right", True, "→", COLUMNS),
    Key("shift+left,H", "move(-1)", "move_left", True, "⇧←", MOVE),
    Key("shift+right,L", "move(1)", "move_right", True, "⇧→", MOVE),
    Key("g", "jump", "jump", True),
    Key("w", "won", "won", True),
    Key("x", "lost", "lost", True),
    Key("n", "new", "new", True),
    Key("e", "edit", "edit"),
    Key("E", "editor", "editor"),
    Key("a", "next_action", "next_action", True),
    Key("i", "log", "log", True),
    Key("C", "add_contact", "add_contact"),
    Key("P", "add_product", "add_product"),
    Key("enter", "details", "details"),
    Key("slash", "search", "search", True, "/"),
    Key("f", "filter", "filter", True),
    Key("m", "toggle_mine", "mine"),
    Key("t", "today", "today"),
    Key("space", "mark", "mark"),
    Key("V", "mark_shown", "mark_shown"),
    *(Key(str(n), f"use_view({n})", "view", group=VIEWS, number=n) for n in range(1, 10)),
    Key("0", "use_view(0)", "all_views", group=VIEWS),
    Key("u", "undo", "undo"),
    Key("p", "problems", "problems"),
    Key("c", "charts", "charts"),
    Key("S", "sync", "sync"),
    Key("exclamation_mark", "conflicts", "conflicts", display="!"),
    Key("s", "sort", "sort"),
    Key("d", "toggle_density", "density"),
    Key("z", "toggle_lost", "lost_column"),
    Key("ctrl+l", "toggle_language", "language", display="^l"),
    Key("escape", "clear_search", "clear_search", display="esc"),
    Key("question_mark", "toggle_help", "help", True, "?"),
    Key("q", "quit", "quit", True),
)

PINNED = ("toggle_help", "quit")  # the key bar keeps these at its right end, whatever the width
QUIT_KEYS = (
    frozenset(  # with Textual's own ctrl+q; never held while a write is under way (board/typeahead.py)
        {"ctrl+q", *(name for k in KEYS if k.action == "quit" for name in k.keys.split(","))}
    )
)


def bindings() -> list[BindingType]:  # what the board screen's BINDINGS holds
    return [
        Binding(
            k.keys,
            k.action,
            k.label,  # a catalog key: `tuiboard.worded` shows it in the board's language
            show=False,  # the board draws its own key bar (widgets/keybar.py)
            key_display=None if "," in k.keys else k.display,  # `?` lists both: "← h"
            tooltip=k.help,
            group=k.group,
        )
        for k in KEYS
    ]
