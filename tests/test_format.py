"""One customer file -> Customer + problems (never an exception); canonical text for new files."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pipeline import rules
from pipeline.canonical import dump_customer, has_comments
from pipeline.config import load_preset
from pipeline.consistency import is_conflicted
from pipeline.format import parse_customer
from pipeline.problems import Problem
from pipeline.tomlread import MAX_FILE_BYTES
from tests.conftest import write_customer
from tests.support import sample
from tuiboard.cli import main

CONFIG = load_preset("seven-stage")
PATH = Path("customers/acme.toml")

GOOD = sample("suzhou")


def parse(text: str | bytes) -> tuple[object, list[Problem]]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_customer(raw, PATH, CONFIG, 123)


def found(problems: list[Problem]) -> set[tuple[int, int, str, str]]:
    return {(p.line, p.column, p.severity.value, p.message) for p in problems}


def test_a_good_file() -> None:
    c, problems = parse(GOOD)
    assert problems == []
    assert c.id == "acme" and c.name == "苏州华东精密机械有限公司" and c.stage == "intent"
    assert (c.tier, c.owner, c.source, c.amount, c.probability) == ("B", "wang.li", "exhibition", 180000, 40)
    assert c.expected_close == date(2026, 12, 15) and c.created == date(2026, 9, 2)
    assert c.tags == ("ERP", "制造业") and c.contact == "张伟" and c.intent == "high"
    assert (c.next_action, c.next_due) == ("发送修订报价", date(2026, 11, 25))
    assert [(h.date.month, h.stage) for h in c.history] == [(9, "target"), (10, "intent")]
    assert [(e.kind, e.note) for e in c.log] == [("visit", "见了IT经理")]
    assert c.data["wechat"] == "zw-1988"  # unknown keys kept
    assert c.fingerprint.mtime_ns == 123 and c.fingerprint.size == len(GOOD.encode())


def test_schema_problems_carry_line_and_column() -> None:
    text = """\
name = "Acme"
stage = "lost"
tier = "Z"
amount = -5
probability = 150
tags = "x"
source = "tv"
intent = "hot"
expected_close = "2026-12-01"
created = "last week"
  owner = 7

[next]
action = 3
due = "soon"

[[history]]
date = 2026-01-01
stage = "nowhere"

