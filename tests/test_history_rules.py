"""Rules over a customer's stage history as of a day: pure functions, no files, no clock."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pipeline import history_rules as hr
from pipeline.config import load_preset
from pipeline.model import Customer, HistoryEntry, LogEntry

CONFIG = load_preset("seven-stage")
TEN = load_preset("ten-level")
TODAY = date(2026, 11, 23)


def cust(*entries: tuple[str, str], **kw: Any) -> Customer:
    kw.setdefault("stage", entries[-1][1] if entries else "intent")
    history = tuple(HistoryEntry(date.fromisoformat(d), s) for d, s in entries)
    return Customer(id="c", path=Path("c.toml"), data={}, name="C", history=history, **kw)


# target 09-01 → intent 09-11 (written last: a late `move --date`) → project 10-31
LATE = cust(("2026-09-01", "target"), ("2026-10-31", "project"), ("2026-09-11", "intent"), stage="project")


def test_as_of_rewinds_stage_and_history_and_hides_what_did_not_exist_yet() -> None:
    past = hr.as_of(LATE, date(2026, 10, 1))
    assert past is not None and past.stage == "intent"
    assert [h.stage for h in past.history] == ["target", "intent"]
    assert hr.as_of(LATE, date(2026, 8, 31)) is None
    assert hr.as_of(LATE, TODAY) is LATE  # nothing after the day: the same customer
    made = cust(created=date(2026, 10, 20))
    assert hr.as_of(made, date(2026, 10, 19)) is None and hr.as_of(made, date(2026, 10, 20)) is made
    assert hr.as_of(cust(), date(1990, 1, 1)) is not None  # no history, no created: always there


def test_stages_on_many_days_agree_with_as_of() -> None:
    days = [date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 31), TODAY]
    assert hr.stages_on(LATE, days) == [None, "target", "intent", "project", "project"]
    for d in days:
        past = hr.as_of(LATE, d)
        assert hr.stages_on(LATE, [d]) == [None if past is None else past.stage]


def test_path_index_puts_every_won_stage_on_the_won_step() -> None:
    assert TEN.path[-1] == "A02"
    assert TEN.path_index("A01") == TEN.path_index("A02") == len(TEN.path) - 1
    assert TEN.path_index("A31") == -1 and TEN.path_index("nonsense") == -1
    assert CONFIG.path_index(CONFIG.path[0]) == 0


def test_furthest_reached_counts_a_stage_left_behind() -> None:
    back = cust(("2026-08-01", "target"), ("2026-10-01", "intent"), ("2026-10-15", "potential"))
    assert hr.furthest_reached(back, CONFIG) == CONFIG.path_index("intent")
    assert hr.furthest_reached(cust(stage="lost"), CONFIG) == -1


def test_path_entries_by_date_say_which_went_further() -> None:
    entries = hr.path_entries(LATE, CONFIG)
    assert [(d.isoformat(), CONFIG.path[i], on) for d, i, on in entries] == [
        ("2026-09-01", "target", True),
        ("2026-09-11", "intent", True),
        ("2026-10-31", "project", False),
    ]


def test_stage_spells_by_date_run_to_the_day() -> None:
    assert hr.stage_spells(LATE, TODAY) == [("target", 10), ("intent", 50), ("project", 23)]
    assert hr.stage_spells(cust(created=date(2026, 11, 20)), TODAY) == [("intent", 3)]
    assert hr.stage_spells(cust(), TODAY) == []


def test_contact_dates_leave_out_a_target_only_written_down() -> None:
    c = cust(
        ("2026-11-01", "target"),
        ("2026-11-17", "intent"),
        log=(LogEntry(date(2026, 11, 20), "call", "x"), LogEntry(None, "note", "undated")),
    )
    days = hr.contact_dates(c, CONFIG)
    assert days == [date(2026, 11, 17), date(2026, 11, 20)]


def test_unfilled_names_the_form_fields_left_empty() -> None:
    assert hr.unfilled(cust(amount=1.0, next_action="回访")) == ("expected_close", "next_due")
    assert hr.unfilled(cust(next_action="")) == hr.FORM_FIELDS


def test_sales_cycle_runs_from_the_first_entry_to_the_first_win() -> None:
    rewon = cust(
        ("2026-06-01", "target"), ("2026-08-30", "won"), ("2026-09-10", "intent"), ("2026-10-01", "won")
    )
    assert hr.sales_cycle_days(rewon, CONFIG) == 90
    assert hr.sales_cycle_days(cust(("2026-06-01", "target")), CONFIG) is None  # not won
    assert hr.sales_cycle_days(cust(stage="won"), CONFIG) is None  # won without a won entry
