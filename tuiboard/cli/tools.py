"""The commands that fit tuiboard into a rep's other tools.

`ics` (calendar), `today` and `due` (shell prompts and cron), `completion` (bash, zsh,
fish), `serve` (the board in a browser), and the glue for hooks and `--json` documents.
`today` and `due` stay fast: nothing here imports pandas, plotext, textual or icalendar
at module level.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import click

from pipeline.agenda import today_items
from pipeline.ics import UID_KEY
from pipeline.model import Customer
from pipeline.problems import printable
from pipeline.rules import DueStatus
from pipeline.store import Board, NotAPipeline, Store, find_root

from .. import jsonout
from ..clock import today as clock_today
from ..color import use_color
from ..hookcalls import hook_failures
from ..textout import fit, safe
from .util import check_view, fail, load_from, root_from

# -- JSON documents ---------------------------------------------------------------------


def plain(value: Any) -> Any:
    """TOML data as JSON data: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def customer_document(c: Customer, board: Board, day: date) -> dict[str, Any]:
    """`list --json`'s record of a customer, plus the file's data and its problems."""
    from .reading import customer_record  # reading imports this module

    doc = customer_record(c, board, day)
    doc["data"] = plain(c.data)
    doc["problem_details"] = [
        {"line": p.line, "column": p.column, "severity": str(p.severity), "message": p.message}
        for p in board.problems_for(c.id)
    ]
    return doc


# -- hooks --------------------------------------------------------------------------------


def after_hooks(board: Board, c: Customer, events: Iterable[str]) -> None:
    for line in hook_failures(board, c, events):
        click.echo(printable(f"tuiboard: {line}"), err=True)


# -- today and due ------------------------------------------------------------------------


def _agenda(ctx: click.Context, owner: str | None, dated: bool = False) -> tuple[Board, date, list[Any]]:
    """The folder's agenda for today; ``dated``: only what can be overdue or due today."""
    board = load_from(ctx)
    day = clock_today()
    picked = _may_have_work(board, day, dated)
    return board, day, today_items(picked, board.config, day, owner, dated=dated)


def _may_have_work(board: Board, day: date, dated: bool) -> list[Customer]:
    """The customers `today_items` can list anything for, found without its rules (which
    cost 30 µs a customer): a next action due by ``day``, or none at all (a lead to plan;
    not ``dated`` work), and every won customer (after-sales steps). A customer whose next
    action is due later has no work today; nor has a lost one."""
    won = {s.id for s in board.config.stages if s.kind == "won"}
    return [
        c
        for c in board.customers.values()
        if c.stage in won or (c.next_due <= day if c.next_due is not None else not dated)
    ]


def _item_record(item: Any) -> dict[str, Any]:
    c: Customer = item.customer
    return {
        "id": c.id,
        "name": c.name,
        "stage": c.stage,
        "owner": c.owner,
        "priority": item.priority,
        "priority_label": item.label,
        "priority_label_en": item.label_en,
        "kind": item.kind,
        "task": item.task,
        "status": item.status.name.lower(),
        "due": item.due.isoformat() if item.due else None,
        "days_overdue": item.days_overdue,
        "next_action": c.next_action,
    }


_WHEN_COLOURS = {DueStatus.OVERDUE: "red", DueStatus.TODAY: "yellow"}


def _when(item: Any) -> str:
    if item.status is DueStatus.OVERDUE:
        return f"逾期{item.days_overdue}天"
    if item.status is DueStatus.UPCOMING:  # an after-sales step open now
        return f"{item.due:%m-%d}前"
    return "今天" if item.status is DueStatus.TODAY else "待安排"


