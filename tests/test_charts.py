"""Charts render to strings: labels present, bar lengths following the values, CJK aligned,
every size fitting (and never crashing), and plotext's global state kept to one thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from pipeline.analytics import Analysis
from pipeline.store import load_board
from tests.conftest import TODAY
from tuiboard.textcharts import CHARTS, render


def report_from(rows: list[tuple[str, str, int, float]]) -> dict[str, Any]:
    """A minimal report by hand: (stage, label, count, amount) rows; the last two stages won and lost."""
    funnel = [{"stage": s, "label": lb, "count": n, "amount": a, "weighted": a / 2} for s, lb, n, a in rows]
    path = [r[0] for r in rows[:-1]]
    conversion = [
        {
            "from": a,
            "from_label": a,
            "to": b,
            "to_label": b,
            "reached_from": 10,
            "reached_to": 5,
            "rate": 0.5,
            "monthly": [{"month": "2026-11", "entered": 2, "advanced": 1, "rate": 0.5}],
        }
        for a, b in pairwise(path)
    ]
    return {
        "funnel": funnel,
        "conversion": conversion,
        "forecast": [
            {"month": "2026-12", "count": 2, "amount": 400000.0, "weighted": 100000.0},
            {"month": "2027-01", "count": 1, "amount": 100000.0, "weighted": 50000.0},
            {"month": "unscheduled", "count": 1, "amount": 200000.0, "weighted": 0.0},
        ],
        "sources_won": [
            {"source": "exhibition", "label": "展会及研讨会", "count": 6, "share": 0.6},
            {"source": "ads", "label": "广告", "count": 3, "share": 0.3},
            {"source": "unknown", "label": "未知", "count": 1, "share": 0.1},
        ],
        "amount_buckets": [
            {"bucket": b, "min": 0, "max": 0, "count": n, "amount": n * 1000.0}
            for b, n in (("<1万", 8), ("1-5万", 4), ("5-10万", 2), ("10-20万", 1), (">20万", 0))
        ],
        "trend": [
            {"month": m, "date": "", "stage": s, "label": lb, "count": n * (i + 1)}
            for i, m in enumerate(("2026-10", "2026-11"))
            for s, lb, n, _ in rows
        ],
        "time_in_stage": [
            {"stage": s, "label": lb, "spells": 1, "median_days": 10.0 * (i + 1), "mean_days": 12.0}
            for i, (s, lb, _, _) in enumerate(rows)
        ],
    }


STAGES = [
    ("target", "目标客户", 40, 400000.0),
    ("potential", "潜在客户", 20, 300000.0),
    ("intent", "意向", 10, 100000.0),
    ("won", "成交客户", 5, 50000.0),
    ("lost", "丢单", 0, 0.0),
]


@pytest.fixture
def hand() -> dict[str, Any]:
    return report_from(STAGES)


def count_blocks(line: str) -> int:
    return line.count("█")


def test_funnel_bars_are_centred_and_follow_the_counts(hand: dict[str, Any]) -> None:
    out = render("funnel", hand, 100, 30, color=False).splitlines()
    assert out[0].startswith("按客户数")
    rows = out[1:4]
    # open stages only: won and lost are outcomes, not funnel bars
    assert [r.split()[0] for r in rows] == ["目标客户", "潜在客户", "意向"]
    bars = [count_blocks(r) for r in rows]
    assert bars[0] > bars[1] > bars[2] > 0
    assert bars[1] == pytest.approx(bars[0] / 2, abs=1) and bars[2] == pytest.approx(bars[0] / 4, abs=1)
    # centred: every bar's middle sits in the same column (cells, CJK labels count two)
    middles = {cell_len(r[: r.index("█")]) + bars[i] / 2 for i, r in enumerate(rows)}
    assert max(middles) - min(middles) <= 1
    # the numbers column lines up although the labels mix 2- and 4-character CJK names
    number_cols = {
        cell_len(r[: r.index(str(n))]) + len(str(n)) for r, n in zip(rows, (40, 20, 10), strict=True)
    }
    assert len(number_cols) == 1
    assert "40 ·    40.0万" in rows[0]
    amount_block = out[out.index("按金额 by amount") + 1 :]
    assert count_blocks(amount_block[1]) == pytest.approx(count_blocks(amount_block[0]) * 3 / 4, abs=1)
    assert out[-1].startswith("成交客户 5 · ") and "丢单 0" in out[-1]
    assert not any("成交客户" in r and "█" in r for r in out)


def test_a_short_funnel_shows_the_count_block_only(hand: dict[str, Any]) -> None:
    out = render("funnel", hand, 100, 8, color=False)
    assert "按客户数" in out and "按金额" not in out and len(out.splitlines()) <= 8


def test_amount_buckets_drawn_as_a_funnel(hand: dict[str, Any]) -> None:
    rows = render("buckets", hand, 80, 10, color=False).splitlines()
    assert [r.split()[0] for r in rows] == ["<1万", "1-5万", "5-10万", "10-20万", ">20万"]
    assert [count_blocks(r) for r in rows][:4] == sorted((count_blocks(r) for r in rows[:4]), reverse=True)
    assert count_blocks(rows[1]) == pytest.approx(count_blocks(rows[0]) / 2, abs=1)
    assert count_blocks(rows[4]) == 0


def test_sources_bars_follow_the_counts(hand: dict[str, Any]) -> None:
    rows = render("sources", hand, 80, 10, color=False).splitlines()
    assert [r.split()[0] for r in rows] == ["展会及研讨会", "广告", "未知"]
    bars = [count_blocks(r) for r in rows]
    assert bars[1] == pytest.approx(bars[0] / 2, abs=1) and bars[2] == pytest.approx(bars[0] / 6, abs=1)
    assert "60%" in rows[0] and len({cell_len(r[: r.index("█")]) for r in rows}) == 1


def column_height(lines: list[str], col: int, chars: str = "█▒") -> int:
    """How many rows above the x axis hold a bar character at cell column ``col``."""
    n = 0
    for line in lines[: next(i for i, line in enumerate(lines) if "└" in line)]:
        cells = [c for ch in line for c in (ch, "") if c or cell_len(ch) == 2]
        if col < len(cells) and cells[col] and cells[col] in chars:
            n += 1
    return n


def tick_columns(lines: list[str]) -> list[int]:
    axis = next(line for line in lines if "└" in line)
    return [i for i, ch in enumerate(axis) if ch == "┬"]


def test_forecast_figure_bar_heights_follow_the_amounts(hand: dict[str, Any]) -> None:
    lines = render("forecast", hand, 80, 20, color=False).splitlines()
    assert len(lines) == 20
    assert all(cell_len(line) <= 80 for line in lines)
    labels = lines[-2]
    assert "2026-12" in labels and "2027-01" in labels and "未排期" in labels
    assert "金额 amount" in lines[-1] and "加权 weighted" in lines[-1]
    heights = [column_height(lines, c) for c in tick_columns(lines)]
    assert heights[1] == pytest.approx(heights[0] / 4, abs=1) and heights[2] == pytest.approx(
        heights[0] / 2, abs=1
    )
    # the weighted part (drawn ▒ without colours) is the lower part of each bar
    weighted = [column_height(lines, c, "▒") for c in tick_columns(lines)]
    assert weighted[0] == pytest.approx(heights[0] / 4, abs=1) and weighted[2] == 0


def test_conversion_rates_and_monthly_table(hand: dict[str, Any]) -> None:
    hand["conversion"][1]["rate"] = 1.0
    lines = render("conversion", hand, 100, 24, color=False).splitlines()
    heights = [column_height(lines, c) for c in tick_columns(lines)]
    assert heights[0] == pytest.approx(heights[1] / 2, abs=1) and heights[0] > 0
    assert "target→potential" in "".join(lines)
    assert lines[-4].lstrip().startswith("每月") and "2026-11" in lines[-4]  # the whole month, not 26-11
    assert lines[-3].startswith("target") and lines[-3].rstrip().endswith("50%")


def test_trend_stacks_counts_per_month_with_a_legend(hand: dict[str, Any]) -> None:
    lines = render("trend", hand, 100, 20, color=False).splitlines()
    heights = [column_height(lines, c, "█▒▓░▚▞▙▟") for c in tick_columns(lines)]
    assert heights[0] == pytest.approx(heights[1] / 2, abs=1)
    assert "2026-10" in lines[-2] and "2026-11" in lines[-2]
    assert all(label in lines[-1] for label in ("目标客户", "潜在客户", "丢单"))


def test_time_in_stage_shows_open_stages_only(hand: dict[str, Any]) -> None:
    out = render("time", hand, 100, 16, color=False)
    assert "目标客户" in out and "意向" in out and "成交客户" not in out and "中位数" in out


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_fits_every_size(hand: dict[str, Any], name: str) -> None:
    for width in (1, 5, 12, 25, 40, 60, 80, 120, 200):
        for height in (1, 3, 8, 20):
            out = render(name, hand, width, height, color=False)
            lines = out.splitlines()
            assert len(lines) <= height, (width, height)
            assert all(cell_len(line) <= width for line in lines), (width, height, out)


def test_narrow_charts_fall_back_to_readable_text(hand: dict[str, Any]) -> None:
    forecast = render("forecast", hand, 30, 20, color=False).splitlines()
    assert forecast[0].startswith("2026-12") and "40.0万 / 10.0万" in forecast[0]
    assert count_blocks(forecast[1]) == pytest.approx(count_blocks(forecast[0]) / 4, abs=1)
    trend = render("trend", hand, 30, 20, color=False).splitlines()
    assert trend[0].split()[0] == "目标客户" and trend[0].endswith("80")
    conversion = render("conversion", hand, 40, 6, color=False)
    assert "50%" in conversion and "┤" not in conversion


def test_colours_only_when_asked(hand: dict[str, Any]) -> None:
    assert "\x1b[" in render("funnel", hand, 80, 20) and "\x1b[" in render("forecast", hand, 80, 20)
    assert "\x1b" not in render("forecast", hand, 80, 20, color=False)


def test_labels_from_files_are_made_safe(hand: dict[str, Any]) -> None:
    hand["funnel"][0]["label"] = "目标\x1b[31m客户"
    hand["sources_won"][0]["label"] = "展会\x07"
    for name in ("funnel", "sources", "trend"):
        out = render(name, hand, 100, 20, color=False)
        assert "\x1b" not in out and "\x07" not in out


def test_empty_data_says_so() -> None:
    empty = report_from([("target", "目标", 0, 0.0), ("won", "成交", 0, 0.0)])
    empty["forecast"], empty["sources_won"] = [], []
    assert "no open customers" in render("forecast", empty, 80, 20, color=False)
    assert "no won customers" in render("sources", empty, 80, 20, color=False)
    assert "█" not in render("funnel", empty, 80, 20, color=False)


def test_figures_from_many_threads_match_one_thread(demo_folder: Path) -> None:
    board = load_board(demo_folder, use_cache=False)
    data = Analysis(list(board.customers.values()), board.config, TODAY).report()
    jobs = [(name, width) for name in CHARTS for width in (70, 100)]
    alone = [render(n, data, w, 18, color=False) for n, w in jobs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda job: render(job[0], data, job[1], 18, color=False), jobs * 3))
    assert together == alone * 3


def test_plotext_figures_keep_cjk_labels_aligned(hand: dict[str, Any]) -> None:
    for name in ("forecast", "time", "trend", "conversion"):
        lines = render(name, hand, 90, 22, color=False).splitlines()
        axis = next(i for i, line in enumerate(lines) if "└" in line)
        assert {cell_len(line) for line in lines[: axis + 1]} == {90}, name
        frame = {
            cell_len(line[: next(j for j, ch in enumerate(line) if ch in "┤│└┌")]) for line in lines[:axis]
        }
        assert len(frame) == 1, name  # the y axis is one straight column beside CJK tick labels
        # every tick label is centred under its tick, counted in cells
        ticks, labels = tick_columns(lines), lines[axis + 1]
        starts = [i for i, ch in enumerate(labels) if ch != " " and (i == 0 or labels[i - 1] == " ")]
        for tick, start in zip(ticks, starts, strict=True):
            word = labels[start:].split(" ")[0]
            centre = cell_len(labels[:start]) + cell_len(word) / 2
            assert abs(centre - tick) <= 2, (name, word)
