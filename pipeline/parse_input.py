"""What reps type, read the way they mean it: ``18万`` is 180,000, ``40%`` is 40.

One grammar for the board's form, the CLI's options and an imported spreadsheet's cells.
Full-width digits and signs (``１８万``, ``４０％``) are read too: Chinese input methods produce them.
Every parser returns None for an empty field and raises ValueError with a short message otherwise.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from .errors import UsageError


class InputError(UsageError, ValueError):
    """A typed value that is not one (a ValueError, as Python's own parsers raise, and
    worded: the board says it in its language)."""


_UNITS = {"": 1, "k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000, "亿": 100_000_000}
_NUMBER = re.compile(r"^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(k|千|w|万|亿)?元?(%?)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)%?$")


def _normal(text: str) -> str:
    """NFKC (full-width to ASCII), lower case, without spaces and thousands separators."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s,_]", "", text)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _scaled(digits: str, unit: str) -> int | float:
    """An integer as written stays exact however long; anything else is the float it reads as
    (``1e300`` is the float 1e300, as a spreadsheet holds it), an int when it is whole."""
    if unit == "" and digits.isdigit():
        return int(digits)
    value = float(Decimal(digits) * _UNITS[unit])  # Decimal first: 1.1w is 11000, not 11000.000000000002
    if not math.isfinite(value):
        raise InputError(f"{digits} is too large", "too_large", digits=digits)
    return int(value) if value.is_integer() else value


def parse_number(text: str) -> int | float | None:
    """Any number as a spreadsheet cell may hold it: a sign, ``1.5e-07``, a unit (``18万``,
    ``1.5w``, ``20k``), a currency sign, a trailing ``%`` (ignored). Exact for integers."""
    s = _normal(text).lstrip("¥$")
    if not s:
        return None
    m = _NUMBER.match(s)
    if not m:
        raise InputError(f"not a number: {text.strip()!r}", "not_number", text=text.strip())
    value = _scaled(m.group(2), m.group(3) or "")
    return -value if m.group(1) == "-" else value


def parse_amount(text: str) -> int | float | None:
    """``180000``, ``180,000``, ``18万``, ``1.5w``, ``¥20k``, ``0.2亿`` -> a number ≥ 0."""
    s = _normal(text).lstrip("¥$")
    if s.startswith("-"):
        raise InputError("amount must not be negative", "negative_amount")
    try:
        if s.endswith("%"):
            raise ValueError
        return parse_number(s)
    except ValueError:
        raise InputError(
            f"not an amount: {text.strip()!r} (e.g. 180000, 18万, 1.5w)", "not_amount", text=text.strip()
        ) from None


def parse_percent(text: str) -> int | float | None:
    """``40``, ``40%``, ``12.5`` -> a percentage 0-100."""
    s = _normal(text)
    if not s:
        return None
    m = _PERCENT.match(s)
    if not m:
        raise InputError(
            f"not a percentage: {text.strip()!r} (a number 0-100)", "not_percent", text=text.strip()
        )
    value = Decimal(m.group(1))
    if value > 100:
        raise InputError("probability must be between 0 and 100", "percent_range")
    return _number(value)


TAG_SEPARATOR = re.compile(r"[,，、;；]")


def parse_tags(text: str) -> list[str]:
    """``ERP, 制造业、续费`` -> ``["ERP", "制造业", "续费"]``: commas (either width) or 、 separate."""
    return [t.strip() for t in TAG_SEPARATOR.split(text) if t.strip()]


_OFFSET = re.compile(r"^([+-]?)(\d+)([dwmq])$")  # no sign: ahead (``0d`` is today)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "q": 91}
_WORDS = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?$")


def parse_date(text: str) -> date:
    """A calendar date as people write it: ``2026-12-01``, ``2026/12/1``, ``2026.12.01``,
    ``2026年12月1日``; a month alone (``2026-12``, ``2026年12月``) is its last day."""
    s = _normal(text)
    m = _DATE.match(s)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if m.group(3):
            return date(year, month, int(m.group(3)))  # ValueError for a day that does not exist
        if not 1 <= month <= 12:
            raise InputError(f"month {month} does not exist", "no_month", month=month)
        return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return date.fromisoformat(s)  # also 20261201 and week dates, as before


def parse_when(text: str, base: date) -> date:
    """A date (`parse_date`), ``today``/``今天``, ``tomorrow``/``明天``, ``yesterday``/``昨天``, or
    an offset from ``base`` such as ``+1d``, ``+2w``, ``+1q``, ``-3d`` or ``0d`` (full-width digits too)."""
    s = _normal(text)
    if s in _WORDS:
        return base + timedelta(days=_WORDS[s])
    m = _OFFSET.match(s)
    if m:
        days = int(m.group(2)) * _UNIT_DAYS[m.group(3)]
        return base + timedelta(days=-days if m.group(1) == "-" else days)
    try:
        return parse_date(s)
    except ValueError:
        raise InputError(
            f"not a date: {text.strip()!r} (use YYYY-MM-DD, today, yesterday, +3d, -3d, +1w or +1q)",
            "not_date",
            text=text.strip(),
        ) from None