[[history]]
stage = "target"
"""
    c, problems = parse(text)
    assert found(problems) == {
        (2, 1, "warning", "lost customer has no lost_reason"),
        (3, 1, "error", "unknown tier 'Z' (known: VIP, A, B, C, D)"),
        (4, 1, "error", "amount must not be negative"),
        (5, 1, "error", "probability must be between 0 and 100"),
        (6, 1, "error", "tags must be a list of strings"),
        (7, 1, "warning", "source 'tv' is not one of pipeline.toml's sources"),
        (8, 1, "warning", "intent must be high, medium or low"),
        (9, 1, "warning", "expected_close is a quoted date; write it without quotes"),
        (10, 1, "warning", "created is not a date: 'last week' (write YYYY-MM-DD)"),
        (11, 3, "error", "owner must be a string"),
        (14, 1, "error", "next.action must be a string"),
        (15, 1, "warning", "next.due is not a date: 'soon' (write YYYY-MM-DD)"),
        (19, 1, "warning", "history names unknown stage 'nowhere'"),
        (21, 1, "warning", "history entries need a date and a stage"),
    }
    assert c.has_errors
    assert c.expected_close == date(2026, 12, 1)  # a quoted date is still read
    assert c.amount is None and c.probability is None and c.tier is None and c.history == ()
    problem = next(p for p in problems if p.line == 11)
    assert problem.excerpt == "  owner = 7\n  ^"
    assert problem.format(Path("customers/..").parent).startswith("acme.toml:11:3: error: owner must be")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('stage = "intent"\n', {(1, 1, "error", "name is required")}),
        ('name = ""\nstage = "intent"\n', {(1, 1, "error", "name is required")}),
        ('name = 3\nstage = "intent"\n', {(1, 1, "error", "name must be a string")}),
        ('name = "x"\n', {(1, 1, "error", "stage is required")}),
        (
            'name = "x"\n  stage   =   "nope"\n',
            {(2, 3, "error", "unknown stage 'nope' (known: " + ", ".join(CONFIG.stage_ids) + ")")},
        ),
        (
            'name = "x"\nstage = "won"\nnext = 5\n',
            {(3, 1, "error", "next must be a table with action and due")},
        ),
        (
            'name = "x"\nstage = "won"\nhistory = 5\n',
            {(3, 1, "error", "history must be an array of tables ([[history]])")},
        ),
        ('name = "x"\nstage = "won"\namount = "lots"\n', {(3, 1, "error", "amount must be a number")}),
        ('name = "x"\nstage = "won"\namount = true\n', {(3, 1, "error", "amount must be a number")}),
        ('name = "x"\nstage = "won"\namount = nan\n', {(3, 1, "error", "amount must be a number")}),
        (
            'name = "x"\nstage = "won"\nprobability = -1\n',
            {(3, 1, "error", "probability must not be negative")},
        ),
        (
            'name = "x"\nstage = "won"\ncreated = 12\n',
            {(3, 1, "warning", "created must be a date (YYYY-MM-DD)")},
        ),
    ],
)
def test_one_problem_each(text: str, expected: set[tuple[int, int, str, str]]) -> None:
    _, problems = parse(text)
    assert found(problems) == expected


def test_a_datetime_counts_as_its_date_and_dotted_keys_are_located() -> None:
    c, problems = parse('name = "x"\nstage = "won"\ncreated = 2026-01-02T10:00:00\nnext.due = "?"\n')
    assert c.created == date(2026, 1, 2)
    assert found(problems) == {(4, 6, "warning", "next.due is not a date: '?' (write YYYY-MM-DD)")}


def test_lost_with_a_reason_is_fine() -> None:
    c, problems = parse('name = "x"\nstage = "lost"\nlost_reason = "价格过高"\n')
    assert problems == [] and c.lost_reason == "价格过高"


def test_syntax_error_position_and_excerpt() -> None:
    c, problems = parse('name = "x"\nstage = "won"\namount = 1 2\n')
    assert c is None
    [p] = problems
    assert (p.line, p.column, p.is_error) == (3, 12, True)
    assert p.excerpt == "amount = 1 2\n           ^"
    assert "at line" not in p.message


def test_unterminated_string_at_end_of_file() -> None:
    _, [p] = parse('name = "x\n')
    assert p.line == 1 and p.is_error


def test_byte_order_mark_is_a_warning() -> None:
    c, problems = parse(b"\xef\xbb\xbf" + GOOD.encode())
    assert c is not None and c.name.startswith("苏州")
    assert found(problems) == {(1, 1, "warning", "file starts with a byte-order mark")}


def test_invalid_utf8_names_the_byte_and_position() -> None:
    c, [p] = parse(b'name = "x"\nstage = "a\xff"\n')
    assert c is None and (p.line, p.column) == (2, 11) and "0xff" in p.message


def test_oversized_files_are_not_parsed() -> None:
    c, [p] = parse(b"# " + b"x" * MAX_FILE_BYTES)
    assert c is None and p.is_error and "limit" in p.message


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    c, problems = parse("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert c is None and problems and problems[0].is_error


def test_control_characters_never_reach_an_excerpt() -> None:
    _, [p] = parse('name = "x"\nstage = "\x1b[31mred"\n')
    assert "\x1b" not in p.excerpt and "\x1b" not in p.message


def test_has_comments_ignores_hashes_inside_strings() -> None:
    assert has_comments("a = 1 # c\n")
    assert not has_comments('a = "#1"\nb = \'#2\'\nc = """\n# 3\n"""\n')
    assert has_comments('c = """\n# 3\n"""\n# real\n')
    assert not has_comments('a = "say \\"#\\""\n')


def test_dump_is_canonical_and_round_trips() -> None:
    data = {
        "history": [{"date": date(2026, 9, 2), "stage": "target"}],
        "next": {"action": "call", "due": date(2026, 12, 1)},
        "wechat": "zw",
        "stage": "target",
        "name": "苏州华东",
        "company": {"region": "苏州"},
        "amount": 5,
    }
    text = dump_customer(data)
    assert text.endswith("\n") and "\r" not in text
    assert tomllib.loads(text) == data
    lines = [ln for ln in text.splitlines() if ln and not ln[0].isspace()]
    keys = [ln.split(" ")[0] for ln in lines]
    assert keys == [
        "name",
        "stage",
        "amount",
        "wechat",
        "[company]",
        "region",
        "[next]",
        "action",
        "due",
        "[[history]]",
        "date",
        "stage",
    ]
    assert dump_customer(tomllib.loads(text)) == text


def test_lines_end_at_newline_only() -> None:
    """U+2028 and NEL may stand inside a TOML string; `str.splitlines()` would count them as
    line ends and report the problem on the wrong line with the wrong excerpt."""
    head = 'name = "a\u2028b\x85c"  # d\u2029e\n'
    _, [syntax] = parse(head + 'stage = "won"\namount = 1 2\n')
    assert (syntax.line, syntax.column) == (3, 12)
    assert syntax.excerpt == "amount = 1 2\n           ^"
    _, problems = parse(head + 'stage = "intent"\ntier = "Z"\n')
    [tier] = [p for p in problems if "tier" in p.message]
    assert (tier.line, tier.excerpt.split("\n")[0]) == (3, 'tier = "Z"')


# -- keys as TOML requires them -----------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["拜访记录", "visit notes", "visits.2025", "", 'say "hi"', "tab\there", "a=b", "#hash", "ok_key-1"],
)
def test_dump_quotes_every_key_that_is_not_bare(key: str) -> None:
    """The old dump wrote ``[[拜访记录]]`` (invalid) and ``[[visits.2025]]`` (silently nested)."""
    entry = {"date": date(2026, 11, 1), key: "v"}
    data = {"name": "x", "stage": "target", key: [entry], "t": {key: {key: 1}}, "inline": {key: [1]}}
    assert tomllib.loads(dump_customer(data)) == data


