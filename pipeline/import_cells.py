"""An imported spreadsheet cell as the value to write for a key.

A known field (`pipeline.model.FIELDS`) is read by its kind, with the parsers the form and
the CLI use (`pipeline.parse_input`: ``18万``, ``1.5w``, ``2026年12月``); any other key takes
the type of the value already on disk (a CSV is all text), else the cell's own type. A cell
that cannot be read as that is a `ValueError` naming the key: the import leaves it out with a
warning at the cell, never writes it.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from typing import Any

from .model import APPENDED, FIELD
from .parse_input import parse_date, parse_number, parse_tags
from .problems import printable

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_KINDS = ("amount", "percent")  # as a number: a sign or > 100 is the schema check's to report


def convert(path: tuple[str, ...], raw: Any, old: Any, typed: bool) -> Any:
    """A cell's value for ``path``: by the field's kind, else the type on disk. Text is kept
    as written, spaces included. Raises ValueError ("amount: 'lots' is not a number") when
    the cell cannot be read as that."""
    field = FIELD.get(".".join(path))
    kind = field.kind if field is not None else None
    try:
        if kind in _NUMBER_KINDS:
            return _number(raw)
        if kind == "date" or isinstance(old, date):
            return _date(raw)
        if kind == "tags":
            text = text_of(raw).strip()
            return _json(text) if text.startswith("[") else parse_tags(text)
        if kind is not None:  # text, and text chosen from a list: a number typed (a phone) stays text
            return text_of(raw)
        if path[0] in APPENDED:
            return _from_json(raw, old)
        if isinstance(raw, str) and old is not None:
            return _like(raw, old)
        if isinstance(raw, str) and typed:
            return raw
        return _plain(raw)
    except ValueError as exc:
        raise ValueError(f"{'.'.join(path)}: {exc}") from None


def text_of(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw)


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, int):
        return raw
    try:
        value = raw if isinstance(raw, float) else parse_number(str(raw))
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        raise ValueError(f"{printable(str(raw))!r} is not a number")
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = text_of(raw).strip()
    try:
        return parse_date(text)
    except ValueError:
        raise ValueError(f"{printable(text)!r} is not a date (YYYY-MM-DD)") from None


def _json(raw: Any) -> Any:
    try:
        return json.loads(raw) if isinstance(raw, str) else raw
    except (json.JSONDecodeError, RecursionError):
        raise ValueError("is not the JSON list the export writes") from None


def _from_json(raw: Any, old: Any) -> Any:
    """A JSON cell with its dates back: where the value on disk has a date, or (for what is
    not on disk) in an entry's ``date`` and as a bare list item."""
    return _dates_like(_dates_in(_json(raw)), old)


def _dates_in(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _dates_in(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_in(v) for v in value]
    if isinstance(value, str) and key in (None, "date") and _ISO_DATE.match(value):
        return date.fromisoformat(value)
    return value


def _dates_like(value: Any, old: Any) -> Any:
    """``value``, with a date and its ISO text taken as the same where ``old`` has the other."""
    if isinstance(value, str | date) and isinstance(old, str | date) and str(value) == str(old):
        return old
    if isinstance(value, dict) and isinstance(old, dict):
        return {k: _dates_like(v, old.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(old, list) and len(value) == len(old):
        return [_dates_like(v, o) for v, o in zip(value, old, strict=True)]
    return value


def _like(raw: str, old: Any) -> Any:
    """Text from a CSV cell, read as the type of the value on disk."""
    if isinstance(old, bool):
        if raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise ValueError(f"{printable(raw)!r} is not true or false")
    if isinstance(old, int | float):
        return _number(raw)
    if isinstance(old, list):
        return _from_json(raw, old)
    return raw


def _plain(raw: Any) -> Any:
    """A cell for a key with no kind and nothing on disk: XLSX types as they are, text as text
    (an ISO date in text is a date, as the format asks dates to be written)."""
    if isinstance(raw, datetime):
        return raw.date() if raw.time() == datetime.min.time() else raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if text in ("true", "false"):
            return text == "true"
    return raw
