"""The `tuiboard` group: plain `tuiboard` opens the board; each subcommand comes from its family's module."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import ClassVar

import click

from ..color import color_option
from . import quickexit
from .tools import COMMANDS, complete_params, complete_views
from .util import OneLineErrors, root_from


class Commands(OneLineErrors):
    """A family's module is imported when one of its commands is named (or listed by
    --help): `due` in a shell prompt starts without the write path, the reports or git."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        **{name: ("tuiboard.cli.folder", name) for name in ("init", "demo", "check", "fmt")},
        **{name: ("tuiboard.cli.edits", name) for name in ("new", "move", "log")},
        "next": ("tuiboard.cli.edits", "next_cmd"),
        "list": ("tuiboard.cli.reading", "list_cmd"),
        "show": ("tuiboard.cli.reading", "show"),
        "git-setup": ("tuiboard.cli.git", "git_setup"),
        "merge-file": ("tuiboard.cli.git", "merge_file"),
        "report": ("tuiboard.cli.report", "report"),
        "export": ("tuiboard.cli.tables", "export"),
        "import": ("tuiboard.cli.tables", "import_cmd"),
        "sync": ("tuiboard.cli.team", "sync"),
        "resolve": ("tuiboard.cli.team", "resolve_cmd"),
        "history": ("tuiboard.cli.team", "history_cmd"),
        **{name: ("tuiboard.cli.people", name) for name in ("contact", "product")},
        "merge-customers": ("tuiboard.cli.people", "merge_customers"),
        "archive": ("tuiboard.cli.people", "archive_cmd"),
        "unarchive": ("tuiboard.cli.people", "unarchive_cmd"),
        "delete": ("tuiboard.cli.people", "delete_cmd"),
    }

    READING: ClassVar[frozenset[str]] = frozenset({"due", "today", "list", "show"})  # write nothing

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in self.READING:
            quickexit.reading_command()
        return name, command, rest

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY and name not in self.commands:
            module, attr = self.LAZY[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
            complete_params(self)
        return super().get_command(ctx, name)


@click.group(
    cls=Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run as if started in DIR (like git -C).",
)
@click.option(
    "--view",
    "view",
    metavar="NAME",
    help="Open the board with a saved view ([views.NAME]).",
    shell_complete=complete_views,
)
@click.version_option(package_name="tuiboard")
@color_option
@click.pass_context
def main(ctx: click.Context, directory: Path | None, view: str | None) -> None:
    """A sales-pipeline board in the terminal, over a folder of TOML files in git."""
    ctx.ensure_object(dict)
    ctx.obj["dir"] = directory
    if ctx.invoked_subcommand is None:
        from .folder import open_board

        open_board(root_from(ctx), view)
    elif view is not None:
        raise click.UsageError(
            f"--view opens the board; for a command: tuiboard {ctx.invoked_subcommand} --view NAME"
        )


for command in COMMANDS:
    main.add_command(command)
complete_params(main)


def run() -> None:
    """The `tuiboard` process (console script, `python -m tuiboard`); tests call `main`."""
    quickexit.start()
    try:
        main(prog_name="tuiboard")
    except SystemExit as exc:
        quickexit.end(exc)
