"""Charts of a report (`pipeline.analytics`), as terminal text: shared by `tuiboard report` and the board.

Time series and per-step values are plotext 6 figures (vertical bars); the funnels and the
horizontal bars are drawn with block characters, centred for the funnels (the drawing is
`tuiboard.chartdraw`). Every chart fits the given width and height; below what a figure
needs it falls back to compact text bars, and it never raises for a small size.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.text import Text

from .chartdraw import (
    MIN_PLOT_HEIGHT,
    OPEN_COLORS,
    SECOND_COLOR,
    SPARKS,
    WON_COLOR,
    Ctx,
    Lines,
    Report,
    bar_lines,
    colour_style,
    empty_note,
    fit_ticks,
    label_width,
    legend_lines,
    marker,
    pct,
    plot_lines,
    stage_path,
    x_ticks,
    y_axis,
)
from .textout import fit, money, safe

CHARTS: dict[str, str] = {
    "funnel": "销售漏斗 Funnel",
    "conversion": "阶段转化率 Conversion",
    "forecast": "预计成交 Forecast",
    "sources": "成交客户来源 Sources of won customers",
    "buckets": "客户金额分段 Amount buckets",
    "trend": "全年漏斗趋势 Trend",
    "time": "阶段停留天数 Time in stage",
}


def chart_text(
    name: str, report: Report, width: int, height: int, *, color: bool = True, currency: str = "CNY"
) -> Text:
    """One chart of ``report`` in at most ``width`` cells by ``height`` lines.

    With ``color`` off, series are told apart by their fill pattern instead.
    """
    if name not in CHARTS:
        raise KeyError(name)
    width, height = max(1, width), max(1, height)
    lines = _RENDERERS[name](Ctx(report, width, height, color, currency))[:height]
    for line in lines:
        line.truncate(width)
        line.rstrip()
    return Text("\n").join(lines)


def render(
    name: str, report: Report, width: int, height: int, *, color: bool = True, currency: str = "CNY"
) -> str:
    """The chart as a string: ANSI colours if ``color``, else plain text."""
    text = chart_text(name, report, width, height, color=color, currency=currency)
    if not color:
        return text.plain
    from rich.console import Console  # a tenth of a second: only when a chart is printed

    out = io.StringIO()
    console = Console(
        file=out, force_terminal=True, color_system="256", width=max(1, width), legacy_windows=False
    )
    console.print(text, end="", no_wrap=True, overflow="crop", crop=False)
    return out.getvalue()


def _funnel(ctx: Ctx) -> Lines:
    """Open stages as the funnel's bars; won and lost are outcomes, a line under it."""
    opens = set(stage_path(ctx.report)[:-1]) or {r["stage"] for r in ctx.report["funnel"]}
    recs = [r for r in ctx.report["funnel"] if r["stage"] in opens]
    closed = [r for r in ctx.report["funnel"] if r["stage"] not in opens]
    colours = ctx.stage_colours()
    outcome = Text("  ·  ".join(f"{r['label']} {r['count']} · {ctx.money(r['amount'])}" for r in closed))
    by_count = [
        (r["label"], r["count"], f"{r['count']:>5} · {ctx.money(r['amount']):>8}", colours[r["stage"]])
        for r in recs
    ]
    out = [Text("按客户数 by count"), *bar_lines(ctx, by_count, centred=True)]
    if ctx.height >= 2 * len(out) + 3:
        by_amount = [(r["label"], r["amount"], ctx.money(r["amount"]), colours[r["stage"]]) for r in recs]
        out += [Text(), Text("按金额 by amount"), *bar_lines(ctx, by_amount, centred=True)]
    return [*out, Text(), outcome] if closed else out


def _buckets(ctx: Ctx) -> Lines:
    """The seed's five buckets; a folder's report also says whose amounts they are."""
    data = ctx.report["amount_buckets"]
    recs = data["buckets"] if isinstance(data, dict) else data  # a raw sales report: a plain list
    rows = [
        (r["bucket"], r["count"], f"{r['count']:>5} · {ctx.money(r['amount']):>8}", OPEN_COLORS[i])
        for i, r in enumerate(recs)
    ]
    out = bar_lines(ctx, rows, centred=True)
    if isinstance(data, dict):
        whose = "进行中的客户 open pipeline" if data["scope"] == "open" else "全部客户 every customer"
        note = f"{whose}: {data['customers']}" + (
            f" · 无金额 no amount {data['no_amount']}" if data["no_amount"] else ""
        )
        out.append(Text(note, "dim"))
    return out


