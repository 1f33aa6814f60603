"""Whether a command colours its output: ``--color auto|always|never``, then NO_COLOR, then a tty."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
_META_KEY = "tuiboard.color"


def _remember(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta[_META_KEY] = value
    if value == "never":  # the board (Textual) and child processes follow the convention
        os.environ["NO_COLOR"] = "1"
    return value


def color_option(f: F) -> F:
    """The group-wide ``--color`` option; commands ask `use_color()`."""
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        expose_value=False,
        is_eager=True,
        callback=_remember,
        help="Colour the output: auto (a terminal, unless NO_COLOR is set), always or never.",
    )(f)


def use_color(stream: IO[str] | None = None) -> bool:
    ctx = click.get_current_context(silent=True)
    mode = ctx.meta.get(_META_KEY, "auto") if ctx is not None else "auto"
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):  # no-color.org: set and not empty
        return False
    return (stream or sys.stdout).isatty()
