"""Saved views on the board: ``1``–``9`` switch to the nth ``[views.NAME]`` of pipeline.toml,
``0`` back to everyone; the active view's name is in the title while its filter is unchanged
(a search or ``f`` ends it), and the next start opens with it (``.tuiboard/view``, this
clone's own state). The filter dialog's ``v`` saves the current filter as a view
(`pipeline.view_edit.save_view`: locked, verified, comments kept).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import TuiboardError
from pipeline.query import Filter, filter_criteria, view_filter, view_named
from pipeline.safefs import read_in_state, replace_in_state
from pipeline.views import MAX_NAME, View, find, view_table

from ..me import whoami
from ..screens.view_name import ViewNameScreen
from ..textout import safe

if TYPE_CHECKING:
    from .base import BoardBase

STATE = "view"  # .tuiboard/view: the name of the view the board last showed ("" for none)


def open_first(screen: BoardBase, name: str | None) -> None:
    """On the first board: `tuiboard --view NAME` (checked by the CLI; a config changed since
    says so), else the view shown when the board was last closed, if pipeline.toml still has it."""
    board = screen.board
    if board is None:
        return
    if name is None:
        last = find(board.config.views, remembered(screen.host.root) or "")
        if last is not None:
            apply(screen, last)
        return
    try:
        apply(screen, view_named(board.config.views, name))
    except TuiboardError as exc:
        screen.host.say(screen.host.labels.reason(exc), "warning")


def use(screen: BoardBase, number: int) -> None:
    """The nth saved view (1-9), or everyone (0)."""
    host, board = screen.host, screen.board
    if board is None:
        return
    views = board.config.views
    if number == 0:
        screen.view_name, screen.view_flt = None, None
        remember(screen, None)
        screen.set_filter(Filter())
        host.say(host.labels("toast.every_customer"))
    elif number <= len(views):
        apply(screen, views[number - 1])
    elif views:
        host.say(host.labels("toast.only_views", count=len(views)), "warning")
    else:
        none = host.labels("toast.no_views")
        host.say(none, "warning")


def apply(screen: BoardBase, view: View) -> None:
    try:
        flt = view_filter(view, whoami(screen.host.root) if view.mine else None)
    except TuiboardError as exc:
        screen.host.say(screen.host.labels.reason(exc), "warning")
        return
    screen.view_name, screen.view_flt = view.name, flt
    if view.sort:
        screen.sort = view.sort
    remember(screen, view.name)
    screen.set_filter(flt)


def active(screen: BoardBase) -> str | None:
    """The view's name while the filter is still the view's."""
    return screen.view_name if screen.view_flt is not None and screen.flt == screen.view_flt else None


async def save_as(screen: BoardBase, flt: Filter) -> None:
    """The filter dialog's ``v``: a name, then ``[views.NAME]`` written into pipeline.toml."""
    host, board = screen.host, screen.board
    if board is None:
        return
    if host.read_only:  # `serve --read-only`: the filter is the viewer's, pipeline.toml is not
        host.say(host.labels("toast.read_only"), "warning")
        return
    views = board.config.views
    name = await screen.app.push_screen_wait(ViewNameScreen(flt, views))
    if name is None:
        return
    from pipeline.view_edit import save_view  # tomlkit and the write path: on the first save

    table = view_table(filter_criteria(flt), sort="" if screen.sort == "due" else screen.sort)
    try:
        saved = await host.in_store(save_view, host.root, name, table, find(views, name))
    except TuiboardError as exc:
        host.say(host.labels.reason(exc), "error")
        return
    reloaded = await host.reload_paths(host.root / "pipeline.toml", announce=False)
    await screen.show(reloaded.board)
    screen.view_name, screen.view_flt = saved.name, flt
    remember(screen, saved.name)
    screen.set_filter(flt)
    number = next((i for i, v in enumerate(reloaded.board.config.views, 1) if v.name == saved.name), 0)
    if 0 < number < 10:
        host.say(host.labels("toast.view_saved_key", name=safe(name), number=number))
    else:
        host.say(host.labels("toast.view_saved", name=safe(name)))


def remember(screen: BoardBase, name: str | None) -> None:
    """For the next start; a state folder that cannot be written (a planted link) forgets."""
    if screen.host.read_only:
        return
    with contextlib.suppress(OSError):
        replace_in_state(screen.host.root, STATE, (name or "").encode("utf-8"), durable=False)


def remembered(root: Path) -> str | None:
    """The name in ``.tuiboard/view`` (untrusted: bounded, never through a link, UTF-8 or nothing)."""
    data = read_in_state(root, STATE, 4 * MAX_NAME)
    try:
        return (data.decode("utf-8").strip() or None) if data else None
    except UnicodeDecodeError:
        return None
