"""What the board looks like: snapshots of the demo pipeline at 80x24, 120x40 and 200x50 (every
open stage whole at 120 and up, whole columns only at 80, the key bar intact), and card lines
that keep their width whatever the characters (so CJK columns line up)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from pipeline.store import load_board
from tests.conftest import TODAY, write_customer
from tests.test_app import until
from tuiboard.app import BoardApp
from tuiboard.labels import labels, languages
from tuiboard.textout import money
from tuiboard.widgets.card import CARD_HEIGHT, card_lines


@pytest.fixture(autouse=True)
def no_git_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The status bar's git part must not depend on where the tests run."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


async def loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, BoardApp)
    await until(app, pilot, lambda: app.screen.view is not None)
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_board_120x40(snap_compare: Any, demo_folder: Path) -> None:
    assert snap_compare(BoardApp(demo_folder), terminal_size=(120, 40), run_before=loaded)


def test_board_80x24(snap_compare: Any, demo_folder: Path) -> None:
    assert snap_compare(BoardApp(demo_folder), terminal_size=(80, 24), run_before=loaded)


def test_board_200x50(snap_compare: Any, demo_folder: Path) -> None:
    assert snap_compare(BoardApp(demo_folder), terminal_size=(200, 50), run_before=loaded)


def test_board_80x24_full_size_cards_scrolled_right(snap_compare: Any, demo_folder: Path) -> None:
    keys = ["d", *["l"] * 5]
    assert snap_compare(BoardApp(demo_folder), press=keys, terminal_size=(80, 24), run_before=loaded)


def test_board_english_with_the_lost_column_scrolled_right(snap_compare: Any, demo_folder: Path) -> None:
    keys = ["ctrl+l", "z", *["l"] * 7, "j", "j"]
    assert snap_compare(BoardApp(demo_folder), press=keys, terminal_size=(120, 40), run_before=loaded)


def test_wide_terminal_columns_share_the_width(snap_compare: Any, demo_folder: Path) -> None:
    assert snap_compare(BoardApp(demo_folder), terminal_size=(240, 40), run_before=loaded)


NAMES = [
    "苏州华东精密机械有限公司苏州华东精密机械有限公司",
    "Acme Logistics Group International Holdings",
    "混合 Mixed 名称 with 中文",
    "ｆｕｌｌｗｉｄｔｈ全角ＡＢＣ",
    "Tab\there\nnewline\x1b[31m",
    "",
]


@pytest.mark.parametrize("width", [8, 9, 17, 28, 29, 61])
def test_every_card_line_is_exactly_the_column_width(folder: Path, width: int) -> None:
    for i, name in enumerate(NAMES):
        write_customer(
            folder,
            f"c{i}",
            f'name = {json.dumps(name + "x", ensure_ascii=False)}\nstage = "intent"\ntier = "VIP"\n'
            'amount = 123456789\n[next]\naction = "确认预算与时间表确认预算与时间表"\ndue = 2026-11-01\n',
        )
    board = load_board(folder, use_cache=False)
    assert len(board.customers) == len(NAMES)
    for customer in board.customers.values():
        for code in languages():
            lines = card_lines(customer, board.config, TODAY, width, labels(code))
            assert len(lines) == CARD_HEIGHT
            assert [cell_len(line.plain) for line in lines] == [width] * CARD_HEIGHT
            assert not any(ch in line.plain for line in lines for ch in "\x1b\t\n")


@pytest.mark.parametrize("amount", [296000, 12345678, 1500])
def test_a_card_shows_each_figure_whole_or_not_at_all(folder: Path, amount: int) -> None:
    """At 80 columns a compact card read "29.6… 逾期12天": the 万 cut off, 29.6 read as
    yuan. At every width the amount is whole, and so is every figure after it."""
    write_customer(
        folder,
        "late",
        f'name = "杭州"\nstage = "intent"\namount = {amount}\nprobability = 35\n'
        '[next]\naction = "催签合同"\ndue = 2026-11-11\n',
    )
    board = load_board(folder, use_cache=False)
    customer, config = board.customers["late"], board.config
    shown = money(customer.amount, config.currency)
    for code in languages():
        words = labels(code)
        for width in range(cell_len(shown) + 1, 40):
            figures = card_lines(customer, config, TODAY, width, words)[1].plain
            compact = card_lines(customer, config, TODAY, 21 if width < 22 else 60, words)[1].plain
            assert figures.startswith(shown + " ") and "…" not in figures, (code, width, figures)
            assert set(figures.split()) <= set(compact.split()), (code, width, figures)
