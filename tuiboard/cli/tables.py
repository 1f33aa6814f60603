"""`tuiboard export` and `import`: the folder as a table, and customers from one."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pipeline.edit import WriteError, atomic_write
from pipeline.store import Board

from ..clock import today
from ..textout import safe
from .util import fail, finding, load_from


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), help="Default: from the file's suffix.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export(ctx: click.Context, fmt: str | None, output: Path) -> None:
    """Every customer as a row (CSV or XLSX); the XLSX adds a sheet per analysis.

    \b
    Examples:
      tuiboard export -o pipeline.xlsx
      tuiboard export -o pipeline.csv
    """
    from pipeline import export_table

    fmt = fmt or output.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter("give --format csv or xlsx, or an output file ending in .csv or .xlsx")
    board = load_from(ctx)
    columns, rows = export_table.customer_table(board.customers.values())
    if fmt == "csv":
        data = export_table.write_csv(columns, rows)
    else:
        from pipeline.analytics import Analysis

        report_data = Analysis(list(board.customers.values()), board.config, today()).report()
        for scalar in ("as_of", "customers", "current_values"):  # not tables: no sheet
            del report_data[scalar]
        data = export_table.write_xlsx(columns, rows, report_data)
    try:
        atomic_write(output, data)
    except WriteError as exc:
        fail(str(exc))
    click.echo(f"wrote {len(rows)} customers to {output}", err=True)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--map", "maps", multiple=True, metavar="COLUMN=KEY", help="Read COLUMN into KEY (- to ignore it)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, maps: tuple[str, ...], dry_run: bool) -> None:
    """Create and update customers from a CSV or XLSX, matched by name.

    \b
    Examples:
      tuiboard import leads.xlsx --dry-run
      tuiboard import leads.csv --map 公司=name --map 电话=phone
    """
    from pipeline import import_table

    overrides = {}
    for item in maps:
        column, sep, key = item.partition("=")
        if not sep or not column.strip():
            raise click.BadParameter(f"{item!r}: write COLUMN=KEY", param_hint="--map")
        overrides[column.strip()] = key.strip()
    board = load_from(ctx)
    table = import_table.read_table(file)  # a TableError is a one-line refusal (cliutil)
    paths = import_table.column_paths(table.header, overrides)
    with _progress(len(table.rows), "checking") as step:
        plans = import_table.plan_import(board, table, paths, today(), step=step)
    if not dry_run:
        with _progress(len(plans), "writing") as step:
            import_table.apply_import(board, plans, step=step)
    for problem in table.problems:
        click.echo(finding(problem, file.parent))
    click.echo(_import_lines(board, plans, dry_run))


@contextmanager
def _progress(rows: int, label: str) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar on a terminal (stderr), none when it is piped or captured."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=rows, label=label, file=sys.stderr) as bar:
        yield lambda _: bar.update(1)


def _import_lines(board: Board, plans: list[Any], dry_run: bool) -> str:
    verbs = (
        {"create": "would create", "update": "would change"}
        if dry_run
        else {"create": "created", "update": "changed"}
    )
    lines, counts = [], dict.fromkeys(("create", "update", "unchanged", "skip"), 0)
    for p in plans:
        counts[p.action] += 1
        name = safe(p.name) or "(no name)"
        if p.action == "create":
            written = p.customer is not None and not dry_run
            where = f" ({safe(_rel(board, p.customer.path))})" if written else ""
            lines.append(f"{verbs['create']} {name}{where}")
        elif p.action == "update":
            lines.append(f"{verbs['update']} {name}: " + "; ".join(ch.describe() for ch in p.changes))
        elif p.action == "unchanged":
            lines.append(f"unchanged {name}")
        else:
            lines.append(f"skipped row {p.row} {name}")
        lines += [finding(problem, problem.path.parent) for problem in p.problems]
    summary = (
        f"{counts['create']} created, {counts['update']} changed, "
        f"{counts['unchanged']} unchanged, {counts['skip']} skipped"
    )
    lines.append(summary + (" (dry run: nothing written)" if dry_run else ""))
    return "\n".join(lines)


def _rel(board: Board, path: Path) -> str:
    try:
        return str(path.relative_to(board.root))
    except ValueError:
        return str(path)
