"""Customers as a table (CSV or XLSX) and back.

Export: one row per customer, the known fields first, then every other key flattened with
dots (``company.industry``, ``contact.phone``); ``tags`` as a comma list; ``history``, ``log``,
``objections`` and other lists (and tags that hold a comma, or none) as JSON. XLSX keeps
types (numbers, dates); CSV is text, so on import a CSV value takes the type of the value
already on disk, and known fields are parsed by their kind (a number typed into a new
unknown key stays text). The XLSX also gets one sheet per analysis.

Import: rows are matched to customers by name. A new name creates a customer, an existing
one is updated key by key through `pipeline.edit` (the same verified, atomic writes as the
board); every change says what it replaces. Cells that would not make a valid file are
reported and left out, never written.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .config import Config
from .edit import Change, SetKey, WriteError, apply_plain, create_customer, edit_customer, move_changes
from .format import APPENDED, KEY_ORDER, dump_customer, parse_customer
from .model import Customer
from .problems import printable
from .rules import TransitionError
from .store import Board

FIRST_COLUMNS = ("id", *KEY_ORDER, "next.action", "next.due")
IGNORED_COLUMNS = {"id"}  # the file stem: derived from the name, never imported
NUMBER_FIELDS = {("amount",), ("probability",)}
TEXT_FIELDS = {
    *(
        (k,)
        for k in (
            "name",
            "stage",
            "tier",
            "owner",
            "source",
            "intent",
            "competitor",
            "lost_reason",
            "product",
        )
    ),
    ("next", "action"),
    *(("contact", k) for k in ("name", "title", "phone", "email")),
}  # a number typed into one of these (a phone number) is still text
DATE_FIELDS = {("expected_close",), ("created",), ("next", "due")}
# The seed's "销售漏斗管理表" form headers, and a few more Chinese names for the same fields.
DEFAULT_HEADERS: dict[str, str] = {
    "公司": "name",
    "公司名称": "name",
    "客户名称": "name",
    "电话": "contact.phone",
    "联系电话": "contact.phone",
    "联系人": "contact.name",
    "拟购主要产品": "product",
    "拟购产品金额": "amount",
    "预计金额": "amount",
    "预计购买时间": "expected_close",
    "成功率(%)": "probability",
    "成功率（%）": "probability",
    "成功率": "probability",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?$")
_TAG_SPLIT = re.compile(r"\s*[,，、;；]\s*")


class TableError(ValueError):
    """The file cannot be imported at all (unreadable, no header, bad --map)."""


# -- export ------------------------------------------------------------------------------


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
            and not any(_TAG_SPLIT.search(str(t)) for t in value)
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
    """UTF-8 with a BOM (so Excel reads it as UTF-8); cells that a spreadsheet would run as a
    formula get a leading apostrophe, which `read_table` takes off again."""
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
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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


# -- import: reading ---------------------------------------------------------------------


def read_table(path: Path) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the first sheet (XLSX, typed cells) or of a CSV (text cells)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows = _read_xlsx(path)
        elif suffix == ".csv":
            rows = _read_csv(path)
        else:
            raise TableError(f"{path.name}: import reads .csv or .xlsx files")
    except FileNotFoundError:
        raise TableError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError) as exc:
        if isinstance(exc, TableError):
            raise
        raise TableError(f"{path.name}: cannot read it: {exc}") from None
    rows = [r for r in rows if any(_present(v) for v in r)]
    if not rows:
        raise TableError(f"{path.name}: the file is empty")
    header = ["" if v is None else str(v).strip() for v in rows[0]]
    return header, [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        out = []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                value = cell.value
                fmt = getattr(cell, "number_format", "") or ""
                if isinstance(value, int | float) and not isinstance(value, bool) and "%" in fmt:
                    value = f"{value * 100:g}%"  # a cell formatted as a percentage holds a fraction
                values.append(value)
            out.append(values)
        return out
    finally:
        book.close()


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel in China saves CSV as GB18030 (GBK)
        text = raw.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [[_uncsv(v) for v in row] for row in rows]


def _uncsv(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# -- import: mapping columns to keys -----------------------------------------------------


def column_paths(header: Sequence[str], overrides: dict[str, str]) -> list[tuple[str, ...] | None]:
    """The key path each column fills (None: ignored). ``overrides`` maps a header to a dotted
    key, or to "" / "-" to ignore the column."""
    unknown = set(overrides) - set(header)
    if unknown:
        raise TableError(f"--map names columns the file does not have: {', '.join(sorted(unknown))}")
    out: list[tuple[str, ...] | None] = []
    for name in header:
        target = overrides.get(name, DEFAULT_HEADERS.get(name, name))
        if not target or target == "-" or (name in IGNORED_COLUMNS and name not in overrides):
            out.append(None)
            continue
        parts = tuple(p.strip() for p in target.split("."))
        if not all(parts):
            raise TableError(f"column {name!r}: {target!r} is not a key (write e.g. contact.phone)")
        out.append(parts)
    named = [p for p in out if p is not None]
    if ("name",) not in named:
        raise TableError("no column gives the customer's name (use --map COLUMN=name)")
    if len(set(named)) != len(named):
        dup = next(p for p in named if named.count(p) > 1)
        raise TableError(f"two columns fill {'.'.join(dup)} (use --map COLUMN=- to ignore one)")
    return out


# -- import: planning --------------------------------------------------------------------


@dataclass(slots=True)
class FieldChange:
    path: tuple[str, ...]
    old: Any
    new: Any

    def describe(self) -> str:
        key = ".".join(self.path)
        if self.old is None:
            return f"{key} = {_show(self.new)}"
        return f"{key} {_show(self.old)} → {_show(self.new)} (replaces the value on disk)"


@dataclass(slots=True)
class RowPlan:
    row: int  # the row's line in the file (the header is row 1)
    name: str
    action: str  # "create", "update", "unchanged" or "skip"
    customer: Customer | None = None  # the customer updated, or the one created once written
    data: dict[str, Any] | None = None  # a new customer's data
    changes: list[FieldChange] = field(default_factory=list)
    edits: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # cells left out, and why


def _show(value: Any) -> str:
    text = (
        value.isoformat() if isinstance(value, date) else json.dumps(value, ensure_ascii=False, default=str)
    )
    return printable(text.strip('"') if isinstance(value, str) else text)


def plan_import(
    board: Board,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    paths: Sequence[tuple[str, ...] | None],
    today: date,
) -> list[RowPlan]:
    """What importing ``rows`` would do to ``board``; nothing is written.

    Rows match customers by name. Two customers may share a name: then the ``id`` column
    that `export` writes tells them apart (and two rows with one name are two customers).
    """
    by_name: dict[str, list[Customer]] = {}
    for c in board.customers.values():
        by_name.setdefault(c.name.strip(), []).append(c)
    id_col = header.index("id") if "id" in header and paths[header.index("id")] is None else None
    seen: dict[tuple[str, str], int] = {}
    plans = []
    for i, values in enumerate(rows, start=2):
        cells = {p: v for p, v in zip(paths, values, strict=False) if p is not None and _present(v)}
        name = _text(cells.pop(("name",), ""))
        cid = _text(values[id_col]) if id_col is not None and _present(values[id_col]) else ""
        if not name:
            plans.append(RowPlan(i, "", "skip", notes=["no name"]))
            continue
        if (name, cid) in seen:
            plans.append(RowPlan(i, name, "skip", notes=[f"the same customer as row {seen[name, cid]}"]))
            continue
        seen[name, cid] = i
        matches = by_name.get(name, [])
        if len(matches) > 1:
            matches = [c for c in matches if c.id == cid] or matches
        if len(matches) > 1:
            ids = ", ".join(sorted(c.id for c in matches))
            plans.append(RowPlan(i, name, "skip", notes=[f"several customers have this name: {ids}"]))
        elif matches:
            plans.append(_plan_update(board.config, i, matches[0], cells, today))
        else:
            plans.append(_plan_create(board.config, i, name, cells, today))
    return plans


def _plan_create(
    config: Config, row: int, name: str, cells: dict[tuple[str, ...], Any], today: date
) -> RowPlan:
    plan = RowPlan(row, name, "create")
    data: dict[str, Any] = {"name": name}
    for path, raw in cells.items():
        value = _convert(path, raw, None, plan.notes)
        if value is not None and _blocked(data, path, plan.notes):
            continue
        if value is not None:
            _put(data, path, value)
    data.setdefault("stage", config.stages[0].id if config.stages else "")
    data.setdefault("created", today)
    data.setdefault("history", [{"date": today, "stage": data["stage"]}])
    problem = _first_error(data, config, Path(f"row {row}"))
    if problem:
        return RowPlan(row, name, "skip", notes=[*plan.notes, problem])
    plan.data = data
    return plan


def _plan_update(
    config: Config, row: int, c: Customer, cells: dict[tuple[str, ...], Any], today: date
) -> RowPlan:
    plan = RowPlan(row, c.name, "update", customer=c)
    if c.has_errors:
        return RowPlan(row, c.name, "skip", customer=c, notes=[f"{c.path.name} has errors; fix it first"])
    edits: list[Change] = []
    new_stage = None
    for path, raw in cells.items():
        if path[0] in APPENDED:
            if _convert(path, raw, None, []) != c.data.get(path[0]):
                plan.notes.append(f"{path[0]}: kept as on disk (an import never rewrites {path[0]})")
            continue
        old = _get(c.data, path)
        if isinstance(old, dict):
            plan.notes.append(f"{'.'.join(path)}: is a table on disk; not replaced by a cell")
            continue
        if _blocked(c.data, path, plan.notes):
            continue
        value = _convert(path, raw, old, plan.notes)
        if value is None or value == old:
            continue
        plan.changes.append(FieldChange(path, old, value))
        if path == ("stage",):
            new_stage = value
        else:
            edits.append(SetKey(path, value))
    if new_stage is not None:
        reason = next((e.value for e in edits if isinstance(e, SetKey) and e.path == ("lost_reason",)), None)
        try:
            edits = [e for e in edits if not (isinstance(e, SetKey) and e.path == ("lost_reason",))]
            edits = move_changes(c, config, new_stage, today, reason or c.lost_reason) + edits
        except TransitionError as exc:
            plan.notes.append(f"stage: {exc}")
            plan.changes = [ch for ch in plan.changes if ch.path not in {("stage",), ("lost_reason",)}]
            edits = [e for e in edits if not (isinstance(e, SetKey) and e.path == ("lost_reason",))]
    if not edits:
        plan.action, plan.changes = "unchanged", []
        return plan
    problem = _first_error(apply_plain(c.data, edits), config, c.path)
    if problem:
        return RowPlan(row, c.name, "skip", customer=c, notes=[*plan.notes, problem])
    plan.edits = edits
    return plan


def _first_error(data: dict[str, Any], config: Config, path: Path) -> str | None:
    """The file's schema check on the data as it would be written (format.parse_customer)."""
    try:
        text = dump_customer(data)
    except (TypeError, ValueError) as exc:
        return f"cannot be written as TOML: {exc}"
    _, problems = parse_customer(text.encode("utf-8"), path, config)
    error = next((p for p in problems if p.is_error), None)
    return None if error is None else error.message


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _blocked(data: dict[str, Any], path: tuple[str, ...], notes: list[str]) -> bool:
    """Does a value that is not a table sit where ``path`` needs one (``contact`` = "x")?"""
    for i in range(1, len(path)):
        above = _get(data, path[:i])
        if above is not None and not isinstance(above, dict):
            notes.append(f"{'.'.join(path)}: {'.'.join(path[:i])} is not a table; left out")
            return True
    return False


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


