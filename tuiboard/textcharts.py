"""Charts of a report (`pipeline.analytics`), as terminal text: shared by `tuiboard report` and the board.

Time series and per-step values are plotext 6 figures (vertical bars); the funnels and the
horizontal bars are drawn here with block characters, centred for the funnels, with labels
cut and padded by terminal cells so that CJK labels line up. Every chart fits the given
width and height; below what a figure needs it falls back to compact text bars, and it
never raises for a small size. plotext keeps global state, so figures are built under a lock.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from .textout import fit, money, safe

Report = dict[str, Any]
Lines = list[Text]

CHARTS: dict[str, str] = {
    "funnel": "销售漏斗 Funnel",
    "conversion": "阶段转化率 Conversion",
    "forecast": "预计成交 Forecast",
    "sources": "成交客户来源 Sources of won customers",
    "buckets": "客户金额分段 Amount buckets",
    "trend": "全年漏斗趋势 Trend",
    "time": "阶段停留天数 Time in stage",
}
MIN_PLOT_WIDTH = 40  # below this (or MIN_PLOT_HEIGHT), plotext figures give way to text bars
MIN_PLOT_HEIGHT = 8
MIN_TICK_ROOM = 5  # cells under each bar for its label ("26-11")
FULL, SPARKS = "█", "▁▂▃▄▅▆▇█"
PATTERNS = "█▒▓░▚▞▙▟▛▜"  # without colours, series differ by their fill
OPEN_COLORS = (12, 14, 6, 11, 13, 3, 4, 5, 9, 1)  # 256-colour indices, one per open stage
WON_COLOR, LOST_COLOR, SECOND_COLOR = 10, 8, 9

_LOCK = threading.Lock()
_plotext: Any = None


def _plt() -> Any:
    """plotext, imported on first use (it costs a sixth of a second) and unbounded by the tty."""
    global _plotext
    if _plotext is None:
        import plotext

        plotext.terminal.limit(False, False)  # else the width is clamped to the terminal's (80 off a tty)
        _plotext = plotext
    return _plotext


def chart_text(
    name: str, report: Report, width: int, height: int, *, color: bool = True, currency: str = "CNY"
) -> Text:
    """One chart of ``report`` in at most ``width`` cells by ``height`` lines.

    With ``color`` off, series are told apart by their fill pattern instead.
    """
    if name not in CHARTS:
        raise KeyError(name)
    width, height = max(1, width), max(1, height)
    lines = _RENDERERS[name](_Ctx(report, width, height, color, currency))[:height]
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


class _Ctx:
    def __init__(self, report: Report, width: int, height: int, color: bool, currency: str) -> None:
        self.report, self.width, self.height, self.currency = report, width, height, currency
        self.color = color

    def fill(self, series: int) -> str:
        return FULL if self.color else PATTERNS[series % len(PATTERNS)]

    @property
    def plot_fits(self) -> bool:
        return self.width >= MIN_PLOT_WIDTH and self.height >= MIN_PLOT_HEIGHT

    def money(self, amount: float | None) -> str:
        return money(amount, self.currency)

    def stage_colours(self) -> dict[str, int]:
        """Open stages in palette order, the won stage green, the rest (lost) grey."""
        path = _path(self.report)
        won = path[-1] if len(path) > 1 else None
        out, n = {}, 0
        for rec in self.report["funnel"]:
            sid = rec["stage"]
            if sid == won:
                out[sid] = WON_COLOR
            elif sid in path:
                out[sid] = OPEN_COLORS[n % len(OPEN_COLORS)]
                n += 1
            else:
                out[sid] = LOST_COLOR
        return out


def _path(report: Report) -> list[str]:
    steps = report["conversion"]
    return [steps[0]["from"], *(s["to"] for s in steps)] if steps else []


# -- text drawing ------------------------------------------------------------------------


def _style(colour: int) -> Style:
    return Style(color=f"color({colour})")


def _label_width(labels: list[str], width: int, cap: int = 14) -> int:
    widest = max((cell_len(safe(lb)) for lb in labels), default=0)
    return max(1, min(widest, cap, width // 3))


def _bars(ctx: _Ctx, rows: list[tuple[str, float, str, int]], *, centred: bool = False) -> Lines:
    """One row per item: label, a bar proportional to the value (centred for a funnel), its text."""
    if not rows:
        return []
    label_w = _label_width([r[0] for r in rows], ctx.width)
    text_w = max(cell_len(r[2]) for r in rows)
    bar_w = ctx.width - label_w - text_w - 2
    top = max((r[1] for r in rows), default=0) or 1
    out = []
    for label, value, text, colour in rows:
        if bar_w < 4:  # no room for bars: label and numbers only
            out.append(Text(f"{fit(label, label_w)} {text}"))
            continue
        n = max(1, round(bar_w * value / top)) if value > 0 else 0
        pad = (bar_w - n) // 2 if centred else 0
        out.append(
            Text.assemble(
                fit(label, label_w) + " " + " " * pad,
                (FULL * n, _style(colour)),
                " " * (bar_w - n - pad) + " " + text,
            )
        )
    return out


def _legend(ctx: _Ctx, items: list[tuple[str, int]]) -> Lines:
    """Series keys, on as many lines as the width needs."""
    lines, line = [], Text()
    for i, (name, colour) in enumerate(items):
        item = Text.assemble((ctx.fill(i), _style(colour)), f" {safe(name)}")
        if line.cell_len and line.cell_len + 2 + item.cell_len > ctx.width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append("  ")
        line.append_text(item)
    return [*lines, line]


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _empty(message: str) -> Lines:
    return [Text(f"({message})")]


# -- plotext figures ---------------------------------------------------------------------


def _nice_top(vmax: float, ticks: int = 4) -> tuple[float, float]:
    """A round axis top at or above ``vmax`` and its tick step."""
    if vmax <= 0:
        return 1.0, 1.0
    raw = vmax / ticks
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return step * math.ceil(vmax / step - 1e-9), step


def _figure(ctx: _Ctx, height: int, draw: Callable[[Any, Any], None]) -> Lines:
    with _LOCK:
        plt = _plt()
        fig = plt.figure
        fig.clear()
        fig.theme("simple")
        fig.plot_size(ctx.width, height)
        draw(plt, fig)
        ansi = fig.build().string()
    return list(Text.from_ansi(ansi.rstrip("\n")).split("\n"))


def _marker(plt: Any, ctx: _Ctx, series: int, colour: int) -> Any:
    return plt.marker(ctx.fill(series)).fill(plt.pixel(foreground=colour))


def _y_axis(fig: Any, vmax: float, fmt: Callable[[float], str]) -> None:
    top, step = _nice_top(vmax)
    ticks = [i * step for i in range(round(top / step) + 1)]
    fig.ruler("y").lim(0, top)
    fig.ruler("y").ticks(ticks, [fmt(t) for t in ticks])


def _fit_ticks(ctx: _Ctx, *candidates: list[str]) -> list[str] | None:
    """The first set of tick labels that fits under its bars (the last one cut to fit), or None
    when the figure has no room for readable labels and a text chart should be drawn instead."""
    room = (ctx.width - 10) // max(1, len(candidates[0])) - 1
    if not ctx.plot_fits or room < MIN_TICK_ROOM:
        return None
    for labels in candidates:
        if all(cell_len(safe(lb)) <= room for lb in labels):
            return [safe(lb) for lb in labels]
    return [fit(lb, room).rstrip() for lb in candidates[-1]]


def _x_ticks(fig: Any, labels: list[str]) -> None:
    fig.ruler("x").ticks(list(range(1, len(labels) + 1)), labels)


# -- the charts --------------------------------------------------------------------------


def _funnel(ctx: _Ctx) -> Lines:
    """Open stages as the funnel's bars; won and lost are outcomes, a line under it."""
    opens = set(_path(ctx.report)[:-1]) or {r["stage"] for r in ctx.report["funnel"]}
    recs = [r for r in ctx.report["funnel"] if r["stage"] in opens]
    closed = [r for r in ctx.report["funnel"] if r["stage"] not in opens]
    colours = ctx.stage_colours()
    outcome = Text("  ·  ".join(f"{r['label']} {r['count']} · {ctx.money(r['amount'])}" for r in closed))
    by_count = [
        (r["label"], r["count"], f"{r['count']:>5} · {ctx.money(r['amount']):>8}", colours[r["stage"]])
        for r in recs
    ]
    out = [Text("按客户数 by count"), *_bars(ctx, by_count, centred=True)]
    if ctx.height >= 2 * len(out) + 3:
        by_amount = [(r["label"], r["amount"], ctx.money(r["amount"]), colours[r["stage"]]) for r in recs]
        out += [Text(), Text("按金额 by amount"), *_bars(ctx, by_amount, centred=True)]
    return [*out, Text(), outcome] if closed else out


