"""The drawing under `tuiboard.textcharts`: text bars and legends cut by terminal cells (so CJK
labels line up), plotext figures built under a lock (plotext keeps global state), axes and
tick labels that fit, and the context a chart is drawn in (size, colour, currency).
"""

from __future__ import annotations

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


class Ctx:
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
        path = stage_path(self.report)
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


def stage_path(report: Report) -> list[str]:
    steps = report["conversion"]
    return [steps[0]["from"], *(s["to"] for s in steps)] if steps else []


# -- text drawing ------------------------------------------------------------------------


def colour_style(colour: int) -> Style:
    return Style(color=f"color({colour})")


def label_width(labels: list[str], width: int, cap: int = 14) -> int:
    widest = max((cell_len(safe(lb)) for lb in labels), default=0)
    return max(1, min(widest, cap, width // 3))


def bar_lines(ctx: Ctx, rows: list[tuple[str, float, str, int]], *, centred: bool = False) -> Lines:
    """One row per item: label, a bar proportional to the value (centred for a funnel), its text."""
    if not rows:
        return []
    label_w = label_width([r[0] for r in rows], ctx.width)
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
                (FULL * n, colour_style(colour)),
                " " * (bar_w - n - pad) + " " + text,
            )
        )
    return out


def legend_lines(ctx: Ctx, items: list[tuple[str, int]]) -> Lines:
    """Series keys, on as many lines as the width needs."""
    lines, line = [], Text()
    for i, (name, colour) in enumerate(items):
        item = Text.assemble((ctx.fill(i), colour_style(colour)), f" {safe(name)}")
        if line.cell_len and line.cell_len + 2 + item.cell_len > ctx.width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append("  ")
        line.append_text(item)
    return [*lines, line]


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def empty_note(message: str) -> Lines:
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


def plot_lines(ctx: Ctx, height: int, draw: Callable[[Any, Any], None]) -> Lines:
    with _LOCK:
        plt = _plt()
        fig = plt.figure
        fig.clear()
        fig.theme("simple")
        fig.plot_size(ctx.width, height)
        draw(plt, fig)
        ansi = fig.build().string()
    return list(Text.from_ansi(ansi.rstrip("\n")).split("\n"))


def marker(plt: Any, ctx: Ctx, series: int, colour: int) -> Any:
    return plt.marker(ctx.fill(series)).fill(plt.pixel(foreground=colour))


def y_axis(fig: Any, vmax: float, fmt: Callable[[float], str]) -> None:
    top, step = _nice_top(vmax)
    ticks = [i * step for i in range(round(top / step) + 1)]
    fig.ruler("y").lim(0, top)
    fig.ruler("y").ticks(ticks, [fmt(t) for t in ticks])


def fit_ticks(ctx: Ctx, *candidates: list[str]) -> list[str] | None:
    """The first set of tick labels that fits under its bars (the last one cut to fit), or None
    when the figure has no room for readable labels and a text chart should be drawn instead."""
    room = (ctx.width - 10) // max(1, len(candidates[0])) - 1
    if not ctx.plot_fits or room < MIN_TICK_ROOM:
        return None
    for labels in candidates:
        if all(cell_len(safe(lb)) <= room for lb in labels):
            return [safe(lb) for lb in labels]
    return [fit(lb, room).rstrip() for lb in candidates[-1]]


def x_ticks(fig: Any, labels: list[str]) -> None:
    fig.ruler("x").ticks(list(range(1, len(labels) + 1)), labels)


# -- the charts --------------------------------------------------------------------------