@click.command()
@click.option("--owner", help="Only this rep's customers.")
@click.option("--json", "as_json", is_flag=True, help="The agenda as JSON (docs/json.md).")
@click.pass_context
def today(ctx: click.Context, owner: str | None, as_json: bool) -> None:
    """Today's work: overdue and due-today next actions, in the seeds' order of work.

    \b
    Examples:
      tuiboard today
      tuiboard today --owner wang.li --json | jq '.items[].name'
    """
    _board, day, items = _agenda(ctx, owner)
    if as_json:
        payload = {"date": day.isoformat(), "owner": owner, "items": [_item_record(i) for i in items]}
        click.echo(jsonout.dumps("today", payload))
        return
    color = use_color()

    def paint(text: str, **style: Any) -> str:  # piped: nothing to style, nothing to strip again
        return click.style(text, **style) if color else text

    overdue = sum(i.status is DueStatus.OVERDUE for i in items)
    lines = [f"今日待办 {day} · {len(items)} 项 · 逾期 {overdue}"]
    if not items:
        lines.append("没有到期的下一步 · nothing due")
    group = None
    whens: dict[str, str] = {}  # a few texts ("逾期3天", "今天") among thousands of items
    for item in items:
        if item.priority != group:
            group = item.priority
            lines.append(paint(f"{item.priority} {item.label} · {item.label_en}", bold=True))
        c = item.customer
        owner_text = f"  [{safe(c.owner)}]" if c.owner and owner is None else ""
        text = _when(item)  # the text says the status, and so the colour
        when = whens.get(text)
        if when is None:
            when = whens[text] = paint(fit(text, 8), fg=_WHEN_COLOURS.get(item.status))
        lines.append(f"  {when} {fit(c.name, 28)} {safe(item.task)}  ({safe(c.id)}){owner_text}")
    click.echo("\n".join(lines), color=color)


@click.command()
@click.option("--owner", help="Only this rep's customers.")
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON (docs/json.md).")
@click.pass_context
def due(ctx: click.Context, owner: str | None, as_json: bool) -> None:
    """One line for a prompt or cron: exit 1 when something is overdue or due today.

    \b
    Examples:
      tuiboard due || notify-send "$(tuiboard due)"
      PS1='$(tuiboard due >/dev/null || echo "[due] ")'"$PS1"
    """
    _board, day, items = _agenda(ctx, owner, dated=True)
    overdue = [i for i in items if i.status is DueStatus.OVERDUE]
    due_today = [i for i in items if i.status is DueStatus.TODAY]
    dated = overdue + due_today  # a lead with no next action is work, but nothing is due
    if as_json:
        payload = {
            "date": day.isoformat(),
            "owner": owner,
            "overdue": len(overdue),
            "today": len(due_today),
            "ids": [i.customer.id for i in dated],
        }
        click.echo(jsonout.dumps("due", payload))
    elif dated:
        names = ", ".join(safe(i.customer.name) for i in dated[:3]) + (" …" if len(dated) > 3 else "")
        click.echo(f"{len(overdue)} overdue, {len(due_today)} due today: {names}")
    else:
        click.echo("nothing due")
    if dated:
        sys.exit(1)


# -- calendar -----------------------------------------------------------------------------


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.option("--owner", help="Only this rep's customers.")
@click.option("--todo", is_flag=True, help="VTODO to-dos instead of all-day VEVENT events.")
@click.option(
    "--pin-uids",
    is_flag=True,
    help=f"Write each exported customer's UID into its file ({UID_KEY} = ...), so a renamed file keeps it.",
)
@click.pass_context
def ics(ctx: click.Context, output: Path | None, owner: str | None, todo: bool, pin_uids: bool) -> None:
    """Next actions as an iCalendar file for a phone or desktop calendar.

    One entry per customer with a next action (open stages, and won ones for after-sales),
    all-day on its due date. The UID stays the same across exports, so importing or
    subscribing again updates the entries instead of adding copies: it is derived from the
    customer id, or taken from the file's `ics_uid` when there is one (--pin-uids writes it).

    \b
    Examples:
      tuiboard ics -o ~/next-actions.ics
      tuiboard ics --owner wang.li --todo > wang.ics
    """
    from pipeline.edit import WriteError, atomic_write
    from pipeline.ics import calendar, exported

    board = load_from(ctx)
    if pin_uids:
        board = _pin_uids(ctx, board, exported(board.customers.values(), board.config, owner))
    data = calendar(board.customers.values(), board.config, kind="todo" if todo else "event", owner=owner)
    if output is None:
        click.echo(data, nl=False)  # bytes: the CRLF line ends RFC 5545 asks for
        return
    try:
        atomic_write(output, data)
    except WriteError as exc:
        fail(str(exc))
    n = len(exported(board.customers.values(), board.config, owner))
    click.echo(f"wrote {n} next actions to {safe(output)}", err=True)