def _buckets(ctx: _Ctx) -> Lines:
    """The seed's five buckets; a folder's report also says whose amounts they are."""
    data = ctx.report["amount_buckets"]
    recs = data["buckets"] if isinstance(data, dict) else data  # a raw sales report: a plain list
    rows = [
        (r["bucket"], r["count"], f"{r['count']:>5} · {ctx.money(r['amount']):>8}", OPEN_COLORS[i])
        for i, r in enumerate(recs)
    ]
    out = _bars(ctx, rows, centred=True)
    if isinstance(data, dict):
        whose = "进行中的客户 open pipeline" if data["scope"] == "open" else "全部客户 every customer"
        note = f"{whose}: {data['customers']}" + (
            f" · 无金额 no amount {data['no_amount']}" if data["no_amount"] else ""
        )
        out.append(Text(note, "dim"))
    return out


def _sources(ctx: _Ctx) -> Lines:
    recs = ctx.report["sources_won"]
    if not recs:
        return _empty("没有成交客户 no won customers")
    rows = [(r["label"], r["count"], f"{r['count']:>4} {_pct(r['share']):>4}", WON_COLOR) for r in recs]
    return _bars(ctx, rows)


def _conversion(ctx: _Ctx) -> Lines:
    steps = ctx.report["conversion"]
    if not steps:
        return _empty("漏斗只有一个阶段 a single stage")
    names = [f"{s['from_label']}→{s['to_label']}" for s in steps]
    table = _monthly_table(ctx, steps)
    bar_h = ctx.height - len(table) - 1
    ticks = _fit_ticks(ctx, names, [f"→{s['to_label']}" for s in steps])
    if ticks is None or bar_h < MIN_PLOT_HEIGHT:
        rows = [
            (n, (s["rate"] or 0) * 100, _pct(s["rate"]), OPEN_COLORS[0])
            for n, s in zip(names, steps, strict=True)
        ]
        return _bars(ctx, rows) + ([Text(), *table] if ctx.height > len(steps) + len(table) else [])

    def draw(plt: Any, fig: Any) -> None:
        xs = list(range(1, len(steps) + 1))
        rates = [(s["rate"] or 0) * 100 for s in steps]
        fig.draw(fig.bar(xs, rates, width=0.6, marker=_marker(plt, ctx, 0, OPEN_COLORS[0])))
        _x_ticks(fig, ticks)
        fig.ruler("y").lim(0, 100)
        fig.ruler("y").ticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])

    return [*_figure(ctx, bar_h, draw), Text(), *table]


