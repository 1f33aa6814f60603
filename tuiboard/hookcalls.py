"""The user's hooks around a write, as the board and the CLI both run them.

A ``pre-move`` hook may refuse a move (nothing is written); the ``on-*`` hooks run after a
write and their failures are reported, the write stands. Each hook gets the customer as
`show --json` prints it (`hook_payload`). The hooks themselves are `pipeline.hooks`, imported
when a write runs them (a reading command never does).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.model import Customer
from pipeline.store import Board

from . import jsonout
from .clock import today as clock_today


def hook_payload(event: str, c: Customer, board: Board, **extra: Any) -> str:
    from .cli.tools import customer_document  # the `show --json` document (cli_tools imports this module)

    doc = {"event": event, "customer": customer_document(c, board, clock_today()), **extra}
    return jsonout.dumps("hook", doc, indent=None)


def move_refusal(board: Board, c: Customer, target: str) -> str | None:
    """Why a ``pre-move`` hook refuses the move, or None; the board and the CLI both ask."""
    from pipeline import hooks

    refused = hooks.veto("pre-move", hook_payload("pre-move", c, board, to_stage=target), root=board.root)
    if refused is None:
        return None
    why = refused.first_line or f"exit {refused.code}"
    return f"move refused by hook {refused.hook.name}: {why}"


def move_events(board: Board, target: str) -> tuple[str, ...]:
    """The ``on-*`` hooks a move to ``target`` runs: ``on-move``, and ``on-won``/``on-lost``."""
    stage = board.config.stage(target)
    kind = stage.kind if stage else "open"
    return ("on-move", f"on-{kind}") if kind in ("won", "lost") else ("on-move",)


def hook_failures(board: Board, c: Customer, events: Iterable[str]) -> list[str]:
    """Run the ``on-*`` hooks after a write: one line per hook that failed (the write stands)."""
    from pipeline import hooks

    out = []
    for event in events:
        for run in hooks.run_hooks(event, hook_payload(event, c, board), root=board.root):
            if not run.ok:
                out.append(f"hook {run.hook.name} failed: {run.first_line or f'exit {run.code}'}")
    return out
