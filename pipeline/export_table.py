"""Customers as a table (CSV or XLSX): the export.

One row per customer, the known fields first (`pipeline.model.FIELDS`), then every other
key flattened with dots (``company.industry``, ``contact.wechat``); ``tags`` as a comma
list; ``history``, ``log``, ``objections`` and other lists (and tags that hold a comma, or
none) as JSON. XLSX keeps types (numbers, dates); the XLSX also gets one sheet per
analysis. A CSV cell that a spreadsheet would run as a formula gets a leading apostrophe,
and so does one that starts with an apostrophe; `csv_unescape` (used by the import) takes
off exactly that one, so export then import changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from .model import APPENDED, FIELDS, Customer
from .parse_input import TAG_SEPARATOR
from .problems import printable

FIRST_COLUMNS = ("id", *(f.key for f in FIELDS if f.ordered))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"  # Excel's "this cell is text" mark


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A customer's data as one level of dotted keys; lists of tables (and other lists) as JSON."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif (
            name == "tags"
            and isinstance(value, list)
            and value
            and all(
                isinstance(t, str) and t.strip() == t and t and not TAG_SEPARATOR.search(t) for t in value
            )
            and not value[0].startswith("[")
        ):
            out[name] = ", ".join(map(str, value))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False, default=_json_default)
        else:
            out[name] = value
    return out


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def customer_table(customers: Iterable[Customer]) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names (known fields first, then the rest in first-seen order) and one dict per row."""
    rows = [{"id": c.id, **flatten(c.data)} for c in sorted(customers, key=lambda c: c.id)]
    seen = dict.fromkeys(k for row in rows for k in row)
    appended = [k for k in seen if k in APPENDED]
    columns = [k for k in FIRST_COLUMNS if k in seen or k in ("id", "name", "stage")]  # a template when empty
    columns += [k for k in seen if k not in columns and k not in appended] + appended
    return columns, rows


def write_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8); cells are `csv_escape`d."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_escape(value.isoformat() if isinstance(value, date | datetime) else str(value))


def _needs_quote(text: str) -> bool:
    """Would a spreadsheet run this as a formula (also after trimming spaces), or is its
    first character the apostrophe that marks the escape?"""
    return text.startswith((_QUOTE, *_FORMULA_START)) or (
        text[:1].isspace() and text.lstrip().startswith(_FORMULA_START)
    )


def csv_escape(text: str) -> str:
    """A leading apostrophe on a cell that `_needs_quote`; `csv_unescape` is its exact inverse."""
    return _QUOTE + text if _needs_quote(text) else text


def csv_unescape(text: str) -> str:
    """Takes off the apostrophe `csv_escape` adds, and only that one: ``'abc`` stays as it is,
    and ``'=1`` typed in a spreadsheet (the usual way to write text that looks like a formula)
    reads ``=1``."""
    return text[1:] if text.startswith(_QUOTE) and _needs_quote(text[1:]) else text


def write_xlsx(columns: list[str], rows: list[dict[str, Any]], sheets: dict[str, Any]) -> bytes:
    """The customers sheet, then one sheet per analysis (lists of records; nested lists get their own)."""
    from openpyxl import Workbook

    book = Workbook()
    customers = book.active
    customers.title = "customers"
    _fill_sheet(customers, columns, [[row.get(c) for c in columns] for row in rows])
    for name, records in sheets.items():
        for title, cols, values in _record_sheets(name, records):
            _fill_sheet(book.create_sheet(title[:31]), cols, values)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _fill_sheet(sheet: Any, columns: list[str], rows: list[list[Any]]) -> None:
    sheet.append(columns)
    for values in rows:
        sheet.append([_xlsx_value(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text from a file is never a formula
                cell.data_type = "s"
            elif isinstance(cell.value, datetime | date) and cell.number_format == "General":
                cell.number_format = "yyyy-mm-dd"


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # XLSX cannot hold control characters: they are written as visible escapes
        return printable(value) if ILLEGAL_CHARACTERS_RE.search(value) else value
    if isinstance(value, datetime) and value.tzinfo is not None:  # XLSX has no time zones
        return value.isoformat()
    return value


def _record_sheets(
    name: str, records: list[dict[str, Any]] | dict[str, Any]
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """A list of records as a sheet; a record's list-of-records field as a child sheet."""
    records = [records] if isinstance(records, dict) else records
    flat: list[dict[str, Any]] = []
    children: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        scalars = {k: v for k, v in rec.items() if not _is_records(v)}
        flat.append(flatten(scalars))
        parents = {k: v for k, v in scalars.items() if isinstance(v, str)}  # ids and labels
        for key, value in rec.items():
            if _is_records(value):
                children.setdefault(key, []).extend({**parents, **flatten(v)} for v in value)
    return [_sheet(name, flat), *(_sheet(f"{name}_{key}", rows) for key, rows in children.items())]


def _sheet(title: str, rows: list[dict[str, Any]]) -> tuple[str, list[str], list[list[Any]]]:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return title, columns, [[row.get(c) for c in columns] for row in rows]


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