def _monthly_table(ctx: _Ctx, steps: list[dict[str, Any]]) -> Lines:
    """Monthly rate per step: a row per step, as many recent months as fit."""
    label_w = _label_width([s["from_label"] for s in steps], ctx.width, cap=10)
    months = [m["month"] for m in steps[0]["monthly"]]
    shown = max(0, min(len(months), (ctx.width - label_w - 2) // 8))
    if not shown:
        return []
    rows = [Text(fit("每月", label_w + 2) + "".join(f"{m:>8}" for m in months[-shown:]))]
    for s in steps:
        cells = "".join(f"{_pct(m['rate']):>8}" for m in s["monthly"][-shown:])
        rows.append(Text(f"{fit(s['from_label'], label_w)}→ {cells}"))
    return rows


def _forecast(ctx: _Ctx) -> Lines:
    recs = ctx.report["forecast"]
    if not recs:
        return _empty("没有进行中的客户 no open customers")
    labels = ["未排期" if r["month"] == "unscheduled" else r["month"] for r in recs]
    ticks = _fit_ticks(ctx, labels, [lb[2:] if lb[0].isdigit() else lb for lb in labels])
    if ticks is None:
        rows = [
            (lb, r["amount"], f"{ctx.money(r['amount'])} / {ctx.money(r['weighted'])}", OPEN_COLORS[0])
            for lb, r in zip(labels, recs, strict=True)
        ]
        return _bars(ctx, rows)

    def draw(plt: Any, fig: Any) -> None:
        xs = list(range(1, len(recs) + 1))
        # weighted ≤ amount: its bar is drawn over the amount bar, as the lower part
        fig.draw(
            fig.bar(xs, [r["amount"] for r in recs], width=0.6, marker=_marker(plt, ctx, 0, OPEN_COLORS[0]))
        )
        fig.draw(
            fig.bar(xs, [r["weighted"] for r in recs], width=0.6, marker=_marker(plt, ctx, 1, WON_COLOR))
        )
        _x_ticks(fig, ticks)
        _y_axis(fig, max(r["amount"] for r in recs), lambda v: ctx.money(v) if v else "0")

    legend = _legend(ctx, [("金额 amount", OPEN_COLORS[0]), ("加权 weighted", WON_COLOR)])
    return [*_figure(ctx, ctx.height - len(legend), draw), *legend]


def _trend(ctx: _Ctx) -> Lines:
    recs = ctx.report["trend"]
    months = list(dict.fromkeys(r["month"] for r in recs))
    stages = [(r["stage"], r["label"]) for r in ctx.report["funnel"]]
    counts = {(r["month"], r["stage"]): r["count"] for r in recs}
    colours = ctx.stage_colours()
    if not months:
        return _empty("没有数据 no data")
    ticks = _fit_ticks(ctx, months, [m[2:] for m in months])
    if ticks is None:
        label_w = _label_width([lb for _, lb in stages], ctx.width)
        rows = []
        for sid, label in stages:
            series = [counts.get((m, sid), 0) for m in months]
            top = max(series) or 1
            spark = "".join(SPARKS[min(7, round(7 * v / top))] for v in series)
            rows.append(
                Text.assemble(fit(label, label_w) + " ", (spark, _style(colours[sid])), f" {series[-1]}")
            )
        return rows
    legend = _legend(ctx, [(lb, colours[sid]) for sid, lb in stages])

    def draw(plt: Any, fig: Any) -> None:
        series = [[counts.get((m, sid), 0) for m in months] for sid, _ in stages]
        markers = [_marker(plt, ctx, i, colours[sid]) for i, (sid, _) in enumerate(stages)]
        fig.draw(fig.bar(list(range(1, len(months) + 1)), series, stacked=True, width=0.7, marker=markers))
        _x_ticks(fig, ticks)
        _y_axis(fig, max(sum(col) for col in zip(*series, strict=True)), lambda v: f"{v:g}")

    return [*_figure(ctx, ctx.height - len(legend), draw), *legend]


def _time(ctx: _Ctx) -> Lines:
    opens = set(_path(ctx.report)[:-1])  # open stages only: time in a closed stage grows for ever
    recs = [r for r in ctx.report["time_in_stage"] if r["stage"] in opens]
    if not recs:
        return _empty("没有进行中的阶段 no open stages")
    ticks = _fit_ticks(ctx, [r["label"] for r in recs])
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
        return _bars(ctx, rows)

    def draw(plt: Any, fig: Any) -> None:
        xs = list(range(1, len(recs) + 1))
        medians = [r["median_days"] or 0 for r in recs]
        means = [r["mean_days"] or 0 for r in recs]
        fig.draw(
            fig.bar([x - 0.18 for x in xs], medians, width=0.3, marker=_marker(plt, ctx, 0, OPEN_COLORS[0]))
        )
        fig.draw(fig.bar([x + 0.18 for x in xs], means, width=0.3, marker=_marker(plt, ctx, 1, SECOND_COLOR)))
        _x_ticks(fig, ticks)
        _y_axis(fig, max(*medians, *means), lambda v: f"{v:g}天")

    legend = _legend(ctx, [("中位数 median", OPEN_COLORS[0]), ("平均 mean", SECOND_COLOR)])
    return [*_figure(ctx, ctx.height - len(legend), draw), *legend]


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}天"


_RENDERERS: dict[str, Callable[[_Ctx], Lines]] = {
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
        f"({_pct(data['slip_rate'])}),共推迟 {data['slips']} 次"
        + (f",平均每次 {data['mean_slip_days']:g} 天" if data["mean_slip_days"] is not None else ""),
        f"金额:{data['amount_changed']} 个客户改过金额,最初合计 {money(data['first_amount'], currency)}"
        f" → 现在 {money(data['amount_now'], currency)}(变化 {_pct(data['amount_drift_rate'])})",
    ]
    for r in data["by_customer"][:10]:
        if not r["slips"]:
            break
        lines.append(
            f"• {safe(r['name'])}:推迟 {r['slips']} 次,共 {r['slip_days']} 天"
            f"({r['first_close'] or '—'} → {r['expected_close'] or '—'})"
        )
    return "\n".join(lines)
