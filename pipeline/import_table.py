"""Customers from a table (CSV or XLSX): reading, mapping columns to keys, planning, writing.

Rows are matched to customers by name. A new name creates a customer, an existing one is
updated key by key through `pipeline.edit` (the same verified, atomic writes as the
board); every change says what it replaces. Cells are read by `pipeline.import_cells`;
cells that would not make a valid file are left out, never written, each with a warning
`Problem` at its row and column of the file (``leads.xlsx:12:3``), like any other finding.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .canonical import dump_customer
from .config import Config
from .duplicates import same_names
from .edit import Change, SetKey, WriteError, apply_plain, create_customer, edit_customer, move_changes
from .errors import TuiboardError
from .export_table import csv_unescape
from .format import parse_customer
from .import_cells import convert, text_of
from .layout import CUSTOMERS_DIR
from .model import APPENDED, FIELD, FIELDS, Customer
from .problems import Problem, Severity, printable
from .rules import TransitionError
from .store import Board
from .tablefile import TableFileError, present, read_raw

IGNORED_COLUMNS = {"id"}  # the file stem: derived from the name, never imported
# The board's own names for its fields (`model.FIELDS`: 阶段, 金额, "金额 Amount", Amount),
# then the seed's "销售漏斗管理表" form headers and a few more Chinese names for the same fields.
DEFAULT_HEADERS: dict[str, str] = {
    **{header: f.key for f in FIELDS for header in (f.zh, f.en, f.label)},
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


class TableError(TuiboardError, ValueError):
    """The file cannot be imported at all (unreadable, no header, bad --map)."""


@dataclass(slots=True)
class Table:
    path: Path
    header: list[str]
    rows: list[list[Any]]  # each as long as the header
    numbers: list[int]  # each row's number in the file (empty rows are skipped, so not i + 2)
    problems: list[Problem]  # what the reading cut or left out, located
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
    problems = raw.problems
    right = [(n, sum(present(v) for v in r[width:])) for n, r in zip(raw.numbers[1:], rows[1:], strict=True)]
    if cut := sum(count for _, count in right):
        first = next(n for n, count in right if count)
        message = f"{cut} cells right of the last header column left out"
        problems.append(Problem(path, first, width + 1, Severity.WARNING, message))
    return Table(path, header, body, raw.numbers[1:], problems, typed=path.suffix.lower() != ".csv")


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
    source: Path  # the file the row is in
    row: int  # the row's number in the file (the header is row 1)
    name: str
    action: str  # "create", "update", "unchanged" or "skip"
    customer: Customer | None = None  # the customer updated, or the one created once written
    data: dict[str, Any] | None = None  # a new customer's data
    changes: list[FieldChange] = field(default_factory=list)
    edits: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # cells left out, why a row is skipped

    def warn(self, message: str, column: int = 0) -> None:
        """A warning at this row, and at the cell's column when one is to blame."""
        self.problems.append(Problem(self.source, self.row, column, Severity.WARNING, message))

    def skip(self, message: str, column: int = 0) -> RowPlan:
        self.action, self.data, self.changes, self.edits = "skip", None, [], []
        self.warn(message, column)
        return self


def _show(value: Any) -> str:
    text = (
        value.isoformat() if isinstance(value, date) else json.dumps(value, ensure_ascii=False, default=str)
    )
    return printable(text.strip('"') if isinstance(value, str) else text)


def plan_import(
    board: Board,
    table: Table,
    paths: Sequence[tuple[str, ...] | None],
    today: date,
    *,
    step: Callable[[RowPlan], None] | None = None,
) -> list[RowPlan]:
    """What importing ``table``'s rows would do to ``board``; nothing is written.

    Rows match customers by name (spaces around it aside). Two customers may share a name:
    then the ``id`` column that `export` writes tells them apart (and two rows with one
    name are two customers). Typed cells (XLSX) keep text as text. A new name that an
    existing customer has once normalised (`duplicates.same_names`) is created, with a warning.
    ``step`` is called after each row (a progress bar).
    """
    planner = _Planner(board, table, paths, today)
    plans = []
    for number, values in zip(table.numbers, table.rows, strict=True):
        plans.append(planner.row(number, values))
        if step is not None:
            step(plans[-1])
    created = [p for p in plans if p.action == "create"]
    alike = same_names((p.name for p in created), board.customers.values())
    for p in created:
        if p.name in alike:  # likely a customer the board has under another spelling
            p.warn(f"looks like {alike[p.name].name} ({alike[p.name].id})", planner.columns[("name",)])
    return plans


