"""`due` and `today` give the agenda only the customers that can have work today: the
same agenda as over every customer, on any day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import TODAY, write_customer

from pipeline.agenda import today_items
from pipeline.model import lazy_data
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
    dated = today_items(_may_have_work(board, day, dated=True), board.config, day, dated=True)
    assert dated == [i for i in everyone if i.status is not DueStatus.NONE]


def test_the_dated_agenda_reads_no_customer_data(demo_folder: Path) -> None:
    """`due` works out no downgrade check (undated work), whose payments are in the data
    a warm load leaves packed: a customer whose data cannot be made changes nothing."""
    board = load_board(demo_folder)
    day = TODAY + timedelta(days=90)  # signed over a month ago: downgrade checks are due
    everyone = today_items(board.customers.values(), board.config, day)
    assert any(i.kind == "downgrade" for i in everyone)

    def unreadable() -> dict[str, object]:
        raise AssertionError("the data was read")

    blind = [lazy_data(replace(c), unreadable) for c in board.customers.values()]
    dated = today_items(blind, board.config, day, dated=True)
    assert [(i.customer.id, i.kind, i.due) for i in dated] == [
        (i.customer.id, i.kind, i.due) for i in everyone if i.status is not DueStatus.NONE
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