def _sources(ctx: Ctx) -> Lines:
    recs = ctx.report["sources_won"]
    if not recs:
        return empty_note("没有成交客户 no won customers")
    rows = [(r["label"], r["count"], f"{r['count']:>4} {pct(r['share']):>4}", WON_COLOR) for r in recs]
    return bar_lines(ctx, rows)


def _conversion(ctx: Ctx) -> Lines:
    steps = ctx.report["conversion"]
    if not steps:
        return empty_note("漏斗只有一个阶段 a single stage")
    names = [f"{s['from_label']}→{s['to_label']}" for s in steps]
    table = _monthly_table(ctx, steps)
    bar_h = ctx.height - len(table) - 1
    ticks = fit_ticks(ctx, names, [f"→{s['to_label']}" for s in steps])
    if ticks is None or bar_h < MIN_PLOT_HEIGHT:
        rows = [
            (n, (s["rate"] or 0) * 100, pct(s["rate"]), OPEN_COLORS[0])
            for n, s in zip(names, steps, strict=True)
        ]
        return bar_lines(ctx, rows) + ([Text(), *table] if ctx.height > len(steps) + len(table) else [])

    def draw(plt: Any, fig: Any) -> None:
        xs = list(range(1, len(steps) + 1))
        rates = [(s["rate"] or 0) * 100 for s in steps]
        fig.draw(fig.bar(xs, rates, width=0.6, marker=marker(plt, ctx, 0, OPEN_COLORS[0])))
        x_ticks(fig, ticks)
        fig.ruler("y").lim(0, 100)
        fig.ruler("y").ticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])

    return [*plot_lines(ctx, bar_h, draw), Text(), *table]