class _Planner:
    """One row's plan at a time, against customers indexed by name once."""

    def __init__(
        self, board: Board, table: Table, paths: Sequence[tuple[str, ...] | None], today: date
    ) -> None:
        self.config, self.source, self.paths, self.today = board.config, table.path, paths, today
        self.typed = table.typed
        self.columns = {p: i for i, p in enumerate(paths, start=1) if p is not None}  # 1-based
        header = table.header
        self.id_col = header.index("id") if "id" in header and paths[header.index("id")] is None else None
        self.by_name: dict[str, list[Customer]] = {}
        for c in board.customers.values():
            self.by_name.setdefault(c.name.strip(), []).append(c)
        self.seen: dict[tuple[str, str], int] = {}  # (name, id) -> the row that had it first

    def row(self, number: int, values: Sequence[Any]) -> RowPlan:
        cells = {p: v for p, v in zip(self.paths, values, strict=False) if p is not None and present(v)}
        name = text_of(cells.pop(("name",), ""))
        key = name.strip()
        id_col = self.id_col
        cid = text_of(values[id_col]).strip() if id_col is not None and present(values[id_col]) else ""
        plan = RowPlan(self.source, number, name if key else "", "create")
        at_name = self.columns[("name",)]
        if not key:
            return plan.skip("no name", at_name)
        if (key, cid) in self.seen:
            return plan.skip(f"the same customer as row {self.seen[key, cid]}", at_name)
        self.seen[key, cid] = number
        matches = self.by_name.get(key, [])
        if len(matches) > 1:
            matches = [c for c in matches if c.id == cid] or matches
        if len(matches) > 1:
            ids = ", ".join(sorted(c.id for c in matches))
            return plan.skip(f"several customers have this name: {ids}", at_name)
        if matches:
            return self._update(plan, matches[0], cells)
        return self._create(plan, cells)

    def _create(self, plan: RowPlan, cells: dict[tuple[str, ...], Any]) -> RowPlan:
        config, today = self.config, self.today
        data: dict[str, Any] = {"name": plan.name}
        for path, raw in cells.items():
            value = self._cell(plan, path, raw, None)
            if value is not None and not self._blocked(plan, data, path):
                _put(data, path, value)
        data.setdefault("stage", config.stages[0].id if config.stages else "")
        data.setdefault("created", today)
        data.setdefault("history", [{"date": today, "stage": data["stage"]}])
        problem = _first_error(data, config, Path(f"row {plan.row}"))
        if problem:
            return plan.skip(problem)
        plan.data = data
        return plan

    def _update(self, plan: RowPlan, c: Customer, cells: dict[tuple[str, ...], Any]) -> RowPlan:
        plan.name, plan.action, plan.customer = c.name, "update", c
        if c.has_errors:
            return plan.skip(f"{printable(c.path.name)} has errors; fix it first")
        edits: list[Change] = []
        new_stage = None
        for path, raw in cells.items():
            column = self.columns[path]
            if path[0] in APPENDED:
                try:
                    same = convert(path, raw, c.data.get(path[0]), self.typed) == c.data.get(path[0])
                except ValueError:
                    same = False
                if not same:
                    plan.warn(f"{path[0]}: kept as on disk (an import never rewrites {path[0]})", column)
                continue
            old = _get(c.data, path)
            if isinstance(old, dict):
                plan.warn(f"{'.'.join(path)}: is a table on disk; not replaced by a cell", column)
                continue
            if self._blocked(plan, c.data, path):
                continue
            value = self._cell(plan, path, raw, old)
            if value is None or value == old or _xlsx_rounded(old) == value:
                continue
            plan.changes.append(FieldChange(path, old, value))
            if path == ("stage",):
                new_stage = value
            else:
                edits.append(SetKey(path, value))
        if new_stage is not None:
            reason = next(
                (e.value for e in edits if isinstance(e, SetKey) and e.path == ("lost_reason",)), None
            )
            edits = [e for e in edits if not (isinstance(e, SetKey) and e.path == ("lost_reason",))]
            try:
                edits = move_changes(c, self.config, new_stage, self.today, reason or c.lost_reason) + edits
            except TransitionError as exc:
                plan.warn(f"stage: {exc}", self.columns[("stage",)])
                plan.changes = [ch for ch in plan.changes if ch.path not in {("stage",), ("lost_reason",)}]
        if not edits:
            plan.action, plan.changes = "unchanged", []
            return plan
        problem = _first_error(apply_plain(c.data, edits), self.config, c.path)
        if problem:
            return plan.skip(problem)
        plan.edits = edits
        return plan

    def _cell(self, plan: RowPlan, path: tuple[str, ...], raw: Any, old: Any) -> Any:
        """The cell's value (`import_cells.convert`; a stage, tier or source by its id or a
        label), None with a warning at the cell when it has none."""
        try:
            value = convert(path, raw, old, self.typed)
        except ValueError as exc:
            plan.warn(f"{exc}; left out", self.columns[path])
            return None
        field = FIELD.get(".".join(path))
        return self.config.choice_id(field.kind, value) if field and isinstance(value, str) else value

    def _blocked(self, plan: RowPlan, data: dict[str, Any], path: tuple[str, ...]) -> bool:
        """Does a value that is not a table sit where ``path`` needs one (``contact`` = "x")?"""
        for i in range(1, len(path)):
            above = _get(data, path[:i])
            if above is not None and not isinstance(above, dict):
                plan.warn(
                    f"{'.'.join(path)}: {'.'.join(path[:i])} is not a table; left out", self.columns[path]
                )
                return True
        return False


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


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


# -- import: writing ---------------------------------------------------------------------


def apply_import(
    board: Board, plans: list[RowPlan], step: Callable[[RowPlan], None] | None = None
) -> list[RowPlan]:
    """Write the planned creates and updates; a write that fails turns its row into a skip.
    ``step`` is called after each row (a progress bar)."""
    folder = board.root / CUSTOMERS_DIR
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
            plan.warn(f"not written: {exc}")
        if step is not None:
            step(plan)
    return plans
