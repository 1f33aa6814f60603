"""Marked cards and what the write keys do with them.

``space`` marks the selected card, ``V`` every card the filter shows (all columns), ``esc``
clears them once the search is clear. With marks, move (``H``/``L``), won, lost, the next
action (``a``) and ``e`` (owner, tier, a tag to add) apply to every marked card: one dialog per target
stage, then `pipeline.actions.bulk*` on the store thread (each file locked, checked,
verified and written on its own), one toast that sums it up, and one ``u`` for the batch
(each file put back only if nobody changed it since). Marks stay on the refused cards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Literal

from pipeline import actions, rules
from pipeline.actions import BulkResult
from pipeline.errors import TuiboardError
from pipeline.model import Customer
from pipeline.store import Board, Store

from ..hookcalls import move_events, move_refusal
from ..marks import summary
from ..screens.bulk_fields import BulkFieldsScreen
from ..screens.next_action import NextActionScreen
from ..textout import safe
from ..widgets.column import CardList
from .moves import ask
from .undo import Undo
from .writes import run_hooks

if TYPE_CHECKING:
    from .base import BoardBase


@dataclass(frozen=True, slots=True)
class BatchUndo:
    """One ``u`` for a bulk write: each file put back only if it still holds what was written."""

    entries: tuple[Undo, ...]
    what: str


# -- marks ------------------------------------------------------------------------------------


def mark(screen: BoardBase) -> None:
    customer = screen.need_selected()
    if customer is not None:
        screen.marks.toggle(customer.id)
        redraw(screen)


def mark_shown(screen: BoardBase) -> None:
    """Every card the filter shows, in every column, or none of them when all are marked."""
    if screen.view is not None:
        screen.marks.toggle_all(_shown(screen))
        redraw(screen)


def clear(screen: BoardBase) -> None:
    if screen.marks.clear():
        redraw(screen)
        screen.host.say(screen.host.labels("toast.marks_cleared"))


def redraw(screen: BoardBase) -> None:
    """The marked cards (`CardPainter.marks` is `screen.marks`) and the title's count."""
    for cards in screen.query(CardList):
        cards.refresh()
    screen.refresh_view()


def marked(screen: BoardBase) -> list[Customer]:
    """The marked customers on screen now, as last read (a mark the filter hides is dropped)."""
    return screen.marks.customers(_shown(screen))


def _shown(screen: BoardBase) -> dict[str, Customer]:
    """The cards on screen by id, column by column: the filter's, without a hidden lost column."""
    board, view = screen.board, screen.view
    if board is None or view is None:
        return {}
    hidden = {s.id for s in board.config.stages if s.kind == "lost" and not screen.show_lost}
    return {c.id: c for sid, cards in view.columns.items() if sid not in hidden for c in cards}


# -- the write keys with marks ----------------------------------------------------------------


async def move_by(screen: BoardBase, step: int) -> None:
    """Every marked card a stage on or back, each from its own stage."""
    board = screen.host.board
    if board is not None:
        await _move(
            screen, board, lambda c: rules.neighbour_stage(board.config, c.stage, step, screen.show_lost)
        )


async def move_to_kind(screen: BoardBase, kind: Literal["won", "lost"]) -> None:
    board = screen.host.board
    stage = None if board is None else board.config.won_stage if kind == "won" else board.config.lost_stage
    if board is not None and stage is not None:
        await _move(screen, board, lambda _: stage.id)


async def _move(screen: BoardBase, board: Board, target: Callable[[Customer], str | None]) -> None:
    """One dialog per target stage (criteria, why back, why lost) for all of its cards."""
    host, config = screen.host, board.config
    groups: dict[str, list[Customer]] = {}
    for c in marked(screen):
        to = target(c)
        if to is not None:
            groups.setdefault(to, []).append(c)
    if not groups:
        host.say(host.labels("toast.no_stage_that_way"), "warning")
        return
    moves: list[tuple[str, list[Customer], tuple[str | None, list[str]]]] = []
    for to, customers in groups.items():
        stage = config.stage(to)
        assert stage is not None  # neighbour_stage and won/lost_stage name configured stages
        back = any(config.stage_index(to) < config.stage_index(c.stage) for c in customers)
        asked = await ask(screen, config, stage, _who(screen, customers), back)
        if asked is None:
            return  # escape: nothing is written
        moves.append((to, customers, asked))

    def run(store: Store) -> BulkResult:
        done = [
            actions.bulk_move(
                store, cs, to, screen.today, why, criteria=ticked, veto=partial(_veto, board, to)
            )
            for to, cs, (why, ticked) in moves
        ]
        return BulkResult(
            tuple(w for r in done for w in r.written), tuple(x for r in done for x in r.refused)
        )

    await _run(screen, run, "bulk.moved", lambda c: move_events(board, c.stage))


