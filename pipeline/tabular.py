"""Customers as a table (CSV or XLSX) and back.

Export: one row per customer, the known fields first, then every other key flattened with
dots (``company.industry``, ``contact.phone``); ``tags`` as a comma list; ``history``, ``log``,
``objections`` and other lists (and tags that hold a comma, or none) as JSON. XLSX keeps
types (numbers, dates); CSV is text, so on import a CSV value takes the type of the value
already on disk, and known fields are parsed by their kind (a number typed into a new
unknown key stays text). The XLSX also gets one sheet per analysis. A CSV cell that a
spreadsheet would run as a formula gets a leading apostrophe, and so does one that starts
with an apostrophe; import takes off exactly that one, so export then import changes nothing.

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
import os
import re
from collections.abc import Callable, Iterable, Sequence
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
from .tablefile import TableFileError, present, read_raw

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
_QUOTE = "'"  # Excel's "this cell is text" mark
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
            and all(isinstance(t, str) and t.strip() == t and t and not _TAG_SPLIT.search(t) for t in value)
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


# -- import: reading ---------------------------------------------------------------------


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[list[Any]]  # each as long as the header
    notes: list[str]  # what the reading cut or left out, one line each
    typed: bool  # XLSX: cells hold numbers, dates and text as typed; CSV: all text


def read_table(path: Path) -> Table:
    """Header and rows of the first sheet (XLSX, typed cells) or of a CSV (text cells,
    `csv_unescape`d), within `tablefile`'s bounds."""
    try:
        raw = read_raw(path)
    except TableFileError as exc:
        raise TableError(str(exc)) from None
    rows = raw.rows
    if path.suffix.lower() == ".csv":
        rows = [[csv_unescape(v) for v in r] for r in rows]
    if not rows:
        raise TableError(f"{printable(path.name)}: the file is empty")
    header = ["" if v is None else str(v).strip() for v in rows[0]]
    width = len(header)
    body = [r[:width] + [None] * (width - len(r)) for r in rows[1:]]
    cut = sum(present(v) for r in rows[1:] for v in r[width:])
    notes = [*raw.notes, *([f"{cut} cells right of the last header column left out"] if cut else [])]
    return Table(header, body, notes, typed=path.suffix.lower() != ".csv")


# -- import: mapping columns to keys -----------------------------------------------------


def column_paths(header: Sequence[str], overrides: dict[str, str]) -> list[tuple[str, ...] | None]:
    """The key path each column fills (None: ignored). ``overrides`` maps a header to a dotted
    key, or to "" / "-" to ignore the column."""
    unknown = set(overrides) - set(header)
    if unknown:
        missing = ", ".join(printable(c) for c in sorted(unknown))
        raise TableError(f"--map names columns the file does not have: {missing}")
    out: list[tuple[str, ...] | None] = []
    for name in header:
        target = overrides.get(name, DEFAULT_HEADERS.get(name, name))
        if not target or target == "-" or (name in IGNORED_COLUMNS and name not in overrides):
            out.append(None)
            continue
        parts = tuple(p.strip() for p in target.split("."))
        if not all(parts):
            raise TableError(
                f"column {printable(name)!r}: {printable(target)!r} is not a key (write e.g. contact.phone)"
            )
        out.append(parts)
    named = [p for p in out if p is not None]
    if ("name",) not in named:
        raise TableError("no column gives the customer's name (use --map COLUMN=name)")
    if len(set(named)) != len(named):
        dup = next(p for p in named if named.count(p) > 1)
        raise TableError(f"two columns fill {printable('.'.join(dup))} (use --map COLUMN=- to ignore one)")
    return out


# -- import: planning --------------------------------------------------------------------


@dataclass(slots=True)
class FieldChange:
    path: tuple[str, ...]
    old: Any
    new: Any

    def describe(self) -> str:
        key = printable(".".join(self.path))
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
    *,
    typed: bool = True,
    step: Callable[[RowPlan], None] | None = None,
) -> list[RowPlan]:
    """What importing ``rows`` would do to ``board``; nothing is written.

    Rows match customers by name (spaces around it aside). Two customers may share a name:
    then the ``id`` column that `export` writes tells them apart (and two rows with one
    name are two customers). ``typed``: the cells come typed (XLSX), so text stays text.
    ``step`` is called after each row (a progress bar).
    """
    planner = _Planner(board, paths, today, typed)
    if "id" in header and paths[header.index("id")] is None:
        planner.id_col = header.index("id")
    plans = []
    for i, values in enumerate(rows, start=2):
        plans.append(planner.row(i, values))
        if step is not None:
            step(plans[-1])
    return plans