def _pin_uids(ctx: click.Context, board: Board, customers: list[Customer]) -> Board:
    """Store the derived UID in each file that has none, through the checked write path."""
    from pipeline.edit import SetKey, WriteError, edit_customer
    from pipeline.ics import customer_uid

    pinned = 0
    for c in customers:
        if isinstance(c.data.get(UID_KEY), str):
            continue
        try:
            edit_customer(c, board.config, [SetKey((UID_KEY,), customer_uid(c))])
        except WriteError as exc:
            click.echo(printable(f"tuiboard: {exc}"), err=True)
            continue
        pinned += 1
    click.echo(f"pinned {pinned} UIDs in customer files", err=True)
    return load_from(ctx) if pinned else board


# -- completion ---------------------------------------------------------------------------

SHELLS = ("bash", "zsh", "fish")


def _completion_board(ctx: click.Context) -> Board | None:
    start = ctx.find_root().params.get("directory") or Path.cwd()
    try:
        return Store(find_root(Path(start))).load()
    except (NotAPipeline, OSError, ValueError):
        return None


def _choices(values: Iterable[str | None], incomplete: str) -> list[str]:
    return sorted({v for v in values if v and v.startswith(incomplete)})


def complete_ids(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    board = _completion_board(ctx)
    return _choices(board.customers, incomplete) if board else []


def complete_stages(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    board = _completion_board(ctx)
    return _choices(board.config.stage_ids, incomplete) if board else []


def complete_tiers(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    board = _completion_board(ctx)
    return _choices((t.id for t in board.config.tiers), incomplete) if board else []


def complete_owners(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    board = _completion_board(ctx)
    if board is None:
        return []
    return _choices([*board.config.owners, *(c.owner for c in board.customers.values())], incomplete)


def complete_sources(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    board = _completion_board(ctx)
    return _choices(board.config.sources, incomplete) if board else []


def complete_views(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    board = _completion_board(ctx)
    return _choices((v.name for v in board.config.views), incomplete) if board else []


COMPLETERS = {
    "customer_id": complete_ids,
    "view": complete_views,
    "stage": complete_stages,
    "tier": complete_tiers,
    "owner": complete_owners,
    "source": complete_sources,
}


def complete_params(group: click.Group) -> None:
    """Give every command's ID, stage, tier, owner, source and view parameters their completion."""
    for command in group.commands.values():
        for param in command.params:
            completer = COMPLETERS.get(param.name or "")
            if completer is not None and not isinstance(param.type, click.Choice):
                param._custom_shell_complete = completer  # what shell_complete= sets


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    Examples:
      eval "$(tuiboard completion bash)"            # in ~/.bashrc
      tuiboard completion fish > ~/.config/fish/completions/tuiboard.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # every name in SHELLS is built into click
    root = ctx.find_root().command
    click.echo(cls(root, {}, "tuiboard", "_TUIBOARD_COMPLETE").source())


# -- the board, read-only, and in a browser -------------------------------------------------


@click.command("board", hidden=True)
@click.option("--read-only", is_flag=True)
@click.option("--view", "view", metavar="NAME", help="A saved view ([views.NAME] in pipeline.toml).")
@click.pass_context
def board_cmd(ctx: click.Context, read_only: bool, view: str | None) -> None:
    """Open the board (what `serve` runs for each browser)."""
    root = root_from(ctx)
    if view is not None:
        check_view(root, view)
    from ..app import BoardApp

    app = BoardApp(root, read_only=read_only, view=view)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--read-only", is_flag=True, help="Refuse every key that would write.")
@click.option("--public-url", help="The URL browsers use, when it is not http://HOST:PORT.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, read_only: bool, public_url: str | None) -> None:
    """Serve the board to a web browser (one board process per browser tab).

    Bound to 127.0.0.1 unless --host says otherwise; bound elsewhere, the URL carries a
    random token and nothing is served without it.

    \b
    Examples:
      tuiboard serve --read-only              # the manager's view on this machine
      tuiboard serve --host 0.0.0.0 --port 8080 --read-only
    """
    from ..serve import serve_board

    serve_board(root_from(ctx), host=host, port=port, read_only=read_only, public_url=public_url)


def echo_json(kind: str, payload: dict[str, Any]) -> None:
    click.echo(jsonout.dumps(kind, payload))


def show_json(c: Customer, board: Board) -> None:
    """`show --json`."""
    echo_json("show", customer_document(c, board, clock_today()))


COMMANDS = (today, due, ics, completion, serve, board_cmd)
