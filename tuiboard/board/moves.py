"""Moving a card: a stage on or back (``L``/``H``), won (``w``), lost (``x``).

On: the target stage's entry criteria to confirm. Back: only why. Lost: a reason is
required. Then the user's ``pre-move`` hook may refuse (nothing is written); after the
write ``on-move`` (and ``on-won``/``on-lost``) run, as in the CLI.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Literal

from pipeline import actions, rules
from pipeline.config import Config, Stage
from pipeline.model import Customer

from ..hookcalls import move_events, move_refusal
from ..screens.criteria import CriteriaScreen
from ..screens.lost import LostReasonScreen
from ..screens.move_back import MoveBackScreen
from ..textout import safe
from .writes import write

if TYPE_CHECKING:
    from .base import BoardBase


async def move_by(screen: BoardBase, step: int) -> None:
    """One stage on (``step`` 1) or back (-1), skipping the hidden lost column."""
    customer, board = screen.need_selected(), screen.host.board
    if customer is None or board is None:
        return
    target = rules.neighbour_stage(board.config, customer.stage, step, screen.show_lost)
    if target is None:
        screen.host.say(screen.host.labels("toast.no_stage_that_way"), "warning")
        return
    await move_to(screen, customer, target)


async def move_to_kind(screen: BoardBase, kind: Literal["won", "lost"]) -> None:
    customer, board = screen.need_selected(), screen.host.board
    if customer is None or board is None:
        return
    stage = board.config.won_stage if kind == "won" else board.config.lost_stage
    if stage is not None:
        await move_to(screen, customer, stage.id)


async def move_to(screen: BoardBase, customer: Customer, target: str) -> None:
    host = screen.host
    board = host.board
    stage = board.config.stage(target) if board else None
    if board is None or stage is None:
        return
    if customer.stage == target:
        title = safe(stage.title(host.labels.english))
        host.say(host.labels("toast.already_in", stage=title), "warning")
        return
    back = board.config.stage_index(target) < board.config.stage_index(customer.stage)
    asked = await ask(screen, board.config, stage, customer.name, back)
    if asked is None:
        return
    reason, criteria = asked
    refusal = await host.in_store(move_refusal, board, customer, target)
    if refusal is not None:  # the user's pre-move hook said no: nothing is written
        host.say(refusal, "warning")
        return
    fn = partial(actions.move, host.store, customer, target, screen.today, reason, criteria=criteria)
    done = f"{safe(customer.name)} → {safe(stage.title(host.labels.english))}"
    await write(screen, customer, fn, done, move_events(board, target), follow=True)


async def ask(
    screen: BoardBase, config: Config, stage: Stage, name: str, back: bool
) -> tuple[str | None, list[str]] | None:
    """(the reason, the ticked criteria) to record for moving ``name`` (a customer, or
    "3 个客户") to ``stage``: lost needs a reason, ``back`` asks why (optional), on asks for
    the entry criteria; None when the rep cancelled."""
    app = screen.app
    if stage.kind == "lost":
        reason = await app.push_screen_wait(LostReasonScreen(config.lost_reasons, name))
        return (reason, []) if reason else None
    if back:
        why = await app.push_screen_wait(MoveBackScreen(stage, name))
        return None if why is None else (why, [])
    ticked = await app.push_screen_wait(CriteriaScreen(stage, name))
    return None if ticked is None else (None, ticked)
