"""The commands that change one customer or several: new, move, next, log.

They import the write path (pipeline.actions: tomlkit, the lock, the edit) and the
duplicate finder (rapidfuzz) when they run: `due` in a shell prompt, `list` and `show` read
only, and those modules were a third of their start."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pipeline import rules
from pipeline.config import DEFAULT_PRESET, load_config, load_preset
from pipeline.errors import TuiboardError
from pipeline.layout import CONFIG_FILE
from pipeline.model import INTENTS, LOG_KINDS
from pipeline.problems import printable
from pipeline.store import Board

from ..clock import today
from ..hookcalls import move_events, move_refusal
from ..textout import safe
from .tools import after_hooks, complete_ids, complete_stages
from .util import Amount, fail, resolve, root_from, store_from, when_from

if TYPE_CHECKING:
    from pipeline.edit import WriteResult

if TYPE_CHECKING:
    from pipeline.edit import WriteResult


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


@click.command(cls=NewCommand)
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
    dates = {
        key: when_from(opts[key], f"'--{key.replace('_', '-')}'") if opts[key] else None
        for key in ("expected_close", "due")
    }
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


@click.command()
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
    day = when_from(when, "'--date'", happened=True)
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


@click.command("next")
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
    when = when_from(due, "'--due'")
    result = actions.next_action(store, c, action, when, reread=True)
    _done(board, result, f"{safe(c.name)}: next {safe(action)} by {when}")


@click.command()
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
    result = actions.log(store, c, kind, note, when_from(when, "'--date'", happened=True), reread=True)
    _done(board, result, f"{safe(c.name)}: logged {kind}", ("on-log",))
