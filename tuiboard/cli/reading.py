"""The commands that read: list and show, and the record both print."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import date
from typing import Any

import click
from rich.cells import cell_len

from pipeline import contacts, rules
from pipeline.config import Config
from pipeline.layout import ARCHIVE_DIR, CUSTOMERS_DIR
from pipeline.model import Customer
from pipeline.query import Filter, sort_key, view_filter, view_named
from pipeline.store import Board

from ..clock import today
from ..jsonout import dumps
from ..me import whoami
from ..textout import money, safe, table
from .tools import show_json
from .util import finding, load_from, resolve


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


@click.command("list")
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
    if stage is not None:
        try:
            rules.known_stage(config, stage)
        except rules.UnknownStage as exc:
            raise click.BadParameter(str(exc), param_hint="'--stage'") from None
    if tier is not None and config.tier(tier) is None:
        known = ", ".join(t.id for t in config.tiers)
        raise click.BadParameter(f"unknown tier {tier!r} (known: {known})", param_hint="'--tier'")
    saved = view_named(config.views, view, board.problems) if view is not None else None
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


@click.command()
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
        lines.append(_field_line(key, value))
    for key, value in c.data.items():
        if key in rec or key in ("name", "history", "log", "next", *PEOPLE):
            continue
        lines.append(_field_line(key, inline(value) if isinstance(value, dict | list) else value))
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
        lines.append(finding(p, board.root))
    click.echo("\n".join(lines))


PEOPLE = {"contacts": contacts.contact_line, "products": contacts.product_line}  # `show`'s own sections


def _field_line(key: str, value: object) -> str:
    """``  key            value``: the values in one column whatever the key's script (a
    Chinese key is two cells a character), a whole number without ``.0``."""
    label = safe(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"  {label}{' ' * max(1, 16 - cell_len(label))}{safe(value)}"


def stage_label(config: Config, stage_id: str) -> str:
    """What a person reads for a stage: its label (ids stay in --json); an unknown id as is."""
    stage = config.stage(stage_id)
    return stage.title() if stage else stage_id


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
