"""The `/` search line: filters live as you type; enter keeps the filter, escape clears it."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchInput(Input):
    DEFAULT_CSS = """
    SearchInput { display: none; padding: 0 1; }
    SearchInput.-active { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.clear", show=False)]

    class Done(Message):
        """Search finished: ``cleared`` when escape dropped the text."""

        def __init__(self, cleared: bool) -> None:
            super().__init__()
            self.cleared = cleared

    def __init__(self) -> None:
        # compact: one line without a border (a border on a one-line input hides the text)
        super().__init__(
            placeholder="搜索 search: 名称 name · 拼音 pinyin · 联系人 contact · 电话 phone",
            id="search",
            compact=True,
        )

    def open(self, text: str) -> None:
        self.value = text
        self.add_class("-active")
        self.focus()

    def action_cancel(self) -> None:
        self.value = ""
        self._close(cleared=True)

    async def action_submit(self) -> None:
        self._close(cleared=False)

    def _close(self, cleared: bool) -> None:
        self.remove_class("-active")
        self.post_message(self.Done(cleared))
