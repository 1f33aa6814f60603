"""The `tuiboard` command: plain `tuiboard` opens the board; subcommands script the folder."""

from __future__ import annotations

import gc
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click
from rich.cells import cell_len

from pipeline import contacts, rules
from pipeline.canonical import has_comments
from pipeline.config import DEFAULT_PRESET, Config, load_config, load_preset, preset_names, preset_text
from pipeline.errors import TuiboardError, WriteError
from pipeline.layout import ARCHIVE_DIR, CONFIG_FILE, CUSTOMERS_DIR, init_folder, write_gitignore
from pipeline.model import INTENTS, LOG_KINDS, Customer
from pipeline.problems import printable
from pipeline.query import Filter, sort_key, view_filter, view_named
from pipeline.store import Board

from .cli_git import git_setup, merge_file, setup_git
from .cli_tools import (
    COMMANDS,
    after_hooks,
    complete_ids,
    complete_params,
    complete_stages,
    complete_views,
    show_json,
)
from .cliutil import (
    Amount,
    OneLineErrors,
    check_view,
    fail,
    load_from,
    resolve,
    root_from,
    store_from,
    when_from,
)
from .clock import today
from .color import color_option
from .hookcalls import move_events, move_refusal
from .jsonout import dumps
from .me import whoami
from .textout import money, safe, table

if TYPE_CHECKING:
    from pipeline.edit import WriteResult

# The commands that write import the write path (pipeline.actions: tomlkit, the lock, the
# edit) and the duplicate finder (rapidfuzz) when they run: `due` in a shell prompt, `list`
# and `show` read only, and those modules were a third of their start.


class Commands(OneLineErrors):
    """The report, spreadsheet and team commands are imported when named (or listed by
    --help): every other command starts without their modules (a third of the import)."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "report": ("tuiboard.cli_report", "report"),
        "export": ("tuiboard.cli_report", "export"),
        "import": ("tuiboard.cli_report", "import_cmd"),
        "sync": ("tuiboard.cli_team", "sync"),
        "resolve": ("tuiboard.cli_team", "resolve_cmd"),
        "history": ("tuiboard.cli_team", "history_cmd"),
        **{name: ("tuiboard.cli_people", name) for name in ("contact", "product")},
        "merge-customers": ("tuiboard.cli_people", "merge_customers"),
        "archive": ("tuiboard.cli_people", "archive_cmd"),
        "unarchive": ("tuiboard.cli_people", "unarchive_cmd"),
        "delete": ("tuiboard.cli_people", "delete_cmd"),
    }

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
        open_board(root_from(ctx), view)
    elif view is not None:
        raise click.UsageError(
            f"--view opens the board; for a command: tuiboard {ctx.invoked_subcommand} --view NAME"
        )


def open_board(root: Path, view: str | None = None) -> None:
    if view is not None:
        check_view(root, view)
    gc.disable()  # until the board is loaded (BoardApp._start): the start's objects all live on
    from .app import run_board

    run_board(root, view=view)


@main.command()
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


@main.command()
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


@main.command()
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
        click.echo(printable_lines(p.format(board.root)))
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(board.customers)} customers, {errors} errors, {warnings} warnings", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


@main.command()
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


class NewCommand(click.Command):
    """`new --help` ends with the folder's stages and tiers (its pipeline.toml; the default
    preset's outside a folder), so a rep sees what --stage and --tier take."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        try:
            root = root_from(ctx)
            config, where = load_config(root)[0], f"{root / CONFIG_FILE}"
        except TuiboardError:
            config, where = load_preset(DEFAULT_PRESET), f"the default preset, {DEFAULT_PRESET}"
        with formatter.section(printable(f"Stages and tiers ({where})")):
            formatter.write_dl(
                [
                    ("--stage", ", ".join(printable(f"{s.id} ({s.label})") for s in config.stages)),
                    ("--tier", ", ".join(printable(f"{t.id} ({t.label})") for t in config.tiers) or "—"),
                    ("--intent", ", ".join(INTENTS)),
                ]
            )