def test_bare_keys_stay_bare() -> None:
    text = dump_customer({"name": "x", "stage": "target", "visits": [{"n": 1}]})
    assert "[[visits]]" in text


KEYS = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
TOML_SCALARS = (
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.dates()
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(KEYS, TOML_VALUES, max_size=6),
    st.dictionaries(KEYS, st.lists(st.dictionaries(KEYS, TOML_SCALARS, max_size=3), min_size=1, max_size=3)),
)
def test_dump_customer_reads_back_as_the_same_data(
    scalars: dict[str, Any], arrays: dict[str, list[dict[str, Any]]]
) -> None:
    data = {**scalars, **arrays}
    assert tomllib.loads(dump_customer(data)) == data


def test_a_problem_after_a_line_separator_is_on_its_toml_line() -> None:
    """str.splitlines() also splits at U+2028 (allowed in a string): the excerpt was the wrong line."""
    text = 'name = "a\u2028b"\nstage = "target"\namount = -1\n'
    _, problems = parse(text)
    [problem] = problems
    assert (problem.line, problem.excerpt.splitlines()[0]) == (3, "amount = -1")


def test_payments_need_a_date_and_a_numeric_amount() -> None:
    text = (
        'name = "x"\nstage = "won"\n\n[[payments]]\ndate = 2026-11-01\namount = -500\n\n'
        '[[payments]]\ndate = "soon"\namount = "5万"\n'
    )
    _, problems = parse(text)
    found = sorted((p.line, p.is_error, p.message) for p in problems)
    assert [line for line, _, _ in found] == [9, 10]  # the first payment (a refund) is fine
    assert found[1][1:] == (True, "a payment needs a numeric amount")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[next]\ndue = 2026-12-40\n", "date 2026-12-40 is not a valid date (YYYY-MM-DD)"),
        ("d = 2026-02-30\n", "date 2026-02-30 is not a valid date (YYYY-MM-DD)"),
        ("t = 25:61:00\n", "time 25:61:00 is not a valid time (HH:MM:SS)"),
        ('name = "x\n', 'a string is not closed: a quote (") is missing'),
        ("name = hello\n", 'this value is not valid TOML (text needs quotes: key = "…")'),
        ("a = 1\na = 2\n", "this key is already set above (each key once per table)"),
        ("[t]\n[t]\n", "this table is declared twice (each [table] once)"),
        (
            'note = "2026-13-01" x\n',
            "something follows the value on this line (one key = value per line; text needs quotes)",
        ),
    ],
)
def test_syntax_errors_are_plain_sentences(text: str, message: str) -> None:
    _, [problem] = parse(text)
    assert problem.message.startswith(message)


@pytest.mark.parametrize("base", ["", "||||||| base\namount = 100000\n"])
def test_a_conflicted_file_is_shown_as_its_first_side_with_its_errors(base: str) -> None:
    """git left markers in the file and no earlier read of it is kept (a fresh board after a
    sync stopped): the customer used to vanish from the board. It reads as the conflict's
    first side, with the markers as errors (so nothing writes over it)."""
    text = (
        'name = "杭州中联"\nstage = "intent"\n<<<<<<< ours\namount = 250000\n'
        f"{base}=======\namount = 216000\n>>>>>>> theirs\n"
        '[next]\naction = "约见"\ndue = 2026-12-01\n'
    )
    customer, problems = parse_customer(text.encode(), Path("/p/customers/hz.toml"), CONFIG)
    assert customer is not None and (customer.name, customer.amount, customer.next_action) == (
        "杭州中联",
        250000,
        "约见",
    )
    assert customer.has_errors and is_conflicted(customer.problems) and customer.problems == tuple(problems)
    assert [p.line for p in problems if p.message.startswith("unresolved merge conflict")] == [3]


@pytest.mark.parametrize("value", ["inf", "-inf", "+inf", "nan"])
def test_an_amount_that_is_not_a_finite_number_is_an_error(value: str, folder: Path) -> None:
    """TOML writes inf and nan: check said nothing of `amount = inf`, the header summed inf万,
    and the charts and the report crashed (cannot convert float NaN to integer)."""
    text = (
        f'name = "Inf Co"\nstage = "approved"\namount = {value}\n'
        f"[[payments]]\ndate = 2026-11-01\namount = {value}\n"
    )
    customer, problems = parse_customer(text.encode(), PATH, CONFIG)
    assert customer is not None and customer.amount is None and not rules.payments(customer)
    assert {(p.line, p.message) for p in problems if p.is_error} == {
        (3, "amount must be a number"),
        (6, "a payment needs a numeric amount"),
    }
    write_customer(folder, "inf", text)
    report = CliRunner().invoke(main, ["-C", str(folder), "report", "--chart", "all"])
    assert report.exit_code == 0 and "Traceback" not in report.output
