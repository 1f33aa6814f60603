"""Settling a conflicted customer on the board: each conflicting field with base, ours
and theirs; pick a side per field (or type the value), then write.

The screen only collects the picks; the board settles and writes them with
`pipeline.settle` (the same code as `tuiboard resolve`).
"""

from __future__ import annotations

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
from pipeline.settle import WHOLE, Conflict, Edited, Pick, parse_value

from ..widgets.fields import FormField, Required
from .dialog import Dialog, titled

SIDES = (("base", "原值 base"), ("ours", "我的 ours"), ("theirs", "对方 theirs"))
LABEL_CELLS = 14  # the values line up after the labels (a Chinese character is two cells)


def shown(value: Any) -> str:
    """A value as TOML shows it (``"发送报价"``, ``120000``), printable; unset values say so."""
    if value is MISSING:
        return "(未设置 not set)"
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
        Binding("o", "pick('ours')", "我的 ours", show=False),
        Binding("t", "pick('theirs')", "对方 theirs", show=False),
        Binding("e", "edit", "编辑 edit", show=False),
        Binding("ctrl+s", "save", "保存 save", show=False),
    ]
    KEYS = (
        ("↑↓", "字段 field"),
        ("o", "用我的 ours"),
        ("t", "用对方的 theirs"),
        ("e", "改值 edit"),
        ("ctrl+s", "写入并暂存 write + git add"),
        ("esc", "取消 cancel"),
    )

    def __init__(self, conflict: Conflict, name: str) -> None:
        super().__init__(titled("解决冲突 Settle conflict", name=name))
        self.conflict = conflict
        self.picks: dict[str, Pick] = {}
        self.fields = [WHOLE] if conflict.whole_file else [f.field for f in conflict.fields]

    def compose_body(self) -> ComposeResult:
        if self.conflict.whole_file:
            why = printable(self.conflict.reason)
            text = f"只能整份选择 · only a whole side can be kept: {why}"
        else:
            n = len(self.conflict.fields)
            text = (
                f"{n} 个字段冲突 · {n} conflicting field{'s' if n != 1 else ''}: 每个选一边或改值 pick each"
            )
        yield Static(Text(text), id="why", markup=False)
        yield OptionList(*(Option(self._row(f), id=f) for f in self.fields))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _values(self, field: str) -> dict[str, Any]:
        if field == WHOLE:
            c = self.conflict
            return {
                "base": "(文件 file)" if c.base is not None else MISSING,
                "ours": "(文件 file)" if c.ours is not None else "(已删除 deleted)",
                "theirs": "(文件 file)" if c.theirs is not None else "(已删除 deleted)",
            }
        f = next(f for f in self.conflict.fields if f.field == field)
        return {"base": f.base, "ours": f.ours, "theirs": f.theirs}

    def _row(self, field: str) -> Text:
        pick = self.picks.get(field)
        head = Text("整个文件 whole file" if field == WHOLE else printable(field), style="bold")
        if pick is None:
            head.append("   未选 not picked", style="yellow")
        values = self._values(field)
        for side, label in SIDES:
            chosen = pick == side
            mark = "✓ " if chosen else "  "
            value = values[side]
            shown_value = value if isinstance(value, str) and value.startswith("(") else shown(value)
            pad = " " * max(1, LABEL_CELLS - cell_len(label))
            head.append(f"\n{mark}{label}{pad}{shown_value}", style="bold green" if chosen else "")
        if isinstance(pick, Edited):
            label = "改为 edited"
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
            self.say("整个文件不能改值 · a whole file can only be picked")
            return
        current = self.picks.get(field)
        start = current.value if isinstance(current, Edited) else self._values(field)["ours"]

        def typed(text: str | None) -> None:
            if text is not None:
                self.picks[field] = Edited(parse_value(text))
                self._refresh(field)
                self._next_unpicked()

        self.app.push_screen(EditValueScreen(field, "" if start is MISSING else shown(start)), typed)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        missing = [f for f in self.fields if f not in self.picks]
        if missing:
            shown_missing = ", ".join(printable(f) for f in missing)
            self.say(f"还有字段未选 · still to pick: {shown_missing}")
            return
        self.dismiss(dict(self.picks))


class EditValueScreen(Dialog[str | None]):
    """A value typed for one field, as TOML (``120000``, ``"文本"``) or plain text."""

    KEYS = (("enter", "确定 OK"), ("esc", "取消 cancel"))

    def __init__(self, field: str, start: str) -> None:
        super().__init__(titled("改值 Edit value", name=field))
        self.start = start

    def compose_body(self) -> ComposeResult:
        typed = Input(self.start, validators=[Required(self.words)], compact=True)
        yield FormField("值 value", typed)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.form_valid():
            self.dismiss(self.query_one(Input).value)