@main.command(cls=NewCommand)
@click.argument("name")
@click.option("--stage", help="Stage id (default: the first stage).")
@click.option("--tier")
@click.option("--amount", type=Amount(), help="180000, 18万, 1.5w, 20k.")
@click.option(
    "--probability", type=click.FloatRange(0, 100), help="Win probability, percent (default: the stage's)."
)
@click.option("--close", "expected_close", metavar="DATE", help="Expected close date: 2026-12-31, +1q.")
@click.option("--intent", type=click.Choice(INTENTS))
@click.option("--owner")
@click.option("--source")
@click.option("--contact", "contact_name", metavar="NAME", help="Contact person ([contact] name).")
@click.option("--title", help="The contact's job title.")
@click.option("--phone", help="The contact's phone.")
@click.option("--competitor")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--next", "next_action", metavar="ACTION", help="The next action.")
@click.option("--due", help="Its due date (default: from the follow-up cadence).")
@click.pass_context
def new(ctx: click.Context, name: str, **opts: Any) -> None:
    """Add a customer; prints the new file's path. Takes every field of the board's form.

    \b
    Examples:
      tuiboard new "苏州华东精密机械有限公司" --stage intent --tier B --amount 18万 \\
          --contact 张伟 --phone "0512 6666 8888" --next "发送报价" --due +1w
    """
    store, board = store_from(ctx)
    dates = {key: when_from(opts[key]) if opts[key] else None for key in ("expected_close", "due")}
    fields: dict[tuple[str, ...], Any] = {
        ("name",): name,
        **{(key,): opts[key] for key in ("stage", "tier", "owner", "source", "amount", "probability")},
        ("expected_close",): dates["expected_close"],
        ("intent",): opts["intent"],
        ("tags",): list(opts["tags"]) or None,
        ("competitor",): opts["competitor"],
        ("contact", "name"): opts["contact_name"],
        ("contact", "title"): opts["title"],
        ("contact", "phone"): opts["phone"],
        ("next", "action"): opts["next_action"],
        ("next", "due"): dates["due"],
    }
    from pipeline import actions
    from pipeline.duplicates import similar

    for other in similar(name, board.customers.values()):
        click.echo(
            printable(
                f"tuiboard: warning: {name} looks like {other.name}, already on the board"
                f" (`tuiboard show {other.id}`)"
            ),
            err=True,
        )
    result = actions.new_customer(store, fields, today())
    after_hooks(board, result.customer, ("on-new",))
    click.echo(safe(result.customer.path))


def _done(board: Board, result: WriteResult, what: str, events: tuple[str, ...] = ()) -> None:
    click.echo(f"{what} ({safe(result.customer.path.relative_to(board.root))})")
    after_hooks(board, result.customer, events)


