"""Commands on the folder as a whole: init, demo, check, fmt (and opening the board)."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import click

from pipeline.canonical import has_comments
from pipeline.config import DEFAULT_PRESET, preset_names, preset_text
from pipeline.errors import WriteError
from pipeline.layout import CONFIG_FILE, CUSTOMERS_DIR, init_folder, write_gitignore
from pipeline.problems import printable

from ..clock import today
from ..textout import safe
from .git import setup_git
from .util import check_view, fail, finding, load_from, store_from


def open_board(root: Path, view: str | None = None) -> None:
    if view is not None:
        check_view(root, view)
    gc.disable()  # until the board is loaded (BoardApp._start): the start's objects all live on
    from ..app import run_board

    run_board(root, view=view)


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--preset", type=click.Choice(preset_names()), default=DEFAULT_PRESET, show_default=True)
@click.pass_context
def init(ctx: click.Context, directory: Path | None, preset: str) -> None:
    """Create a pipeline folder (pipeline.toml, customers/) from a preset.

    \b
    Examples:
      tuiboard init sales
      tuiboard init --preset ten-level sales
    """
    folder = directory or ctx.obj.get("dir") or Path.cwd()
    if (folder / CONFIG_FILE).exists():
        fail(f"{folder / CONFIG_FILE} already exists")
    init_folder(folder, preset_text(preset))
    click.echo(f"created {folder / CONFIG_FILE} (preset {preset}) and {folder / CUSTOMERS_DIR}/")
    click.echo(setup_git(folder))


@click.command()
@click.argument(
    "directory", required=False, default="tuiboard-demo", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--customers", "count", type=click.IntRange(0, 200_000), default=120, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--preset", type=click.Choice(preset_names()), default=DEFAULT_PRESET, show_default=True)
@click.option("--no-open", is_flag=True, help="Only write the folder; don't open the board.")
def demo(directory: Path, count: int, seed: int, preset: str, no_open: bool) -> None:
    """Write a realistic sample pipeline (deterministic for a seed) and open it."""
    from pipeline.demo import write_demo

    if (directory / CONFIG_FILE).exists():
        click.echo(f"{directory} already holds a pipeline; opening it as it is", err=True)
    elif directory.exists() and any(directory.iterdir()):
        fail(f"{directory} exists and is not empty")
    else:
        n = write_demo(directory, count, seed, today(), preset)
        write_gitignore(directory)
        _git_init(directory)
        click.echo(f"wrote {n} customers to {directory}/", err=True)
    if not no_open:
        open_board(directory.resolve())


def _git_init(folder: Path) -> None:
    """Demo folders are git repositories, as real pipelines are (skipped without git)."""
    git = shutil.which("git")
    if not git:
        return
    env_args = ["-c", "user.name=tuiboard demo", "-c", "user.email=demo@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], [*env_args, "commit", "-q", "-m", "demo pipeline"]):
        subprocess.run([git, *args], cwd=folder, check=False, capture_output=True)


@click.command()
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@click.pass_context
def check(ctx: click.Context, strict: bool) -> None:
    """List every problem in the folder, bean-check style; exit 1 on errors.

    \b
    Examples:
      tuiboard check
      tuiboard check --strict   # warnings fail too
    """
    from pipeline.duplicates import problems as duplicate_problems

    board = load_from(ctx)
    problems = sorted(
        board.problems + duplicate_problems(board.customers.values()),
        key=lambda p: (str(p.path), p.line, p.column),
    )
    for p in problems:
        click.echo(finding(p, board.root))
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(board.customers)} customers, {errors} errors, {warnings} warnings", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


@click.command()
@click.option("--check", "check_only", is_flag=True, help="Only list files that are not canonical.")
@click.pass_context
def fmt(ctx: click.Context, check_only: bool) -> None:
    """Rewrite customer files in the canonical layout (files with comments are left alone).

    Each rewrite is verified to read back as the same data; a file for which it would not
    is left as it is, and said so.
    """
    from pipeline import actions

    store, board = store_from(ctx)
    differ = refused = 0
    for c in sorted(board.customers.values(), key=lambda c: c.id):
        if c.has_errors or c.fingerprint is None:
            continue
        rel = safe(c.path.relative_to(board.root))
        wanted = actions.canonical_text(c)
        if wanted is None:
            continue
        if has_comments(c.path.read_bytes().decode("utf-8-sig")):
            click.echo(f"{rel}: has comments; left as written", err=True)
            continue
        differ += 1
        if check_only:
            click.echo(f"{rel}: not canonical")
            continue
        try:
            actions.reformat(store, c)
        except WriteError as exc:
            refused += 1
            click.echo(printable(f"tuiboard: {exc}; left as written"), err=True)
            continue
        click.echo(f"{rel}: formatted")
    if refused or (check_only and differ):
        sys.exit(1)
