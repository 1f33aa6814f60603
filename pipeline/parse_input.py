"""What reps type into a form, read the way they mean it: ``18万`` is 180,000, ``40%`` is 40.

Full-width digits and signs (``１８万``, ``４０％``) are read too: Chinese input methods produce them.
Every parser returns None for an empty field and raises ValueError with a short message otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

_UNITS = {"": 1, "k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000, "亿": 100_000_000}
_AMOUNT = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)(k|千|w|万|亿)?元?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)%?$")


def _normal(text: str) -> str:
    """NFKC (full-width to ASCII), lower case, without spaces and thousands separators."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s,_]", "", text)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def parse_amount(text: str) -> int | float | None:
    """``180000``, ``180,000``, ``18万``, ``1.5w``, ``¥20k``, ``0.2亿`` -> a number ≥ 0."""
    s = _normal(text).lstrip("¥$")
    if not s:
        return None
    if s.startswith("-"):
        raise ValueError("amount must not be negative")
    m = _AMOUNT.match(s)
    if not m:
        raise ValueError(f"not an amount: {text.strip()!r} (e.g. 180000, 18万, 1.5w)")
    return _number(Decimal(m.group(1)) * _UNITS[m.group(2) or ""])


def parse_percent(text: str) -> int | float | None:
    """``40``, ``40%``, ``12.5`` -> a percentage 0-100."""
    s = _normal(text)
    if not s:
        return None
    m = _PERCENT.match(s)
    if not m:
        raise ValueError(f"not a percentage: {text.strip()!r} (a number 0-100)")
    value = Decimal(m.group(1))
    if value > 100:
        raise ValueError("probability must be between 0 and 100")
    return _number(value)


def parse_tags(text: str) -> list[str]:
    """``ERP, 制造业、续费`` -> ``["ERP", "制造业", "续费"]``: commas (either width) or 、 separate."""
    return [t.strip() for t in re.split(r"[,，、;；]", text) if t.strip()]


_OFFSET = re.compile(r"^([+-])(\d+)([dwmq])$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "q": 91}
_WORDS = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}


def parse_when(text: str, base: date) -> date:
    """``2026-12-01``, ``today``/``今天``, ``tomorrow``/``明天``, ``yesterday``/``昨天``, or an
    offset from ``base`` such as ``+1d``, ``+2w``, ``+1q`` or ``-3d`` (full-width digits too)."""
    s = _normal(text)
    if s in _WORDS:
        return base + timedelta(days=_WORDS[s])
    m = _OFFSET.match(s)
    if m:
        days = int(m.group(2)) * _UNIT_DAYS[m.group(3)]
        return base + timedelta(days=days if m.group(1) == "+" else -days)
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise ValueError(
            f"not a date: {text.strip()!r} (use YYYY-MM-DD, today, yesterday, +3d, -3d, +1w or +1q)"
        ) from None