def complete_ids_then_stage(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """``move ID... STAGE``: ids first; after one, ids or a stage."""
    if not ctx.params.get("stage") and not ctx.params.get("customer_ids"):
        return complete_ids(ctx, param, incomplete)
    return [*complete_ids(ctx, param, incomplete), *complete_stages(ctx, param, incomplete)]


@main.command()
@click.argument("customer_ids", metavar="ID...", nargs=-1, shell_complete=complete_ids_then_stage)
@click.argument("stage")
@click.option("--reason", help="Why it was lost (required for the lost stage).")
@click.option("--date", "when", help="Date of the move (default today).")
@click.option("--force", is_flag=True, help="Record a --date earlier than the last history entry.")
@click.pass_context
def move(
    ctx: click.Context,
    customer_ids: tuple[str, ...],
    stage: str,
    reason: str | None,
    when: str | None,
    force: bool,
) -> None:
    """Move customers to STAGE, appending a history entry to each (won: the next action becomes
    the first after-sales step; lost: the next action is cleared).

    Several ids move each one on its own: one refused (a hook, a file changed or broken, already
    there) is said on stderr and the others are written; the exit code is then 1.

    \b
    Examples:
      tuiboard move suzhou project
      tuiboard move suzhou hangzhou acme lost --reason "预算取消"
    """
    if not customer_ids:  # `move acme`: click filled STAGE from the end; the stage is what is missing
        raise click.UsageError("Missing argument 'STAGE'.", ctx)
    from pipeline import actions

    store, board = store_from(ctx)
    customers = list({c.id: c for c in (resolve(board, key) for key in customer_ids)}.values())
    day = when_from(when)
    for c in customers:
        last = rules.last_history_date(c)
        if last is not None and day < last and not force:
            where = f"{safe(c.name)}: " if len(customers) > 1 else ""
            fail(f"{where}{day} is before the last history entry ({last}); use --force to record it anyway")
    result = actions.bulk_move(
        store, customers, stage, day, reason, veto=lambda c: move_refusal(board, c, stage), reread=True
    )
    for written in result.written:
        c = board.customers[written.customer.id]
        _done(board, written, f"{safe(c.name)}: {safe(c.stage)} → {safe(stage)}", move_events(board, stage))
    if len(customers) == 1 and result.refused:
        fail(result.refused[0].reason)
    for refusal in result.refused:
        click.echo(printable(f"tuiboard: {refusal.customer.name}: {refusal.reason}"), err=True)
    if result.refused:
        moved = len(result.written)
        fail(f"{moved} moved, {len(result.refused)} refused")


@main.command("next")
@click.argument("customer_id", metavar="ID")
@click.argument("action")
@click.option("--due", required=True, help="YYYY-MM-DD, today, +3d, +1w, +1q.")
@click.pass_context
def next_cmd(ctx: click.Context, customer_id: str, action: str, due: str) -> None:
    """Set a customer's next action and its due date.

    \b
    Examples:
      tuiboard next suzhou "约见决策人" --due 2026-12-01
      tuiboard next suzhou "寄合同" --due +3d
    """
    from pipeline import actions

    store, board = store_from(ctx)
    c = resolve(board, customer_id)
    when = when_from(due)
    result = actions.next_action(store, c, action, when, reread=True)
    _done(board, result, f"{safe(c.name)}: next {safe(action)} by {when}")


@main.command()
@click.argument("customer_id", metavar="ID")
@click.argument("kind", type=click.Choice(LOG_KINDS))
@click.argument("note")
@click.option("--date", "when", help="Date of the activity (default today).")
@click.pass_context
def log(ctx: click.Context, customer_id: str, kind: str, note: str, when: str | None) -> None:
    """Append an activity (call, visit, email, demo, meeting, note) to the log.

    \b
    Examples:
      tuiboard log suzhou call "聊了预算"
      tuiboard log suzhou visit "现场演示" --date yesterday
    """
    from pipeline import actions

    store, board = store_from(ctx)
    c = resolve(board, customer_id)
    result = actions.log(store, c, kind, note, when_from(when), reread=True)
    _done(board, result, f"{safe(c.name)}: logged {kind}", ("on-log",))


def customer_record(c: Customer, board: Board, day: date) -> dict[str, Any]:
    config = board.config
    return {
        "id": c.id,
        "name": c.name,
        "stage": c.stage,
        "tier": rules.effective_tier(c, config),
        "owner": c.owner,
        "source": c.source,
        "amount": c.amount,
        "probability": rules.effective_probability(c, config),
        "weighted": rules.weighted_amount(c, config),
        "expected_close": c.expected_close.isoformat() if c.expected_close else None,
        "next_action": c.next_action,
        "next_due": c.next_due.isoformat() if c.next_due else None,
        "due_status": rules.due_status(c, day).name.lower(),
        "days_in_stage": rules.days_in_stage(c, day),
        "stale": rules.is_stale(c, config, day),
        "path": f"{CUSTOMERS_DIR}{os.sep}{c.id}.toml",  # not relative_to: 40% of a record's time
        "problems": len(c.problems),
    }


@main.command("list")
@click.option("--view", "view", metavar="NAME", help="A saved view ([views.NAME] in pipeline.toml).")
@click.option("--stage")
@click.option("--tier")
@click.option("--owner")
@click.option("--overdue", is_flag=True, help="Only overdue next actions.")
@click.option("--stale", is_flag=True, help="Only customers past their stage's threshold.")
@click.option("--archived", is_flag=True, help="The archived customers (archive/) instead.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cmd(
    ctx: click.Context,
    view: str | None,
    stage: str | None,
    tier: str | None,
    owner: str | None,
    overdue: bool,
    stale: bool,
    archived: bool,
    as_json: bool,
) -> None:
    """List customers, most urgent first within each stage (or in the view's sort).

    \b
    Examples:
      tuiboard list --archived
      tuiboard list --owner wang.li --overdue
      tuiboard list --view 我的A类          # a saved view; options narrow it further
      tuiboard list --stage intent --json | jq '.customers[].id'
    """
    board = load_from(ctx)
    config, day = board.config, today()
    if stage is not None and config.stage(stage) is None:
        known = ", ".join(config.stage_ids)
        raise click.BadParameter(f"unknown stage {stage!r} (known: {known})", param_hint="'--stage'")
    if tier is not None and config.tier(tier) is None:
        known = ", ".join(t.id for t in config.tiers)
        raise click.BadParameter(f"unknown tier {tier!r} (known: {known})", param_hint="'--tier'")
    saved = view_named(config.views, view) if view is not None else None
    filters = [
        Filter(
            stages=frozenset({stage} if stage else ()),
            tiers=frozenset({tier} if tier else ()),
            owners=frozenset({owner} if owner else ()),
            overdue=overdue,
            stale=stale,
        )
    ]
    if saved is not None:
        filters.append(view_filter(saved, whoami(board.root) if saved.mine else None))
    if archived:
        from pipeline.archive import archived as archived_customers

        pool: Iterable[Customer] = archived_customers(board.root, config)
    else:
        pool = board.customers.values()
    picked = [c for c in pool if all(f.matches(c, config, day) for f in filters)]
    order = sort_key(saved.sort if saved and saved.sort else "due", config, day)
    picked.sort(key=lambda c: (config.stage_index(c.stage), order(c)))
    records = [customer_record(c, board, day) for c in picked]
    if archived:
        for r in records:
            r["path"] = os.path.join(ARCHIVE_DIR, os.path.basename(r["path"]))
    if as_json:
        click.echo(dumps("list", {"customers": records}))
        return
    rows = [["ID", "NAME", "STAGE", "TIER", "AMOUNT", "P%", "DUE", "NEXT ACTION"]]
    for r in records:
        rows.append(
            [
                r["id"],
                r["name"],
                stage_label(config, r["stage"]),
                r["tier"] or "",
                money(r["amount"], config.currency),
                f"{r['probability']:.0f}",
                r["next_due"] or "—",
                r["next_action"] or "",
            ]
        )
    # An id is what every other command takes: never cut it (a name may be).
    id_width = max(cell_len(safe(r[0])) for r in rows)
    click.echo(table(rows, [id_width, 28, 12, 4, 9, 3, 10, 24]))


@main.command()
@click.argument("customer_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="As JSON (docs/json.md).")
@click.pass_context
def show(ctx: click.Context, customer_id: str, as_json: bool) -> None:
    """Everything about one customer: fields, computed values, history, log, problems.

    \b
    Examples:
      tuiboard show suzhou
      tuiboard show suzhou --json
    """
    board = load_from(ctx)
    c = resolve(board, customer_id)
    if as_json:
        return show_json(c, board)
    day = today()
    rec = customer_record(c, board, day)
    lines = [f"{safe(c.name)}  ({safe(rec['path'])})"]
    for key in (k for k in rec if k not in ("id", "name", "path", "problems")):  # shown apart
        value = stage_label(board.config, c.stage) if key == "stage" else rec[key]
        lines.append(f"  {key:<15} {safe(value)}")
    for key, value in c.data.items():
        if key in rec or key in ("name", "history", "log", "next", *PEOPLE):
            continue
        lines.append(f"  {safe(key):<15} {safe(inline(value) if isinstance(value, dict | list) else value)}")
    for key, line_of in PEOPLE.items():
        entries = contacts.entries(c.data, key)
        if entries:
            lines.append(f"{key}:")
            lines += [f"  {i}  {safe(line_of(e))}" for i, e in enumerate(entries, 1)]
    total = contacts.products_total(c.data)
    if total is not None:
        lines.append(f"  products' total {money(total, board.config.currency)}")
    if c.history:
        lines.append("history:")
        lines += [f"  {h.date}  {safe(stage_label(board.config, h.stage))}" for h in c.history]
    if c.log:
        lines.append("log:")
        lines += [f"  {e.date or '—'}  {safe(e.kind):<8} {safe(e.note)}" for e in c.log]
    for p in board.problems_for(c.id):
        lines.append(printable_lines(p.format(board.root)))
    click.echo("\n".join(lines))


PEOPLE = {"contacts": contacts.contact_line, "products": contacts.product_line}  # `show`'s own sections


def stage_label(config: Config, stage_id: str) -> str:
    """What a person reads for a stage: its label (ids stay in --json); an unknown id as is."""
    stage = config.stage(stage_id)
    return stage.title() if stage else stage_id


def printable_lines(text: str) -> str:
    """`printable` for each line of a multi-line text (a problem and its excerpt)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def inline(value: Any) -> str:
    """A table or array as TOML writes it inline (dates bare, strings quoted), not as Python's repr."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


main.add_command(git_setup)
main.add_command(merge_file)
for command in COMMANDS:
    main.add_command(command)
complete_params(main)


def run() -> None:
    main(prog_name="tuiboard")
