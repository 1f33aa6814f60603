"""The frame every dialog shares: centred, bordered, titled, with its keys listed at the bottom.

A dialog speaks the board's language (`words`: the app's `tuiboard.labels` catalog, the
default language outside the board). Its title comes from `heading`; its keys' words and its
bindings' descriptions are catalog keys (``key.cancel``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pipeline.problems import printable

from ..labels import Labels
from ..widgets.fields import check
from ..worded import Worded

ResultT = TypeVar("ResultT")
KEY_STYLE = "bold #ffa62b"


S = TypeVar("S", bound=ModalScreen[Any])


def after_typing(action: Callable[[S], object]) -> Callable[[S], None]:
    """A dialog's action on a priority key (ctrl+s, enter), run once the focused field has
    taken every key typed before it. Textual acts on a priority binding as its key arrives,
    while the characters before it may still wait in the field's queue: "约见决策人）" then
    ctrl+s sent at once saved the text as it was before them (or refused it as empty)."""

    @wraps(action)
    def run(screen: S) -> None:
        (screen.focused or screen).call_later(action, screen)

    return run


def key_hint(keys: tuple[tuple[str, str], ...], words: Labels) -> Text:
    """``enter 确认   esc 取消`` with the keys highlighted, in ``words``' language: each word
    is a catalog key."""
    parts: list[Text | str | tuple[str, str]] = []
    for key, what in keys:
        if parts:
            parts.append("   ")
        parts += [(key, KEY_STYLE), " ", words(what)]
    return Text.assemble(*parts)


def titled(*parts: str, name: str = "") -> Text:
    """A dialog title: our own words, then the (untrusted) customer name made printable."""
    text = Text(" · ".join(parts), style="bold")
    if name:
        text.append(" · ")
        text.append(printable(name), style="bold")
    return text


class Dialog(Worded[ResultT], ModalScreen[ResultT]):
    """A modal box; subclasses yield their body from ``compose_body`` and list their ``KEYS``."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #dialog {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; border-title-style: bold; border-title-color: $text;
        background: $surface; padding: 0 1;
    }
    Dialog #keys { height: auto; margin-top: 1; color: $text-muted; }
    Dialog #status { height: auto; color: $text-error; display: none; }
    Dialog #status.-shown { display: block; }
    Dialog .muted { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel", show=False)]
    KEYS: ClassVar[tuple[tuple[str, str], ...]] = (("esc", "key.cancel"),)
    CANCEL_RESULT: ClassVar[Any] = None

    def __init__(self, title: Text | None = None) -> None:
        super().__init__()
        self.dialog_title = title or Text("")

    def heading(self) -> Text:
        """The title in the border (the one given, unless a dialog words its own)."""
        return self.dialog_title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = self.heading()
            yield from self.compose_body()
            yield Static("", id="status", markup=False)
            yield Static(key_hint(self.keys(), self.words), id="keys", markup=False)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def keys(self) -> tuple[tuple[str, str], ...]:
        return self.KEYS

    def action_cancel(self) -> None:
        self.dismiss(self.CANCEL_RESULT)

    def say(self, message: str) -> None:
        """A line above the keys (errors that belong to no single field); empty hides it."""
        status = self.query_one("#status", Static)
        status.update(Text(message))
        status.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _validate_as_you_type(self, event: Input.Changed) -> None:
        if event.input.validators:
            check(event.input)

    def form_valid(self) -> bool:
        """Validate every field; focus the first invalid one and say so. True when all are valid."""
        bad = [i for i in self.query(Input) if i.validators and not check(i)]
        if bad:
            bad[0].focus()
            self.say(self.words("dialog.fix_fields"))
            return False
        self.say("")
        return True


class ListDialog(Dialog[ResultT]):
    """A summary above a list; enter on an option returns what `picked` makes of its id."""

    DEFAULT_CSS = """
    ListDialog OptionList { height: auto; max-height: 70vh; }
    ListDialog #summary { height: auto; margin-bottom: 1; }
    """

    def contents(self) -> tuple[Text, list[Option | None]]:
        """The summary and the options (None: a separator line)."""
        raise NotImplementedError

    def picked(self, option_id: str) -> ResultT:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        yield Static("", id="summary", markup=False)
        yield OptionList()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(OptionList).focus()

    def fill(self) -> None:
        """Show `contents` (again, when they changed), the first enabled option highlighted."""
        summary, options = self.contents()
        self.query_one("#summary", Static).update(summary)
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        shown = [o for o in options if o is not None]  # the list's indices skip the separators
        option_list.highlighted = next((i for i, o in enumerate(shown) if not o.disabled), None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.picked(event.option.id or ""))