def _monthly_table(ctx: Ctx, steps: list[dict[str, Any]]) -> Lines:
    """Monthly rate per step: a row per step, as many recent months as fit."""
    label_w = label_width([s["from_label"] for s in steps], ctx.width, cap=10)
    months = [m["month"] for m in steps[0]["monthly"]]
    shown = max(0, min(len(months), (ctx.width - label_w - 2) // 8))
    if not shown:
        return []
    rows = [Text(fit("每月", label_w + 2) + "".join(f"{m:>8}" for m in months[-shown:]))]
    for s in steps:
        cells = "".join(f"{pct(m['rate']):>8}" for m in s["monthly"][-shown:])
        rows.append(Text(f"{fit(s['from_label'], label_w)}→ {cells}"))
    return rows


def _forecast(ctx: Ctx) -> Lines:
    recs = ctx.report["forecast"]
    if not recs:
        return empty_note("没有进行中的客户 no open customers")
    labels = ["未排期" if r["month"] == "unscheduled" else r["month"] for r in recs]
    ticks = fit_ticks(ctx, labels, [lb[2:] if lb[0].isdigit() else lb for lb in labels])
    if ticks is None:
        rows = [
            (lb, r["amount"], f"{ctx.money(r['amount'])} / {ctx.money(r['weighted'])}", OPEN_COLORS[0])
            for lb, r in zip(labels, recs, strict=True)
        ]
        return bar_lines(ctx, rows)

    def draw(plt: Any, fig: Any) -> None:
        xs = list(range(1, len(recs) + 1))
        # weighted ≤ amount: its bar is drawn over the amount bar, as the lower part
        fig.draw(
            fig.bar(xs, [r["amount"] for r in recs], width=0.6, marker=marker(plt, ctx, 0, OPEN_COLORS[0]))
        )
        fig.draw(fig.bar(xs, [r["weighted"] for r in recs], width=0.6, marker=marker(plt, ctx, 1, WON_COLOR)))
        x_ticks(fig, ticks)
        y_axis(fig, max(r["amount"] for r in recs), lambda v: ctx.money(v) if v else "0")

    legend = legend_lines(ctx, [("金额 amount", OPEN_COLORS[0]), ("加权 weighted", WON_COLOR)])
    return [*plot_lines(ctx, ctx.height - len(legend), draw), *legend]


def _trend(ctx: Ctx) -> Lines:
    recs = ctx.report["trend"]
    months = list(dict.fromkeys(r["month"] for r in recs))
    stages = [(r["stage"], r["label"]) for r in ctx.report["funnel"]]
    counts = {(r["month"], r["stage"]): r["count"] for r in recs}
    colours = ctx.stage_colours()
    if not months:
        return empty_note("没有数据 no data")
    ticks = fit_ticks(ctx, months, [m[2:] for m in months])
    if ticks is None:
        label_w = label_width([lb for _, lb in stages], ctx.width)
        rows = []
        for sid, label in stages:
            series = [counts.get((m, sid), 0) for m in months]
            top = max(series) or 1
            spark = "".join(SPARKS[min(7, round(7 * v / top))] for v in series)
            rows.append(
                Text.assemble(
                    fit(label, label_w) + " ", (spark, colour_style(colours[sid])), f" {series[-1]}"
                )
            )
        return rows
    legend = legend_lines(ctx, [(lb, colours[sid]) for sid, lb in stages])

    def draw(plt: Any, fig: Any) -> None:
        series = [[counts.get((m, sid), 0) for m in months] for sid, _ in stages]
        markers = [marker(plt, ctx, i, colours[sid]) for i, (sid, _) in enumerate(stages)]
        fig.draw(fig.bar(list(range(1, len(months) + 1)), series, stacked=True, width=0.7, marker=markers))
        x_ticks(fig, ticks)
        y_axis(fig, max(sum(col) for col in zip(*series, strict=True)), lambda v: f"{v:g}")

    return [*plot_lines(ctx, ctx.height - len(legend), draw), *legend]


def _time(ctx: Ctx) -> Lines:
    opens = set(stage_path(ctx.report)[:-1])  # open stages only: time in a closed stage grows for ever
    recs = [r for r in ctx.report["time_in_stage"] if r["stage"] in opens]
    if not recs:
        return empty_note("没有进行中的阶段 no open stages")
    ticks = fit_ticks(ctx, [r["label"] for r in recs])
    if ticks is None:
        rows = [
            (
                r["label"],
                r["median_days"] or 0,
                f"{_days(r['median_days'])} / {_days(r['mean_days'])}",
                OPEN_COLORS[0],
            )
            for r in recs
        ]
        return bar_lines(ctx, rows)

    def draw(plt: Any, fig: Any) -> None:
        xs = list(range(1, len(recs) + 1))
        medians = [r["median_days"] or 0 for r in recs]
        means = [r["mean_days"] or 0 for r in recs]
        fig.draw(
            fig.bar([x - 0.18 for x in xs], medians, width=0.3, marker=marker(plt, ctx, 0, OPEN_COLORS[0]))
        )
        fig.draw(fig.bar([x + 0.18 for x in xs], means, width=0.3, marker=marker(plt, ctx, 1, SECOND_COLOR)))
        x_ticks(fig, ticks)
        y_axis(fig, max(*medians, *means), lambda v: f"{v:g}天")

    legend = legend_lines(ctx, [("中位数 median", OPEN_COLORS[0]), ("平均 mean", SECOND_COLOR)])
    return [*plot_lines(ctx, ctx.height - len(legend), draw), *legend]


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}天"


_RENDERERS: dict[str, Callable[[Ctx], Lines]] = {
    "funnel": _funnel,
    "conversion": _conversion,
    "forecast": _forecast,
    "sources": _sources,
    "buckets": _buckets,
    "trend": _trend,
    "time": _time,
}


def slip_text(data: dict[str, Any], currency: str) -> str:
    """`report --slip` (`from_git.slip_report`) in a sales manager's words: shared by the
    command and the charts screen's tab."""
    lines = [
        f"预计成交日期:{data['with_close_date']} 个客户填过,{data['slipped']} 个推迟过"
        f"({pct(data['slip_rate'])}),共推迟 {data['slips']} 次"
        + (f",平均每次 {data['mean_slip_days']:g} 天" if data["mean_slip_days"] is not None else ""),
        f"金额:{data['amount_changed']} 个客户改过金额,最初合计 {money(data['first_amount'], currency)}"
        f" → 现在 {money(data['amount_now'], currency)}(变化 {pct(data['amount_drift_rate'])})",
    ]
    for r in data["by_customer"][:10]:
        if not r["slips"]:
            break
        lines.append(
            f"• {safe(r['name'])}:推迟 {r['slips']} 次,共 {r['slip_days']} 天"
            f"({r['first_close'] or '—'} → {r['expected_close'] or '—'})"
        )
    return "\n".join(lines)
