"""The board's team keys: ``S`` syncs, ``C`` lists the conflicted customers and settles one.

git runs on the store thread (`tuiboard.teamboard`); the board then reloads what git
changed and refreshes the status bar's git state. A conflicted customer (its file holds
conflict markers) is marked on its card, and the keys that would change it are refused
before any dialog opens (`refusal`).

git, the merge and settle code and their screens are imported on first use: the board's
start does not pay for them (they were a fifth of `import tuiboard.app`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.consistency import is_conflicted
from pipeline.store import Board
from pipeline.watch import Batch

from ..widgets.statusbar import StatusBar

if TYPE_CHECKING:
    from pipeline.settle import Pick

    from .base import BoardBase

CUSTOMER_WRITES = frozenset({"move", "won", "lost", "edit", "next_action", "log"})


def conflicted_on(board: Board) -> frozenset[str]:
    """The customers whose files hold conflict markers: marked on their cards."""
    return frozenset(path.stem for path, found in board.problems_by_file.items() if is_conflicted(found))


def refused(screen: BoardBase, action: str) -> bool:
    """Refuse (and say why) a key that would change the selected customer while its file is
    conflicted; True when refused."""
    if action not in CUSTOMER_WRITES:
        return False
    customer, board = screen.selected(), screen.host.board
    if customer is None or board is None or not is_conflicted(board.problems_for(customer.id)):
        return False
    from ..teamboard import refusal

    screen.host.say(refusal(customer.name, screen.host.labels), "warning")
    return True


async def sync(screen: BoardBase) -> None:
    host = screen.host
    board = host.board
    if board is None:
        return
    from ..teamboard import sync_board

    host.say(host.labels("toast.syncing"))
    said = await host.in_store(sync_board, host.root, board.config, host.labels)
    host.say(said.message, said.severity)
    await _reload(screen)


async def settle(screen: BoardBase) -> None:
    """The conflicts view; enter opens the settle screen for one customer."""
    host = screen.host
    board = host.board
    if board is None:
        return
    from ..screens.conflicts import ConflictsScreen
    from ..screens.settle import SettleScreen
    from ..teamboard import conflicts, settle_board

    items = await host.in_store(conflicts, host.root)
    chosen = await host.push_screen_wait(ConflictsScreen(items))
    item = next((i for i in items if i.customer_id == chosen), None)
    if item is None:
        return
    picks: dict[str, Pick] | None = {}
    while True:  # refused (the settled file would not read back): the dialog again, the picks kept
        picks = await host.push_screen_wait(SettleScreen(item.conflict, item.name, picks))
        if picks is None:
            return
        said = await host.in_store(settle_board, host.root, board.config, item, picks, host.labels)
        host.say(said.message, said.severity)
        if said.severity != "error":
            break
    await _reload(screen)


async def _reload(screen: BoardBase) -> None:
    """What git changed (a merge may touch any file): a rescan, then the git state."""
    reloaded = await screen.host.reload(Batch(frozenset(), rescan=True), announce=False)
    await screen.show(reloaded.board)
    screen.query_one(StatusBar).refresh_git()