# -- import: cell values -----------------------------------------------------------------


def _convert(path: tuple[str, ...], raw: Any, old: Any, notes: list[str]) -> Any:
    """A cell's value for ``path``: by the field's kind, else the type on disk; None (with a
    note) when it cannot be read as that."""
    key = ".".join(path)
    try:
        if path in NUMBER_FIELDS:
            return _number(raw)
        if path in DATE_FIELDS or isinstance(old, date):
            return _date(raw)
        if path in TEXT_FIELDS:
            return _text(raw)
        if path == ("tags",):
            text = _text(raw)
            return _from_json(text) if text.startswith("[") else [t for t in _TAG_SPLIT.split(text) if t]
        if path[0] in APPENDED:
            return _from_json(raw)
        if isinstance(raw, str) and old is not None:
            return _like(raw, old)
        return _plain(raw)
    except ValueError as exc:
        notes.append(f"{key}: {exc}; left out")
        return None


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = re.sub(r"[,\s¥￥元%]", "", str(raw))
        scale = 10_000 if text.endswith("万") else 1
        try:
            value = float(text.removesuffix("万")) * scale
        except ValueError:
            raise ValueError(f"{printable(str(raw))!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{printable(str(raw))!r} is not a number")
    return int(value) if value.is_integer() else value


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    m = _DATE.match(_text(raw))
    if not m:
        raise ValueError(f"{printable(_text(raw))!r} is not a date (YYYY-MM-DD)")
    year, month = int(m.group(1)), int(m.group(2))
    try:
        if m.group(3):
            return date(year, month, int(m.group(3)))
        nxt = date(year + month // 12, month % 12 + 1, 1)  # a month alone: its last day
        return nxt - timedelta(days=1)
    except ValueError:
        raise ValueError(f"{printable(_text(raw))!r} is not a date") from None


def _from_json(raw: Any) -> Any:
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise ValueError("is not the JSON list the export writes") from None
    return _dates_in(value)


def _dates_in(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_in(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_in(v) for v in value]
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value)
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
        return _from_json(raw)
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
        return text
    return raw


# -- import: writing ---------------------------------------------------------------------


def apply_import(board: Board, plans: list[RowPlan]) -> list[RowPlan]:
    """Write the planned creates and updates; a write that fails turns its row into a skip."""
    for plan in plans:
        try:
            if plan.action == "create" and plan.data is not None:
                plan.customer = create_customer(board.root, board.config, plan.data).customer
            elif plan.action == "update" and plan.customer is not None and plan.edits:
                plan.customer = edit_customer(plan.customer, board.config, plan.edits).customer
        except WriteError as exc:
            plan.action = "skip"
            plan.notes.append(f"not written: {exc}")
    return plans
