"""Settling a conflicted customer on the board: each conflicting field with base, ours
and theirs; pick a side per field (or type the value), then write.

The screen only collects the picks; the board settles and writes them with
`pipeline.settle` (the same code as `tuiboard resolve`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

import tomlkit
from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pipeline.merge import MISSING
from pipeline.problems import printable
from pipeline.settle import WHOLE, Conflict, Edited, FieldConflict, Pick, parse_value

from ..widgets.fields import FormField, Reads, Required
from .dialog import Dialog, titled

SIDES = ("base", "ours", "theirs")  # settle.side.*
LABEL_CELLS = 14  # the values line up after the labels (a Chinese character is two cells)


def shown(value: Any) -> str:
    """A value as TOML shows it (``"发送报价"``, ``120000``), printable."""
    try:
        return printable(tomlkit.item(value).as_string())
    except (TypeError, ValueError):
        return printable(repr(value))


class SettleScreen(Dialog[dict[str, Pick] | None]):
    """Every conflicting field picked (``WHOLE`` for a whole-file conflict), or None."""

    DEFAULT_CSS = """
    SettleScreen > #dialog { width: 100; }
    SettleScreen OptionList { height: auto; max-height: 70vh; }
    SettleScreen #why { height: auto; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "pick('ours')", "key.ours", show=False),
        Binding("t", "pick('theirs')", "key.theirs", show=False),
        Binding("e", "edit", "key.edit", show=False),
        Binding("ctrl+s", "save", "key.save", show=False),
    ]
    KEYS = (
        ("↑↓", "key.field"),
        ("o", "key.use_ours"),
        ("t", "key.use_theirs"),
        ("e", "key.edit_value"),
        ("ctrl+s", "key.write_and_stage"),
        ("esc", "key.cancel"),
    )

    def __init__(self, conflict: Conflict, name: str, picks: dict[str, Pick] | None = None) -> None:
        super().__init__()
        self.name_shown = name
        self.conflict = conflict
        self.picks: dict[str, Pick] = dict(picks or {})  # those of a try the write refused
        self.fields = [WHOLE] if conflict.whole_file else [f.field for f in conflict.fields]

    def heading(self) -> Text:
        return titled(self.words("settle.title"), name=self.name_shown)

    def compose_body(self) -> ComposeResult:
        if self.conflict.whole_file:
            text = self.words("settle.whole_only", why=printable(self.conflict.reason))
        else:
            text = self.words("settle.fields", count=len(self.conflict.fields))
        yield Static(Text(text), id="why", markup=False)
        yield OptionList(*(Option(self._row(f), id=f) for f in self.fields))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _values(self, field: str) -> dict[str, str]:
        """Each side as shown: its value as TOML, or words for a whole file, a deletion, no value."""
        words = self.words
        if field == WHOLE:
            c = self.conflict
            whole = {"base": c.base, "ours": c.ours, "theirs": c.theirs}
            gone = {"base": "settle.not_set", "ours": "settle.deleted", "theirs": "settle.deleted"}
            return {side: words("settle.file" if v is not None else gone[side]) for side, v in whole.items()}
        f = self._conflict_of(field)
        values = {"base": f.base, "ours": f.ours, "theirs": f.theirs}
        return {side: words("settle.not_set") if v is MISSING else shown(v) for side, v in values.items()}

    def _conflict_of(self, field: str) -> FieldConflict:
        return next(f for f in self.conflict.fields if f.field == field)

    def _row(self, field: str) -> Text:
        pick = self.picks.get(field)
        words = self.words
        head = Text(words("settle.whole_file") if field == WHOLE else printable(field), style="bold")
        if pick is None:
            head.append(f"   {words('settle.not_picked')}", style="yellow")
        values = self._values(field)
        for side in SIDES:
            label = words(f"settle.side.{side}")
            chosen = pick == side
            mark = "✓ " if chosen else "  "
            shown_value = values[side]
            pad = " " * max(1, LABEL_CELLS - cell_len(label))
            head.append(f"\n{mark}{label}{pad}{shown_value}", style="bold green" if chosen else "")
        if isinstance(pick, Edited):
            label = words("settle.edited")
            pad = " " * (LABEL_CELLS - cell_len(label))
            head.append(f"\n✓ {label}{pad}{shown(pick.value)}", style="bold green")
        return head

    def _field(self) -> str | None:
        options = self.query_one(OptionList)
        index = options.highlighted
        return None if index is None else self.fields[index]

    def _refresh(self, field: str) -> None:
        options = self.query_one(OptionList)
        options.replace_option_prompt(field, self._row(field))

    def action_pick(self, side: str) -> None:
        field = self._field()
        if field is not None:
            self.picks[field] = "ours" if side == "ours" else "theirs"
            self._refresh(field)
            self._next_unpicked()

    def _next_unpicked(self) -> None:
        options = self.query_one(OptionList)
        for i, f in enumerate(self.fields):
            if f not in self.picks:
                options.highlighted = i
                return

    def action_edit(self) -> None:
        field = self._field()
        if field is None or field == WHOLE:
            self.say(self.words("settle.whole_no_edit"))
            return
        current = self.picks.get(field)
        ours = self._conflict_of(field).ours
        start = current.value if isinstance(current, Edited) else ours

        def typed(value: Edited | None) -> None:
            if value is not None:
                self.picks[field] = value
                self._refresh(field)
                self._next_unpicked()

        read = partial(parse_value, field=field, ours=ours)
        self.app.push_screen(EditValueScreen(field, "" if start is MISSING else shown(start), read), typed)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        missing = [f for f in self.fields if f not in self.picks]
        if missing:
            shown_missing = ", ".join(printable(f) for f in missing)
            self.say(self.words("settle.still_to_pick", fields=shown_missing))
            return
        self.dismiss(dict(self.picks))


class EditValueScreen(Dialog[Edited | None]):
    """A value typed for one field, read as ``read`` reads it (`pipeline.settle.parse_value`):
    what it cannot read is said under the field, and the dialog stays."""

    KEYS = (("enter", "key.ok"), ("esc", "key.cancel"))

    def __init__(self, field: str, start: str, read: Callable[[str], Any]) -> None:
        super().__init__()
        self.field, self.start, self.read = field, start, read

    def heading(self) -> Text:
        return titled(self.words("settle.edit_title"), name=self.field)

    def compose_body(self) -> ComposeResult:
        typed = Input(
            self.start, validators=[Required(self.words), Reads(self.words, self.read)], compact=True
        )
        yield FormField(self.words("settle.value"), typed)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.form_valid():
            self.dismiss(Edited(self.read(self.query_one(Input).value)))
