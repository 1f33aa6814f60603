"""The board screen: `BoardBase` and the keys of `tuiboard.keymap` as its actions.

The keys that change what is shown (sort, density, search, mine, language) set the view
state of `BoardBase` and redraw. The keys that open dialogs or write run their flow; those
that await a dialog run as workers (`push_screen_wait` needs one), and those that may
write start once any write under way has reached the screen (`write_flow`); their modules
load on first use (`tuiboard.lazy`). The read-only board
refuses the writing ones before they run (`BoardApp.run_action`). Being the screen's
bindings, dialogs on top never see them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import wraps
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, ParamSpec

from textual import on, work
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker

from .. import keymap
from ..labels import next_language
from ..lazy import lazy
from ..me import whoami
from ..viewmodel import next_sort
from ..widgets.fit import DENSITIES
from ..widgets.search import SearchInput
from . import team, views
from .base import BoardBase
from .typeahead import Flow

if TYPE_CHECKING:
    from textual.command import Provider

    from . import bulk, editor, edits, lookups, moves, people, undo
else:  # the keys' flows load on first use: drawing the board needs none of them (tuiboard/lazy.py)
    bulk, editor, edits, lookups, moves, people, undo = (
        lazy(f"{__package__}.{name}")
        for name in ("bulk", "editor", "edits", "lookups", "moves", "people", "undo")
    )


def _customer_commands() -> type[Provider]:
    """The palette's customers, loaded when the palette first opens (with the jump screen it uses)."""
    from .palette import CustomerCommands

    return CustomerCommands


P = ParamSpec("P")


def write_flow(
    flow: Callable[Concatenate[BoardScreen, P], Awaitable[None]],
) -> Callable[Concatenate[BoardScreen, P], Any]:
    """A key's flow that may write: a worker (it awaits dialogs) that starts once any write
    under way has reached the screen (`BoardBase.settled`); keys pressed on the board while
    it runs wait for it (`typeahead`)."""

    @work(group="dialog")
    async def run(screen: BoardScreen, started: Flow, *args: P.args, **kwargs: P.kwargs) -> None:
        with screen.typeahead.running(started):
            await screen.settled()
            await flow(screen, *args, **kwargs)

    @wraps(flow)
    def start(screen: BoardScreen, *args: P.args, **kwargs: P.kwargs) -> Worker[None]:
        worker: Worker[None] = run(screen, screen.typeahead.started(), *args, **kwargs)
        return worker

    return start


class BoardScreen(BoardBase):
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings()
    COMMANDS = Screen.COMMANDS | {_customer_commands}

    # -- keys that change what is shown -----------------------------------------------------

    def action_sort(self) -> None:
        self.sort = next_sort(self.sort)
        self.refresh_view()

    def action_toggle_density(self) -> None:
        self.density = DENSITIES[(DENSITIES.index(self.density) + 1) % len(DENSITIES)]
        self.layout_columns()
        self.refresh_view()

    def action_toggle_language(self) -> None:
        self.host.labels = next_language(self.host.labels)
        self.refresh_view()
        self.refresh_bindings()  # the `?` panel and the palette speak the new language

    def action_toggle_help(self) -> None:
        if self.query("HelpPanel"):  # by name: its import (markdown) costs 60 ms at start
            self.app.action_hide_help_panel()
        else:
            self.app.action_show_help_panel()

    async def action_quit(self) -> None:
        await self.app.action_quit()

    def action_search(self) -> None:
        self.query_one(SearchInput).open(self.flt.text)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.flt = self.flt.with_text(event.value)
        self.refresh_view()

    @on(SearchInput.Done)
    def _search_done(self, event: SearchInput.Done) -> None:
        if event.cleared:
            self.flt = self.flt.with_text("")
            self.refresh_view()
        if self._last_cards is not None:
            self._last_cards.focus()

    def action_clear_search(self) -> None:
        """Escape on the board: drop the search text (the other filters stay), else the marks."""
        if self.flt.text:
            self.flt = self.flt.with_text("")
            self.refresh_view()
            self.host.say(self.host.labels("toast.search_cleared"))
        else:
            bulk.clear(self)

    def action_toggle_mine(self) -> None:
        """My deals only (owner = TUIBOARD_OWNER or git's user.name), or everyone's again."""
        words = self.host.labels
        me = whoami(self.host.root)
        if me is None:
            self.host.say(words("toast.who_are_you"), "warning")
            return
        mine = frozenset({me})
        self.flt = replace(self.flt, owners=frozenset() if self.flt.owners == mine else mine)
        self.refresh_view()
        self.host.say(words("toast.mine", me=me) if self.flt.owners else words("toast.everyone"))

    # -- keys that run a flow (a dialog, a write) --------------------------------------------

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

    @write_flow
    async def action_move(self, step: int) -> None:
        await (bulk if self.marks else moves).move_by(self, step)

    @write_flow
    async def action_won(self) -> None:
        await (bulk if self.marks else moves).move_to_kind(self, "won")

    @write_flow
    async def action_lost(self) -> None:
        await (bulk if self.marks else moves).move_to_kind(self, "lost")

    @write_flow
    async def action_new(self) -> None:
        await edits.new(self)

    @write_flow
    async def action_edit(self) -> None:
        await (bulk if self.marks else edits).edit(self)

    @write_flow
    async def action_next_action(self) -> None:
        await (bulk if self.marks else edits).next_action(self)

    @write_flow
    async def action_log(self) -> None:
        await edits.log(self)

    @write_flow
    async def action_add_contact(self) -> None:
        await people.add_entry(self, "contacts")

    @write_flow
    async def action_add_product(self) -> None:
        await people.add_entry(self, "products")

    @work(group="sync", exclusive=True)
    async def action_sync(self) -> None:
        await team.sync(self)

    @write_flow
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
