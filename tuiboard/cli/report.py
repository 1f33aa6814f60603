"""`tuiboard report`: the funnel analysis (charts, a summary, JSON); a raw sales report's buckets and tiers.

The analytics and plotext are imported inside the commands, so that the other commands start fast.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import click

from pipeline.gitrepo import is_repo
from pipeline.query import Filter, select
from pipeline.store import Board

from ..clock import today
from ..color import use_color
from ..jsonout import dumps
from ..textcharts import CHARTS, render, slip_text
from ..textout import money, safe
from .util import fail, finding, load_from, when_from

DEFAULT_HEIGHT = 20
MIN_WIDTH, MAX_WIDTH = 20, 1000  # beyond these a chart says nothing more and takes ever longer to draw
WIDTHS = click.IntRange(MIN_WIDTH, MAX_WIDTH)
HEIGHTS = click.IntRange(3, 200)
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # --at: months around it must stay valid dates


@click.command()
@click.option(
    "--chart",
    type=click.Choice([*CHARTS, "summary", "all"]),
    default="all",
    show_default=True,
    help="One chart, the text summary, or everything.",
)
@click.option("--width", type=WIDTHS, help="Columns, 20-1000 (default: the terminal's).")
@click.option(
    "--height", type=HEIGHTS, default=DEFAULT_HEIGHT, show_default=True, help="Lines per chart, 3-200."
)
@click.option("--owner", multiple=True, help="Only these owners' customers (repeatable).")
@click.option("--at", "at", metavar="DATE", help="Everything as of this past date, rebuilt from history.")
@click.option("--json", "as_json", is_flag=True, help="Every metric as one JSON object.")
@click.option(
    "--sales-report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Bucket the customers of a raw sales report (CSV/XLSX) instead of the folder.",
)
@click.option("--product", help="With --sales-report: only this product's rows.")
@click.option(
    "--tiers", is_flag=True, help="With --sales-report: suggested tier per customer from its monthly payment."
)
@click.option(
    "--months",
    type=click.IntRange(min=1),
    help="With --tiers: months the sales report covers (monthly payment = total ÷ months);"
    " default: the months its date column (单据日期, 日期 …) spans, else 1.",
)
@click.option(
    "--period", metavar="DATE", help="漏网率 for the half-month holding DATE (default: the current one)."
)
@click.option(
    "--all", "all_customers", is_flag=True, help="Amount buckets of every customer, not the open pipeline."
)
@click.option(
    "--slip", is_flag=True, help="From git: how often expected close dates slipped and amounts drifted."
)
@click.pass_context
def report(
    ctx: click.Context,
    chart: str,
    width: int | None,
    height: int,
    owner: tuple[str, ...],
    at: str | None,
    as_json: bool,
    sales_report: Path | None,
    product: str | None,
    tiers: bool,
    months: int | None,
    period: str | None,
    all_customers: bool,
    slip: bool,
) -> None:
    """Funnel analysis of the folder: charts, or --json for every metric (docs/metrics.md).

    \b
    Examples:
      tuiboard report --chart funnel
      tuiboard report --at 2026-06-30 --owner wang.li --json
      tuiboard report --sales-report 销售报表.xlsx --tiers --months 3
      tuiboard report --slip
    """
    width = width or min(max(shutil.get_terminal_size((100, 24)).columns, MIN_WIDTH), MAX_WIDTH)
    color = _color()
    if sales_report is not None:
        if tiers:
            _tier_suggestions(ctx, sales_report, product, months, as_json)
        else:
            _sales_report(sales_report, product, width, height, as_json, color)
        return
    if product is not None or tiers:
        raise click.UsageError("--product and --tiers go with --sales-report")
    from pipeline.analytics import Analysis, HalfMonth

    board = load_from(ctx)
    now = today()
    as_of = _as_of(at) if at else now
    if slip:
        _slip(board, owner, as_json)
        return
    customers, rebuilt = board.customers, None
    if at and as_of < now and is_repo(board.root):
        past = _from_git(board, as_of)
        if past is not None:
            customers = {c.id: c for c in past.customers}
            rebuilt = {"commit": past.commit, "committed": past.committed}
    chosen = select(customers, Filter(owners=frozenset(owner)), board.config, as_of)
    analysis = Analysis(chosen, board.config, as_of, today=as_of if rebuilt else now)
    half = HalfMonth.of(when_from(period, "'--period'")) if period else None
    data = analysis.report(half, "all" if all_customers else "open") | {"rebuilt_from": rebuilt}
    if as_json:
        click.echo(dumps("report", data))
        return
    currency = board.config.currency
    out = []
    if chart in ("summary", "all"):
        out += [
            _heading("概要 Summary", width),
            _summary(data, owner, currency),
            "",
        ]
    for name in CHARTS if chart == "all" else [chart] if chart in CHARTS else []:
        out += [
            _heading(CHARTS[name], width),
            render(name, data, width, height, color=color, currency=currency),
            "",
        ]
    click.echo("\n".join(out).rstrip("\n"), color=color)


def _from_git(board: Board, day: date) -> Any:
    """The folder as committed on ``day`` (`from_git.customers_at`), None before the first commit."""
    from pipeline.analytics.from_git import customers_at
    from pipeline.gitrepo import GitError, Repo

    try:
        return customers_at(Repo(board.root), day, board.config)
    except GitError as exc:
        fail(f"{board.root}: could not read git history ({exc})")


def _slip(board: Board, owners: tuple[str, ...], as_json: bool) -> None:
    """`report --slip`: the forecast's honesty, from each customer file's git history."""
    from pipeline.analytics.from_git import slip_report
    from pipeline.gitrepo import GitError, Repo

    if not is_repo(board.root):
        fail(f"{board.root} is not in a git repository: --slip reads each customer's history from git")
    chosen = select(board.customers, Filter(owners=frozenset(owners)), board.config, today())
    try:
        data = slip_report(Repo(board.root), chosen)
    except GitError as exc:
        fail(f"{board.root}: could not read git history ({exc})")
    if as_json:
        click.echo(dumps("slip", data))
        return
    click.echo(slip_text(data, board.config.currency))


def _as_of(at: str) -> date:
    try:
        when = when_from(at, "'--at'")
    except OverflowError:  # an offset such as +99999999d
        when = None
    if when is None or not EARLIEST <= when <= LATEST:
        raise click.BadParameter(f"{at!r}: give a date from {EARLIEST} to {LATEST}", param_hint="'--at'")
    return when


def _color() -> bool:
    return use_color()


def _heading(title: str, width: int) -> str:
    from rich.cells import cell_len

    head = f"── {title} "
    return head + "─" * max(0, min(width, 100) - cell_len(head))


def _summary(data: dict[str, Any], owners: tuple[str, ...], currency: str) -> str:
    """The summary in the words of a Chinese sales manager; codes stay in --json."""
    from pipeline.analytics import CAPACITY_TEXT

    k, leak = data["kpis"], data["leak_rate"]
    who = f" · 负责人 {safe(', '.join(owners))}" if owners else ""
    lines = [f"截至 {data['as_of']} · {data['customers']} 个客户{who}"]
    if data["rebuilt_from"]:
        commit = data["rebuilt_from"]
        lines.append(f"按 git 提交 {commit['commit'][:10]}({commit['committed'][:10]})还原全部字段")
    elif data["current_values"]:
        lines.append("阶段按历史回溯;金额、下一步、负责人等没有历史的字段取当前值")
    lines.append(
        f"进行中 {k['open']} · 在谈金额 {money(k['open_amount'], currency)} · "
        f"加权 {money(k['weighted_amount'], currency)} · 赢单率 {_pct(k['win_rate'])} · "
        f"逾期 {k['overdue']} · 停滞 {k['stale']}"
    )
    lines.append(
        f"漏网率 {leak['period']['label']}: {_pct(leak['rate'])}"
        f"(已接触 {leak['contacted']} 个,应填未填 {leak['leaks']} 个)"
    )
    lines += [f"• {safe(f['message'])}" for f in data["shape"]]
    for c in data["capacity"]:
        if c["warnings"]:
            cycle = "—" if c["cycle_median_days"] is None else f"{c['cycle_median_days']:g}天"
            lines.append(
                f"• {safe(c['owner'] or '(未指定负责人)')}:"
                + ";".join(CAPACITY_TEXT[w][0] for w in c["warnings"])
                + f"(在库 {c['open']}/{c['max_open']},近90天签约 {c['won_customers_last_90_days']} 个客户,"
                f"月均 {c['won_per_month']:g} 单,适用 {c['won_per_month_min']}-{c['won_per_month_max']} 单;"
                f"成交周期中位数 {cycle})"
            )
    mix = [
        f"{safe(t['label'])} {_pct(t['share'])}"
        + (f"(目标 {_pct(t['target_share'])})" if t["target_share"] is not None else "(不设目标)")
        for t in data["tier_mix"]
        if t["tier"] is not None
    ]
    if mix:
        lines.append("客户分级(不含丢单): " + " · ".join(mix))
    return "\n".join(lines)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _tier_suggestions(
    ctx: click.Context, path: Path, product: str | None, months: int | None, as_json: bool
) -> None:
    """Seed 000's tiers by monthly payment: each sales-report customer's total ÷ the months
    the report spans (its date column, or --months), the tier it earns (pipeline.toml
    thresholds) beside the tier the folder gives it."""
    from pipeline import rules
    from pipeline.sales_report import SalesReportError, read_sales_report

    try:
        report = read_sales_report(path, product)
    except SalesReportError as exc:
        fail(str(exc))
    totals = report.totals
    months = months or report.months or 1
    board = load_from(ctx)
    by_name = {c.name: c for c in board.customers.values()}
    rows: list[dict[str, Any]] = []
    for name, total in sorted(totals.items(), key=lambda kv: -kv[1]):
        c = by_name.get(str(name))
        monthly = float(total) / months
        rows.append(
            {
                "customer": str(name),
                "id": c.id if c else None,
                "total": round(float(total), 2),
                "monthly": round(monthly, 2),
                "current_tier": rules.effective_tier(c, board.config) if c else None,
                "suggested_tier": rules.suggest_tier(monthly, board.config),
                "lost": bool(c and rules.stage_kind(c, board.config) == "lost"),
            }
        )
    if as_json:
        click.echo(dumps("tiers", {"months": months, "customers": rows}))
        return
    lines = [f"按月回款建议分级 · {safe(path.name)} · {months} 个月"]
    for r in rows:
        change = "" if r["current_tier"] == r["suggested_tier"] else " ← 建议调整"
        lost = " (已丢单,不计入分级)" if r["lost"] else ""
        lines.append(
            f"{safe(r['customer'])}: 月均回款 {money(r['monthly'], board.config.currency)} · "
            f"现为 {r['current_tier'] or '未分级'} · 建议 {r['suggested_tier'] or '—'}{change}{lost}"
        )
    click.echo("\n".join(lines))


def _sales_report(
    path: Path, product: str | None, width: int, height: int, as_json: bool, color: bool
) -> None:
    from pipeline.sales_report import SalesReportError, read_sales_report

    try:
        sales = read_sales_report(path, product)
    except SalesReportError as exc:
        fail(str(exc))
    rec = sales.record()
    if as_json:
        click.echo(dumps("sales-report", rec))
        return
    title = f"客户金额分段 {safe(path.name)}" + (f" · {safe(product)}" if product else "")
    note = f"{rec['customers']} customers from {rec['rows']} rows" + (
        f" ({rec['skipped_rows']} rows without a customer or amount left out)" if rec["skipped_rows"] else ""
    )
    chart = render("buckets", rec, width, height, color=color)
    notes = [finding(p, path.parent) for p in sales.problems]
    click.echo("\n".join([_heading(title, width), note, *notes, chart]), color=color)
