"""What reps type into the form's number, tag and date fields, and the CLI's arguments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.parse_input import parse_amount, parse_date, parse_number, parse_percent, parse_tags, parse_when
from tuiboard.labels import labels

BASE = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("180000", 180000),
        (" 180,000 ", 180000),
        ("18万", 180000),
        ("18 万", 180000),
        ("18万元", 180000),
        ("1.5w", 15000),
        ("1.5W", 15000),
        ("1.1w", 11000),  # exact: no 11000.000000000002
        ("２０万", 200000),  # full-width digits from a Chinese IME
        ("¥20k", 20000),
        ("￥3千", 3000),
        ("0.2亿", 20000000),
        ("12.5", 12.5),
        ("0", 0),
    ],
)
def test_amounts_as_reps_write_them(text: str, value: float) -> None:
    got = parse_amount(text)
    assert got == value
    assert type(got) is type(value)  # whole amounts stay ints in the file


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_amount_is_none(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("-5", "negative"), ("abc", "not an amount"), ("18万万", "not an amount"), ("1.2.3", "not an amount")],
)
def test_bad_amounts_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "value"), [("40", 40), ("40%", 40), ("４０％", 40), ("12.5", 12.5), ("100", 100)]
)
def test_percentages(text: str, value: float) -> None:
    assert parse_percent(text) == value


@pytest.mark.parametrize(
    ("text", "message"), [("120", "between 0 and 100"), ("-1", "not a percentage"), ("x", "not")]
)
def test_bad_percentages(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_percent(text)


@given(st.integers(min_value=0, max_value=10**9))
def test_plain_and_wan_spellings_agree(n: int) -> None:
    assert parse_amount(str(n)) == n
    assert parse_amount(f"{n:,}") == n
    assert parse_amount(f"{n}万") == n * 10_000


def test_tags_split_on_either_comma_and_the_enumeration_comma() -> None:
    assert parse_tags("ERP, 制造业，续费、 OA ;;") == ["ERP", "制造业", "续费", "OA"]
    assert parse_tags("  ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("today", BASE),
        ("今天", BASE),
        ("tomorrow", BASE + timedelta(days=1)),
        ("明天", BASE + timedelta(days=1)),
        ("yesterday", BASE - timedelta(days=1)),
        ("昨天", BASE - timedelta(days=1)),
        ("+3d", BASE + timedelta(days=3)),
        ("-3d", BASE - timedelta(days=3)),
        ("0d", BASE),  # no sign: ahead (a saved view's due = "<0d")
        ("3d", BASE + timedelta(days=3)),
        ("+1w", BASE + timedelta(days=7)),
        ("+1q", BASE + timedelta(days=91)),
        ("＋３ｄ", BASE + timedelta(days=3)),  # what a Chinese input method types
        (" +2w ", BASE + timedelta(days=14)),
        ("2026/12/1", date(2026, 12, 1)),  # as a spreadsheet or a Chinese form writes dates
        ("2026年12月1日", date(2026, 12, 1)),
        ("2026年12月", date(2026, 12, 31)),  # a month alone: its last day
    ],
)
def test_dates_read_the_same_in_the_cli_and_the_board(text: str, expected: date) -> None:
    assert parse_when(text, BASE) == expected


@pytest.mark.parametrize("text", ["someday", "+3x", "2026-13-01", ""])
def test_a_date_that_is_not_one_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match="use YYYY-MM-DD, today, yesterday"):
        parse_when(text, BASE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026.12.01", date(2026, 12, 1)),
        ("2026 年 2 月", date(2026, 2, 28)),
        ("2026-12", date(2026, 12, 31)),
        ("２０２６／１２／０１", date(2026, 12, 1)),
    ],
)
def test_one_date_grammar_for_the_form_the_cli_and_import(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026年0月", "2026-02-30", "12/01/2026"])
def test_a_date_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("-5", -5), ("+1.5w", 15000), ("1e-07", 1e-07), ("1e300", int(1e300)), ("40%", 40), ("¥1,000", 1000)],
)
def test_a_spreadsheet_number_reads_as_the_cell_holds_it(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("parse", "text", "zh"),
    [
        (parse_amount, "很多", "不是金额：很多（例如 180000、18万、1.5w）"),
        (parse_amount, "-5", "金额不能为负数"),
        (parse_percent, "120", "成功率须在 0 到 100 之间"),
        (
            lambda t: parse_when(t, date(2026, 11, 23)),
            "下周",
            "不是日期：下周（可写 2026-12-31、今天、昨天、+3d、-3d、+1w、+1q）",
        ),
    ],
)
def test_a_value_that_is_not_one_is_said_in_the_boards_language(parse: Any, text: str, zh: str) -> None:
    """The CLI prints the English line; the board's forms say the same in their language."""
    with pytest.raises(ValueError) as caught:
        parse(text)
    assert labels("zh").reason(caught.value) == zh
    assert labels("en").reason(caught.value) == str(caught.value).replace(f"'{text}'", text)
    assert labels("zh").reason(ValueError("plain")) == "plain"  # an error that names no words: its own
