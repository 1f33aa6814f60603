"""What every command shares: finding the folder, loading it, resolving ids, one-line errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from pipeline.model import Customer
from pipeline.store import Board, NotAPipeline, Store, find_root

from .clock import parse_when, today


class Failure(click.ClickException):
    """A problem with the folder or the data: one line, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"tuiboard: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    raise Failure(message)


def root_from(ctx: click.Context) -> Path:
    start = ctx.obj.get("dir") or Path.cwd()
    try:
        return find_root(Path(start))
    except NotAPipeline as exc:
        fail(str(exc))


def load_from(ctx: click.Context) -> Board:
    return Store(root_from(ctx)).load()


def when_from(text: str | None) -> date:
    if text is None:
        return today()
    try:
        return parse_when(text, today())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def resolve(board: Board, key: str) -> Customer:
    """A customer by id, exact name, or unique id prefix."""
    if key in board.customers:
        return board.customers[key]
    by_name = [c for c in board.customers.values() if c.name == key]
    if len(by_name) == 1:
        return by_name[0]
    prefix = [c for c in board.customers.values() if c.id.startswith(key.lower())]
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        fail(f"{key!r} matches {len(prefix)} customers: {', '.join(sorted(c.id for c in prefix)[:5])} …")
    fail(f"no customer {key!r} (see `tuiboard list`)")
