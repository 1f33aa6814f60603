"""The keys that look without writing: the filter (``f``), go to (``g``), details (enter),
today's work (``t``) and the charts (``c``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..screens.details import DetailsScreen
from ..screens.filter import FilterScreen
from ..screens.jump import JumpScreen
from ..screens.view_name import SaveAsView
from . import views

if TYPE_CHECKING:
    from .base import BoardBase


async def pick_filter(screen: BoardBase) -> None:
    board = screen.host.board
    if board is None:
        return
    dialog = FilterScreen(board.config, list(board.customers.values()), screen.flt)
    new = await screen.app.push_screen_wait(dialog)
    if isinstance(new, SaveAsView):
        await views.save_as(screen, new.filter)
    elif new is not None:
        screen.set_filter(new)


async def jump(screen: BoardBase) -> None:
    board = screen.host.board
    if board is None:
        return
    dialog = JumpScreen(list(board.customers.values()), board.config)
    chosen = await screen.app.push_screen_wait(dialog)
    if chosen is not None:
        screen.focus_customer(chosen)


def details(screen: BoardBase) -> None:
    customer, board = screen.need_selected(), screen.host.board
    if customer is not None and board is not None:
        problems = board.problems_for(customer.id)
        screen.app.push_screen(DetailsScreen(customer, board.config, problems, screen.today))


async def today(screen: BoardBase) -> None:
    """Today's work for TUIBOARD_OWNER (or everyone); enter focuses the chosen card."""
    board = screen.host.board
    if board is None:
        return
    from ..screens.today import TodayScreen

    owner = os.environ.get("TUIBOARD_OWNER") or None
    dialog = TodayScreen(list(board.customers.values()), board.config, screen.today, owner)
    chosen = await screen.app.push_screen_wait(dialog)
    if chosen is not None:
        screen.focus_customer(chosen)


def charts(screen: BoardBase) -> None:
    """The charts for the board's filter; they follow reloads (`BoardChanged`)."""
    board = screen.host.board
    if board is None:
        return
    from ..screens.charts_screen import ChartsScreen  # plotext: loaded on first use

    screen.app.push_screen(ChartsScreen(board, screen.flt, screen.today))
