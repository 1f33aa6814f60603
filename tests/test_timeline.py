"""Days per stage from a customer's history: consecutive dates, the last stage until today."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.config import load_preset
from pipeline.format import parse_customer
from pipeline.timeline import StageSpan, stage_spans
from tests.conftest import TODAY

CONFIG = load_preset("seven-stage")


def spans_of(stage: str, *history: tuple[str, str]) -> list[StageSpan]:
    text = f'name = "x"\nstage = "{stage}"\n' + "".join(
        f'[[history]]\ndate = {d}\nstage = "{s}"\n' for d, s in history
    )
    c, problems = parse_customer(text.encode(), Path("/p/customers/x.toml"), CONFIG)
    assert c is not None and not any(p.is_error for p in problems)
    return stage_spans(c, TODAY)


def test_consecutive_entries_and_the_current_stage_until_today() -> None:
    spans = spans_of(
        "intent", ("2026-09-02", "target"), ("2026-10-10", "potential"), ("2026-10-20", "intent")
    )
    assert spans == [
        StageSpan("target", date(2026, 9, 2), date(2026, 10, 10), 38),
        StageSpan("potential", date(2026, 10, 10), date(2026, 10, 20), 10),
        StageSpan("intent", date(2026, 10, 20), None, 34),
    ]


def test_hand_edited_out_of_order_history_is_read_in_date_order() -> None:
    spans = spans_of("intent", ("2026-11-01", "intent"), ("2026-10-01", "target"))
    assert [(s.stage, s.days) for s in spans] == [("target", 31), ("intent", 22)]


def test_same_day_moves_and_future_dates_count_zero() -> None:
    spans = spans_of("potential", ("2026-11-23", "target"), ("2026-11-23", "potential"))
    assert [(s.stage, s.days) for s in spans] == [("target", 0), ("potential", 0)]
    assert [s.days for s in spans_of("target", ("2026-12-01", "target"))] == [0]


def test_no_history_no_spans() -> None:
    assert spans_of("target") == []
