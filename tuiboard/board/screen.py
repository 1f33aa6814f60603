"""The board screen: `BoardBase` and the keys of `tuiboard.keymap` as its actions.

The keys that open dialogs or write run their flow; those that await a dialog run as
workers (`push_screen_wait` needs one). The read-only board refuses the writing ones
before they run (`BoardApp.run_action`). Being the screen's bindings, dialogs on top
never see them.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.binding import BindingType
from textual.screen import Screen

from .. import keymap
from . import bulk, editor, edits, lookups, moves, people, team, undo, views
from .base import BoardBase
from .palette import CustomerCommands


class BoardScreen(BoardBase):
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings()
    COMMANDS = Screen.COMMANDS | {CustomerCommands}

    @work(group="dialog")
    async def action_filter(self) -> None:
        await lookups.pick_filter(self)

    @work(group="dialog")
    async def action_jump(self) -> None:
        await lookups.jump(self)

    def action_details(self) -> None:
        lookups.details(self)

    @work(group="dialog")
    async def action_today(self) -> None:
        await lookups.today(self)

    def action_charts(self) -> None:
        lookups.charts(self)

    @work(group="dialog")
    async def action_problems(self) -> None:
        await editor.problems(self)

    @work(group="dialog")
    async def action_move(self, step: int) -> None:
        await (bulk if self.marks else moves).move_by(self, step)

    @work(group="dialog")
    async def action_won(self) -> None:
        await (bulk if self.marks else moves).move_to_kind(self, "won")

    @work(group="dialog")
    async def action_lost(self) -> None:
        await (bulk if self.marks else moves).move_to_kind(self, "lost")

    @work(group="dialog")
    async def action_new(self) -> None:
        await edits.new(self)

    @work(group="dialog")
    async def action_edit(self) -> None:
        await (bulk if self.marks else edits).edit(self)

    @work(group="dialog")
    async def action_next_action(self) -> None:
        await (bulk if self.marks else edits).next_action(self)

    @work(group="dialog")
    async def action_log(self) -> None:
        await edits.log(self)

    @work(group="dialog")
    async def action_add_contact(self) -> None:
        await people.add_entry(self, "contacts")

    @work(group="dialog")
    async def action_add_product(self) -> None:
        await people.add_entry(self, "products")

    @work(group="sync", exclusive=True)
    async def action_sync(self) -> None:
        await team.sync(self)

    @work(group="dialog")
    async def action_conflicts(self) -> None:
        await team.settle(self)

    @work(group="undo")  # a worker: waiting for a write still under way must not stall the keys
    async def action_undo(self) -> None:
        await undo.undo_last(self)

    def action_mark(self) -> None:
        bulk.mark(self)

    def action_mark_shown(self) -> None:
        bulk.mark_shown(self)

    def action_use_view(self, number: int) -> None:
        views.use(self, number)

    async def action_editor(self) -> None:
        customer = self.need_selected()
        if customer is not None:
            await editor.open_in_editor(self, customer.path)