async def next_action(screen: BoardBase) -> None:
    """One action and due date for every marked card (the date starts at the first one's cadence)."""
    board, cards = screen.host.board, marked(screen)
    if board is None or not cards:
        return
    probe = replace(cards[0], name=_who(screen, cards), next_action=None, next_due=None)
    picked = await screen.app.push_screen_wait(NextActionScreen(probe, board.config, screen.today))
    if picked is not None:
        action, due = picked
        await _run(
            screen,
            lambda store: actions.bulk_next(store, cards, action, due),
            "bulk.next_set",
        )


async def edit(screen: BoardBase) -> None:
    """Owner, tier and tags to add for every marked card; what is left blank is left as it is."""
    host, board, cards = screen.host, screen.host.board, marked(screen)
    if board is None or not cards:
        return
    picked = await screen.app.push_screen_wait(BulkFieldsScreen(board.config, _who(screen, cards)))
    if picked is None:
        return
    if not picked.fields and not picked.tags:
        host.say(host.labels("toast.nothing_changed"))
        return
    await _run(
        screen,
        lambda store: actions.bulk_set(store, cards, picked.fields, add_tags=picked.tags),
        "bulk.changed",
    )


async def _run(
    screen: BoardBase,
    fn: Callable[[Store], BulkResult],
    done: str,
    events: Callable[[Customer], tuple[str, ...]] = lambda _: (),
) -> None:
    """``fn`` on the store thread; the batch's undo entry, the toast, the hooks of each write."""
    host = screen.host
    async with screen.writing:  # see BoardBase.writing
        try:
            result, board = await host.in_store(_written, host.store, fn)
        except TuiboardError as exc:  # refused as a whole, before any file (an unknown stage)
            host.say(host.labels.reason(exc), "error")
            return
        line = summary(result, done, host.labels)
        if result.written:
            entries = tuple(
                Undo(w.customer.id, w.customer.path, w.before, w.after, safe(w.customer.name))
                for w in result.written
            )
            screen.undo_stack.append(BatchUndo(entries, line))
        screen.marks.clear()
        for refusal in result.refused:
            screen.marks.toggle(refusal.customer.id)
        await screen.take(board)
        if result.refused:  # a file changed on disk is shown as it is now
            reloaded = await host.reload_paths(*(r.customer.path for r in result.refused), announce=False)
            await screen.show(reloaded.board)
        redraw(screen)
    host.say(line, "warning" if result.refused else "information")
    for written in result.written:
        await run_hooks(screen, written.customer.id, events(written.customer))


async def undo(screen: BoardBase, entry: BatchUndo) -> None:
    """``u`` after a bulk write: each file put back if unchanged since; the others are said."""
    host = screen.host
    triples = [(e.path, e.before, e.after) for e in entry.entries]
    restored, refused = await host.in_store(actions.undo_bulk, host.store, triples)
    await screen.take(await host.in_store(host.store.board))
    first = next((e for e in entry.entries if e.path in restored), None)
    if first is not None:
        screen.focus_customer(first.customer_id)  # the next key acts on a customer put back
    if not refused:
        host.say(host.labels("toast.batch_undone", count=len(restored)))
        return
    names = {e.path: e.what for e in entry.entries}
    why = "; ".join(f"{names[path]}: {host.labels.reason(error)}" for path, error in refused[:3])
    said = host.labels("toast.batch_undone_part", restored=len(restored), refused=len(refused), why=why)
    host.say(said, "warning")


def _who(screen: BoardBase, customers: list[Customer]) -> str:
    """The marked customers a dialog acts on, by name (the first two, and how many): a mark
    left from before must not pass for the card the rep has focused."""
    words, names = screen.host.labels, [safe(c.name) for c in customers]
    if len(names) == 1:
        return names[0]
    return words("many.named", names=words("many.separator").join(names[:2]), count=len(names))


def _veto(board: Board, target: str, customer: Customer) -> str | None:
    """The user's ``pre-move`` hook, asked for each card (on the store thread)."""
    return move_refusal(board, customer, target)


def _written(store: Store, fn: Callable[[Store], BulkResult]) -> tuple[BulkResult, Board]:
    """On the store thread."""
    return fn(store), store.board()
