"""Inconsistent merges: conflict markers, a stage the history contradicts, doubled entries."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from pipeline.config import load_preset
from pipeline.consistency import conflict_markers, history_problems
from pipeline.format import parse_customer
from tests.conftest import write_customer
from tuiboard.cli import main

P = Path("customers/hz.toml")

MOVED_TWICE = """\
name = "杭州中联"
stage = "negotiation"

[[history]]
date = 2026-11-01
stage = "intent"

[[history]]
date = 2026-11-20
stage = "negotiation"

[[history]]
date = 2026-11-20
stage = "approved"
"""


def problems(text: str) -> list:
    return history_problems(text, tomllib.loads(text), P)


def test_a_stage_the_latest_history_entry_contradicts() -> None:
    [p] = problems(MOVED_TWICE)
    assert (p.line, p.column, p.severity) == (2, 1, "warning")
    assert "stage is 'negotiation' but the last history entry (2026-11-20)" in p.message
    assert "moved it to 'approved'" in p.message
    assert "set stage = 'approved'" in p.message and "tuiboard move hz negotiation" in p.message
    assert p.excerpt.startswith('stage = "negotiation"')


def test_the_last_entry_in_the_file_decides_a_backdated_move_too() -> None:
    consistent = MOVED_TWICE.replace('stage = "negotiation"\n\n', 'stage = "approved"\n\n', 1)
    assert problems(consistent) == []
    backdated = 'name = "x"\nstage = "won"\nhistory = [{date = 2026-11-02, stage = "intent"},\n' + (
        '  {date = 2026-11-01, stage = "won"}]\n'
    )
    assert problems(backdated) == []
    by_hand = 'name = "x"\nstage = "intent"\nhistory = [{date = 2026-11-01, stage = "intent"},\n' + (
        '  {date = 2026-10-01, stage = "target"}]\n'
    )
    assert problems(by_hand) == []  # written out of order: the latest date decides
    assert problems('name = "x"\nstage = "won"\n') == []
    assert problems('name = "x"\nstage = "won"\nhistory = 3\n') == []


def test_history_entries_written_twice() -> None:
    text = MOVED_TWICE.replace('stage = "negotiation"\n\n', 'stage = "approved"\n\n', 1) + (
        '\n[[history]]\ndate = 2026-11-20\nstage = "approved"\n'
    )
    [p] = problems(text)
    assert p.line == 16 and "repeats the one before it" in p.message and "delete one" in p.message
    back_and_forth = 'name = "x"\nstage = "intent"\nhistory = [{date = 2026-11-01, stage = "intent"},\n' + (
        '  {date = 2026-11-01, stage = "project"}, {date = 2026-11-01, stage = "intent"}]\n'
    )
    assert problems(back_and_forth) == []


def test_conflict_markers_each_an_error_with_the_way_out() -> None:
    text = 'name = "x"\n<<<<<<< ours\namount = 1\n=======\namount = 2\n>>>>>>> theirs\n<<<<<<<\n'
    found = conflict_markers(text, P)
    assert [(p.line, p.column, p.is_error) for p in found] == [(2, 1, True), (7, 1, True)]
    assert "tuiboard resolve hz" in found[0].message and found[0].excerpt.startswith("<<<<<<< ours")
    assert conflict_markers('note = """\n<<<<<<<< eight\n"""\n', P) == []
    assert conflict_markers('name = "x"\r\n<<<<<<< ours\r\n', P)[0].line == 2


def test_the_reader_reports_them_so_check_and_the_board_see_them(folder: Path) -> None:
    config = load_preset("seven-stage")
    customer, found = parse_customer(MOVED_TWICE.encode(), P, config)
    assert customer is not None and any("last history entry" in p.message for p in customer.problems)
    marked = "<<<<<<< ours\n" + MOVED_TWICE + "=======\n" + MOVED_TWICE + ">>>>>>> theirs\n"
    customer, found = parse_customer(marked.encode(), P, config)
    assert customer is not None and customer.has_errors  # shown as its first side, never written
    assert found[0].message.startswith("unresolved merge conflict")
    write_customer(folder, "hz", MOVED_TWICE)
    result = CliRunner().invoke(main, ["-C", str(folder), "check", "--strict"])
    assert result.exit_code == 1
    assert "customers/hz.toml:2:1: warning: stage is 'negotiation'" in result.output


def test_a_pathological_file_lists_the_first_twenty() -> None:
    markers = "<<<<<<< ours\n" * 50_000
    assert len(conflict_markers(markers, P)) == 20
    doubled = 'name = "x"\nstage = "won"\n' + '[[history]]\ndate = 2026-11-01\nstage = "won"\n' * 20_000
    found = problems(doubled)
    assert len(found) == 20 and all("repeats the one before" in p.message for p in found)
