"""Working as a team over git: `sync`, `resolve` and `history`."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any, cast

import click
import tomlkit

from pipeline.config import load_config
from pipeline.edit import WriteError
from pipeline.githistory import FieldChange, History
from pipeline.gitrepo import GitError, Repo
from pipeline.merge import MISSING
from pipeline.problems import json_printable, printable
from pipeline.settle import (
    WHOLE,
    Conflict,
    SettleError,
    Side,
    conflicted,
    load_conflict,
    settle,
    write_settled,
)
from pipeline.sync import in_flight
from pipeline.sync import sync as run_sync
from pipeline.sync_said import describe_incoming

from .git import DRIVER
from .util import fail, finding, load_from, resolve, root_from

ALL = "all"  # --ours all / --theirs all: one side's whole file


def open_repo(root: Path) -> Repo:
    """The repository with this install's merge driver, whatever the folder's config says."""
    try:
        return Repo(root, extra_config=driver_config())
    except GitError as exc:
        fail(f"{root} is not in a git repository ({printable(str(exc))})")


def driver_config() -> tuple[str, ...]:
    """This install's light driver entry point (`pipeline.mergedriver`), not the folder's config."""
    command = f"{shlex.quote(sys.executable)} -I -m pipeline.mergedriver %O %A %B"
    return (f"merge.{DRIVER}.driver={command}", f"merge.{DRIVER}.name=tuiboard field-level merge")


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would be committed; change nothing.")
@click.option(
    "--rebase/--merge",
    default=None,
    help="Replay your commits onto the remote's, or merge (default: git config tuiboard.rebase).",
)
@click.pass_context
def sync(ctx: click.Context, dry_run: bool, rebase: bool | None) -> None:
    """Commit your changes, fetch, merge field by field (or rebase), push; say what came in.

    \b
    Your settings, in this clone's git config (never shared through pipeline.toml):
      git config tuiboard.rebase true        rebase instead of merging
      git config tuiboard.commits customer   one commit per customer changed (default: sync)
      git config tuiboard.autoCommit true    every change commits at once (undo reverts it)

    \b
    Examples:
      tuiboard sync --dry-run
      tuiboard sync --rebase
    """
    root = root_from(ctx)
    repo = open_repo(root)
    config, _ = load_config(root)
    try:
        result = run_sync(repo, config, dry_run=dry_run, rebase=rebase)
    except GitError as exc:
        fail(f"git: {printable(str(exc))}")
    if result.refused:
        click.echo("nothing committed: fix these first (`tuiboard check`):", err=True)
        for p in result.refused:
            click.echo(finding(p, root), err=True)
        sys.exit(1)
    if result.actions:
        click.echo("would commit:" if dry_run else "committed:" if result.committed else "changes:")
        for action in result.actions:
            click.echo(f"  {action}")
    for line in describe_incoming(result.incoming):
        click.echo(line)
    if result.merged_problems:
        click.echo("after the merge, `tuiboard check` finds:")
        for p in result.merged_problems:
            click.echo(finding(p, root))
    if result.pushed:
        click.echo("pushed")
    for note in result.notes:
        click.echo(note)
    if not dry_run and (flight := in_flight(repo)):
        click.echo("changed on teammates' branches, not merged yet:")
        for cid, where in sorted(flight.items()):
            click.echo(f"  {printable(cid)}: {', '.join(sorted(where))}")
    if result.conflicts:
        shown = ", ".join(printable(c) for c in result.conflicts)
        click.echo(
            f"conflicts in {_count(len(result.conflicts), 'customer')}: {shown}\n"
            "settle each with `tuiboard resolve ID`, then run `tuiboard sync` again",
            err=True,
        )
        sys.exit(1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


# -- resolve ------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is MISSING:
        return "(not set)"
    try:
        return printable(tomlkit.item(value).as_string())
    except (TypeError, ValueError):
        return printable(repr(value))


def _pick_id(conflicted: dict[str, str], key: str) -> str:
    if key in conflicted:
        return key
    found = [cid for cid in conflicted if cid.startswith(key.lower())]
    if len(found) == 1:
        return found[0]
    known = ", ".join(sorted(printable(c) for c in conflicted)) or "none"
    fail(f"{printable(key)!r} is not one conflicted customer (conflicted: {known})")


def _describe(cid: str, conflict: Conflict) -> list[str]:
    if conflict.whole_file:
        why = printable(conflict.reason)
        return [f"{printable(cid)}: the whole file ({why}): pick --ours all or --theirs all"]
    lines = [f"{printable(cid)}: {_count(len(conflict.fields), 'conflicting field')}"]
    for f in conflict.fields:
        lines.append(f"  {printable(f.field)}")
        lines.append(f"    base    {_show(f.base)}")
        lines.append(f"    ours    {_show(f.ours)}")
        lines.append(f"    theirs  {_show(f.theirs)}")
    return lines


@click.command("resolve")
@click.argument("customer_id", metavar="[ID]", required=False)
@click.option(
    "--ours", "ours", multiple=True, metavar="FIELD", help="Keep our value of FIELD (all: our file)."
)
@click.option(
    "--theirs", "theirs", multiple=True, metavar="FIELD", help="Take their value of FIELD (all: their file)."
)
@click.pass_context
def resolve_cmd(
    ctx: click.Context, customer_id: str | None, ours: tuple[str, ...], theirs: tuple[str, ...]
) -> None:
    """Settle a conflicted customer field by field; without ID, list the conflicts.

    \b
    Examples:
      tuiboard resolve
      tuiboard resolve hangzhou --theirs next.action --ours amount
    """
    root = root_from(ctx)
    repo = open_repo(root)
    stuck = conflicted(repo)
    if customer_id is None:
        if not stuck:
            click.echo("no conflicts")
        for cid, git_path in sorted(stuck.items()):
            click.echo("\n".join(_describe(cid, load_conflict(repo, git_path))))
        return
    cid = _pick_id(stuck, customer_id)
    git_path = stuck[cid]
    conflict = load_conflict(repo, git_path)
    picks = _picks(cid, conflict, ours, theirs)
    try:
        data = settle(conflict, picks)
    except SettleError as exc:
        fail(f"{printable(cid)}: {exc}")
    config, _ = load_config(root)
    try:
        write_settled(repo, config, root, git_path, data)
    except (SettleError, WriteError) as exc:
        fail(f"{printable(cid)}: {exc}")
    if data is None:
        click.echo(f"{printable(cid)}: deleted, as {'ours' if picks[WHOLE] == 'ours' else 'theirs'} had it")
        return
    kept = ", ".join(f"{printable(f)}={side}" for f, side in picks.items())
    click.echo(f"{printable(cid)}: settled ({kept}) and staged; `tuiboard sync` commits and pushes")


def _picks(cid: str, conflict: Conflict, ours: tuple[str, ...], theirs: tuple[str, ...]) -> dict[str, Side]:
    picks: dict[str, Side] = {}
    sides: tuple[tuple[tuple[str, ...], Side], ...] = ((ours, "ours"), (theirs, "theirs"))
    for fields, side in sides:
        for name in fields:
            key = WHOLE if name == ALL else name
            if key in picks and picks[key] != side:
                raise click.BadParameter(f"{name} is picked as both ours and theirs")
            known = {f.field for f in conflict.fields}
            if key != WHOLE and key not in known:
                listed = ", ".join(sorted(known)) or f"none: pick --{side} all"
                raise click.BadParameter(f"{name!r} is not a conflicting field (conflicting: {listed})")
            picks[key] = side
    if WHOLE in picks:
        return picks
    todo = [f for f in conflict.fields if f.field not in picks] if conflict.fields else []
    if conflict.whole_file or todo:
        if not sys.stdin.isatty():
            click.echo("\n".join(_describe(cid, conflict)), err=True)
            what = "--ours all or --theirs all" if conflict.whole_file else "--ours FIELD or --theirs FIELD"
            fail(f"{printable(cid)}: pick with {what}")
        click.echo("\n".join(_describe(cid, conflict)))
        if conflict.whole_file:
            answer = click.prompt("keep which file", type=click.Choice(["ours", "theirs"]))
            return {WHOLE: cast(Side, answer)}  # one of the click.Choice
        for f in todo:
            picks[f.field] = click.prompt(
                f"{printable(f.field)}: keep", type=click.Choice(["ours", "theirs"])
            )
    return picks


# -- history ------------------------------------------------------------------------------


def _entry(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_show(v) if not isinstance(v, str) else printable(v) for v in value.values())
    return _show(value)


def format_change(c: FieldChange) -> str:
    when = c.when[:16].replace("T", " ")
    if c.old is None and isinstance(c.new, dict):
        what = f"+ {_entry(c.new)}"
    elif c.new is None and isinstance(c.old, dict):
        what = f"- {_entry(c.old)}"
    else:
        what = f"{'—' if c.old is None else _show(c.old)} → {'—' if c.new is None else _show(c.new)}"
    settled = "  (settled in a merge)" if c.settled else ""
    return f"{when}  {printable(c.author)}  {printable(c.field)}  {what}  {c.commit[:8]}{settled}"


@click.command("history")
@click.argument("customer_id", metavar="ID")
@click.option("--field", help="Only this field (amount, stage, next, log …).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def history_cmd(ctx: click.Context, customer_id: str, field: str | None, as_json: bool) -> None:
    """Who changed which field of a customer, when (from git), newest first.

    \b
    Examples:
      tuiboard history hangzhou
      tuiboard history hangzhou --field amount --json
    """
    board = load_from(ctx)
    c = resolve(board, customer_id)
    repo = open_repo(board.root)
    changes = History(repo).timeline(repo.rel(c.path), field)
    if as_json:
        records = [
            {
                "commit": ch.commit,
                "author": ch.author,
                "when": ch.when,
                "field": ch.field,
                "old": ch.old,
                "new": ch.new,
                "settled": ch.settled,
            }
            for ch in changes
        ]
        click.echo(json_printable(json.dumps(records, ensure_ascii=False, indent=2, default=str)))
        return
    if not changes:
        click.echo("no history in git for this customer")
    for ch in changes:
        click.echo(format_change(ch))