class _Planner:
    """One row's plan at a time, against customers indexed by name once."""

    def __init__(
        self, board: Board, paths: Sequence[tuple[str, ...] | None], today: date, typed: bool
    ) -> None:
        self.config, self.paths, self.today, self.typed = board.config, paths, today, typed
        self.id_col: int | None = None
        self.by_name: dict[str, list[Customer]] = {}
        for c in board.customers.values():
            self.by_name.setdefault(c.name.strip(), []).append(c)
        self.seen: dict[tuple[str, str], int] = {}  # (name, id) -> the row that had it first

    def row(self, i: int, values: Sequence[Any]) -> RowPlan:
        cells = {p: v for p, v in zip(self.paths, values, strict=False) if p is not None and present(v)}
        name = _text(cells.pop(("name",), ""))
        key = name.strip()
        id_col = self.id_col
        cid = _text(values[id_col]).strip() if id_col is not None and present(values[id_col]) else ""
        if not key:
            return RowPlan(i, "", "skip", notes=["no name"])
        if (key, cid) in self.seen:
            return RowPlan(i, name, "skip", notes=[f"the same customer as row {self.seen[key, cid]}"])
        self.seen[key, cid] = i
        matches = self.by_name.get(key, [])
        if len(matches) > 1:
            matches = [c for c in matches if c.id == cid] or matches
        if len(matches) > 1:
            ids = ", ".join(sorted(c.id for c in matches))
            return RowPlan(i, name, "skip", notes=[f"several customers have this name: {ids}"])
        if matches:
            return _plan_update(self.config, i, matches[0], cells, self.today, self.typed)
        return _plan_create(self.config, i, name, cells, self.today, self.typed)


def _plan_create(
    config: Config, row: int, name: str, cells: dict[tuple[str, ...], Any], today: date, typed: bool
) -> RowPlan:
    plan = RowPlan(row, name, "create")
    data: dict[str, Any] = {"name": name}
    for path, raw in cells.items():
        value = _convert(path, raw, None, plan.notes, typed)
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
    config: Config, row: int, c: Customer, cells: dict[tuple[str, ...], Any], today: date, typed: bool
) -> RowPlan:
    plan = RowPlan(row, c.name, "update", customer=c)
    if c.has_errors:
        return RowPlan(row, c.name, "skip", customer=c, notes=[f"{c.path.name} has errors; fix it first"])
    edits: list[Change] = []
    new_stage = None
    for path, raw in cells.items():
        if path[0] in APPENDED:
            if _convert(path, raw, c.data.get(path[0]), [], typed) != c.data.get(path[0]):
                plan.notes.append(f"{path[0]}: kept as on disk (an import never rewrites {path[0]})")
            continue
        old = _get(c.data, path)
        if isinstance(old, dict):
            plan.notes.append(f"{'.'.join(path)}: is a table on disk; not replaced by a cell")
            continue
        if _blocked(c.data, path, plan.notes):
            continue
        value = _convert(path, raw, old, plan.notes, typed)
        if value is None or value == old or _xlsx_rounded(old) == value:
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


def _xlsx_rounded(value: Any) -> Any:
    """A number as an XLSX holds it (16 significant digits; Excel shows 15): a cell equal to
    this is the value on disk, not a change."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(f"{value:.16g}")
    return None


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


def _convert(path: tuple[str, ...], raw: Any, old: Any, notes: list[str], typed: bool) -> Any:
    """A cell's value for ``path``: by the field's kind, else the type on disk; None (with a
    note) when it cannot be read as that. Text is kept as written, spaces included."""
    key = ".".join(path)
    try:
        if path in NUMBER_FIELDS:
            return _number(raw)
        if path in DATE_FIELDS or isinstance(old, date):
            return _date(raw)
        if path in TEXT_FIELDS:
            return _text(raw)
        if path == ("tags",):
            text = _text(raw).strip()
            return _json(text) if text.startswith("[") else [t for t in _TAG_SPLIT.split(text) if t]
        if path[0] in APPENDED:
            return _from_json(raw, old)
        if isinstance(raw, str) and old is not None:
            return _like(raw, old)
        if isinstance(raw, str) and typed:
            return raw
        return _plain(raw)
    except ValueError as exc:
        notes.append(f"{key}: {exc}; left out")
        return None


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw)


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        value = raw
    else:
        text = re.sub(r"[,\s¥￥元%]", "", str(raw))
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)  # exactly, however many digits
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
    m = _DATE.match(_text(raw).strip())
    if not m:
        raise ValueError(f"{printable(_text(raw).strip())!r} is not a date (YYYY-MM-DD)")
    year, month = int(m.group(1)), int(m.group(2))
    try:
        if m.group(3):
            return date(year, month, int(m.group(3)))
        nxt = date(year + month // 12, month % 12 + 1, 1)  # a month alone: its last day
        return nxt - timedelta(days=1)
    except ValueError:
        raise ValueError(f"{printable(_text(raw).strip())!r} is not a date") from None


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


# -- import: writing ---------------------------------------------------------------------


def apply_import(
    board: Board, plans: list[RowPlan], step: Callable[[RowPlan], None] | None = None
) -> list[RowPlan]:
    """Write the planned creates and updates; a write that fails turns its row into a skip.
    ``step`` is called after each row (a progress bar)."""
    folder = board.root / "customers"
    taken = {n[:-5] for n in (os.listdir(folder) if folder.is_dir() else ()) if n.endswith(".toml")}
    for plan in plans:
        try:
            if plan.action == "create" and plan.data is not None:
                written = create_customer(board.root, board.config, plan.data, taken=taken)
                plan.customer = written.customer
            elif plan.action == "update" and plan.customer is not None and plan.edits:
                plan.customer = edit_customer(plan.customer, board.config, plan.edits).customer
        except WriteError as exc:
            plan.action = "skip"
            plan.notes.append(f"not written: {exc}")
        if step is not None:
            step(plan)
    return plans
