"""Today's date and date phrases; ``TUIBOARD_TODAY`` pins the date for tests and demos."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta


def today() -> date:
    pinned = os.environ.get("TUIBOARD_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


_OFFSET = re.compile(r"^\+(\d+)([dwmq])$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "q": 91}


def parse_when(text: str, base: date) -> date:
    """``2026-12-01``, ``today``, ``tomorrow`` or an offset such as ``+1d``, ``+2w``, ``+1q``."""
    text = text.strip().lower()
    if text == "today":
        return base
    if text == "tomorrow":
        return base + timedelta(days=1)
    m = _OFFSET.match(text)
    if m:
        return base + timedelta(days=int(m.group(1)) * _UNIT_DAYS[m.group(2)])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD, today, +3d, +1w or +1q)") from None
