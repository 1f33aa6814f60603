"""`due` and `today` give the agenda only the customers that can have work today: the
same agenda as over every customer, on any day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import TODAY, write_customer

from pipeline.agenda import today_items
from pipeline.rules import DueStatus
from pipeline.store import load_board
from tuiboard.cli.tools import _may_have_work


@pytest.mark.parametrize("days", [-400, -30, 0, 3, 25, 90, 400])
def test_the_candidates_give_the_whole_agenda(demo_folder: Path, days: int) -> None:
    board = load_board(demo_folder)
    day = TODAY + timedelta(days=days)
    everyone = today_items(board.customers.values(), board.config, day)
    assert today_items(_may_have_work(board, day, dated=False), board.config, day) == everyone
    picked = today_items(_may_have_work(board, day, dated=True), board.config, day)
    assert [i for i in picked if i.status is not DueStatus.NONE] == [
        i for i in everyone if i.status is not DueStatus.NONE
    ]


def test_a_won_customer_with_a_later_next_action_still_has_its_after_sales_step(folder: Path) -> None:
    write_customer(
        folder,
        "won",
        'name = "Won Co"\nstage = "won"\nhistory = [{ date = 2026-11-21, stage = "won" }]\n'
        '[next]\naction = "续约"\ndue = 2027-05-01\n',
    )
    board = load_board(folder)
    day = date(2026, 11, 23)
    items = today_items(_may_have_work(board, day, dated=True), board.config, day)
    assert [(i.customer.id, i.kind) for i in items] == [("won", "after_sales")]
