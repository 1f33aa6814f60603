"""What every command shares: finding the folder, loading it, resolving ids, one-line errors."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from pipeline.config import load_config
from pipeline.errors import TuiboardError, UsageError
from pipeline.model import Customer
from pipeline.parse_input import parse_amount, parse_when
from pipeline.problems import Problem, printable
from pipeline.store import Board, Store, find_root

from ..clock import today
from . import quickexit


class OneLineErrors(click.Group):
    """Every user error is one line on stderr, exit 2 for usage and 1 for problems.

    Everything the tool refuses is a `TuiboardError` (its exit code and message), caught
    here once. Click's own usage errors print the usage, a hint and the error over four
    lines; a file the system refuses (permissions, a full disk) would otherwise be a
    traceback.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            _refuse_undecodable(sys.argv[1:] if args is None else list(args))
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except TuiboardError as exc:
            click.echo(printable(f"tuiboard: {exc}"), err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "tuiboard"
            hint = f" (see `{where} --help`)" if exc.ctx else ""
            click.echo(printable(f"{where}: {exc.format_message()}{hint}"), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("tuiboard: aborted", err=True)
            sys.exit(1)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(printable(f"tuiboard: {exc.strerror or exc}{where}"), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _refuse_undecodable(args: list[Any]) -> None:
    """An argument that is not UTF-8 reaches Python as lone surrogates, which no file,
    message or terminal can take: refuse it, showing its bytes."""
    for arg in args:
        if isinstance(arg, str) and _SURROGATE.search(arg):
            shown = _SURROGATE.sub(_byte_of, arg)
            raise UsageError(f"argument '{shown}' is not valid UTF-8")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _byte_of(m: re.Match[str]) -> str:
    """``\\xff`` for the byte Python's surrogateescape turned into U+DCFF."""
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def fail(message: str) -> NoReturn:
    raise TuiboardError(message)


def root_from(ctx: click.Context) -> Path:
    return find_root(Path(ctx.obj.get("dir") or Path.cwd()))


def load_from(ctx: click.Context) -> Board:
    board = Store(root_from(ctx)).load()
    quickexit.keep(board)  # a reading command's process ends without freeing it
    return board


def check_view(root: Path, name: str) -> None:
    """A saved view's name is checked before the board opens: a wrong one is a one-line
    error listing the valid names, not a board that opens unfiltered."""
    from pipeline.query import view_named  # and the search behind it: only for --view

    config, problems = load_config(root)
    view_named(config.views, name, problems)


def store_from(ctx: click.Context) -> tuple[Store, Board]:
    """The folder's store, loaded (for commands that write through `pipeline.actions`)."""
    store = Store(root_from(ctx))
    return store, store.load()


class Amount(click.ParamType):
    """An amount as reps type it, read by the same parser as the board's form (18万, 1.5w)."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float):
            return value
        try:
            return parse_amount(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def when_from(text: str | None, option: str | None = None, happened: bool = False) -> date:
    """The date ``text`` names (today when None), given as ``option`` (named in the error).
    ``happened``: the date of something done (a move, an activity): not after today."""
    now = today()
    if text is None:
        return now
    try:
        day = parse_when(text, now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if happened and day > now:
        said = f"{day} is after today ({now}): a move or an activity is dated when it happened"
        raise click.BadParameter(said, param_hint=option)
    return day


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


def printable_lines(text: str) -> str:
    """`printable` for each line of a multi-line text (a problem and its excerpt)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def finding(problem: Problem, root: Path) -> str:
    """A problem as every command prints it, ``path:line:col: severity: message`` (the path
    relative to ``root``), harmless for a terminal."""
    return printable_lines(problem.format(root))
