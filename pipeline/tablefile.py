"""A CSV or XLSX file read as rows of cells, within bounds: a spreadsheet from e-mail may claim anything.

openpyxl trusts a sheet's ``<dimension>``: a 1.5 KB file that claims ``XFD1048576`` makes it
pad a million rows to 16384 cells each. Here the sheet's XML is read cell by cell (the
``<dimension>`` is never used) and the file's size, the zip's uncompressed size, the rows,
columns and cells are capped; what was cut or left out is a warning `Problem` located at
the file's row and column (``sales.xlsx:12:3``). A run of empty rows ends the table.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import TuiboardError
from .problems import Problem, Severity, printable

MAX_FILE_BYTES = 256 << 20  # a CSV export of 100,000 customers is about 100 MB
MAX_UNZIPPED_BYTES = 512 << 20  # every part of an XLSX together, as the zip declares (and enforces)
MAX_ROWS = 200_000  # rows that hold something, the header included
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000  # what is kept is held in memory: about 100 bytes a cell
EMPTY_RUN = 1_000  # this many empty rows in a row end the table
MAX_FORMULA_NOTES = 100  # one problem each; then a count


class TableFileError(TuiboardError, ValueError):
    """The file cannot be read at all; the message is one line naming the file."""


@dataclass(slots=True)
class RawTable:
    rows: list[list[Any]]  # rows that hold something, each as long as its last present cell
    numbers: list[int]  # each row's number in the file (1-based; empty rows are not in ``rows``)
    problems: list[Problem] = field(default_factory=list)  # what was cut or left out, located


def present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def read_raw(path: Path) -> RawTable:
    """The first sheet of an XLSX (typed cells) or a CSV (text cells), within the caps."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise TableFileError(f"{_name(path)}: import reads .csv or .xlsx files")
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise TableFileError(
                    f"{_name(path)}: {size >> 20} MB is more than the {MAX_FILE_BYTES >> 20} MB read at most"
                )
            if suffix == ".csv":
                table = _read_csv(path, fh)
            else:
                table = _Collector(path)
                _read_xlsx(path, fh, table)
            return RawTable(table.rows, table.numbers, table.finish())
    except FileNotFoundError:
        raise TableFileError(f"{printable(str(path))}: no such file") from None
    except IsADirectoryError:
        raise TableFileError(f"{printable(str(path))}: is a folder") from None
    except OSError as exc:
        reason = printable(exc.strerror or str(exc))
        raise TableFileError(f"{_name(path)}: cannot read it: {reason}") from None
    except csv.Error as exc:
        raise TableFileError(f"{_name(path)}: not a CSV file openable here: {printable(str(exc))}") from None


def _name(path: Path) -> str:
    return printable(path.name)


class _Collector:
    """Rows kept within the caps; a warning for what was not, at its row and column."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[list[Any]] = []
        self.numbers: list[int] = []
        self.problems: list[Problem] = []
        self.cells = 0
        self.wide = 0  # cells with something beyond MAX_COLUMNS, in rows read
        self.first_wide = 0  # the first row that has one
        self.formulas: list[Problem] = []  # the first cells holding a formula with no saved value
        self.formula_count = 0

    def warn(self, row: int, column: int, message: str) -> None:
        self.problems.append(self.warning(row, column, message))

    def warning(self, row: int, column: int, message: str) -> Problem:
        return Problem(self.path, row, column, Severity.WARNING, message)

    def take(self, rows: Iterator[tuple[int, list[Any], int]]) -> None:
        """Rows as (number, cells up to MAX_COLUMNS, how many cells with something beyond it)."""
        last = 0  # the number of the last row that held something
        for number, values, beyond in rows:
            if number - last > EMPTY_RUN:
                first = last + EMPTY_RUN + 1
                self.warn(first, 0, f"rows from {first} on not read: {EMPTY_RUN} empty rows end the table")
                return
            filled = sum(present(v) for v in values)
            if not filled + beyond:
                continue
            last = number
            if beyond and not self.wide:
                self.first_wide = number
            self.wide += beyond
            if not filled:
                continue
            if len(self.rows) == MAX_ROWS:
                self.warn(number, 0, f"rows from {number} on not read: {MAX_ROWS} rows are read at most")
                return
            if self.cells + filled > MAX_CELLS:
                self.warn(number, 0, f"rows from {number} on not read: {MAX_CELLS} cells are read at most")
                return
            self.cells += filled
            self.rows.append(values)
            self.numbers.append(number)

    def finish(self) -> list[Problem]:
        """The problems, in the order a person reads the file: the cut, wide rows, formulas."""
        problems = self.problems
        if self.wide:
            cut = f"{self.wide} cells beyond column {MAX_COLUMNS} left out"
            problems.append(self.warning(self.first_wide, MAX_COLUMNS + 1, cut))
        problems += self.formulas
        if self.formula_count > len(self.formulas):
            more = self.formula_count - len(self.formulas)
            problems.append(self.warning(0, 0, f"{more} more formulas with no saved value left out"))
        return problems

    def no_saved_value(self, row: int, column: int, where: str) -> None:
        self.formula_count += 1
        if len(self.formulas) < MAX_FORMULA_NOTES:
            message = f"{printable(where)}: a formula with no saved value; left out"
            self.formulas.append(self.warning(row, column, message))


# -- CSV -----------------------------------------------------------------------------------


def _read_csv(path: Path, fh: IO[bytes]) -> _Collector:
    """UTF-8 (with or without a BOM), else GB18030: Excel in China saves CSV as GBK."""
    try:
        return _csv_rows(path, fh, "utf-8-sig")
    except UnicodeDecodeError:
        fh.seek(0)
        return _csv_rows(path, fh, "gb18030")


def _csv_rows(path: Path, fh: IO[bytes], encoding: str) -> _Collector:
    table = _Collector(path)
    text = io.TextIOWrapper(
        fh, encoding=encoding, errors="strict" if encoding != "gb18030" else "replace", newline=""
    )
    try:
        rows = enumerate(csv.reader(text), start=1)
        table.take((n, row[:MAX_COLUMNS], sum(present(v) for v in row[MAX_COLUMNS:])) for n, row in rows)
    finally:
        text.detach()  # the caller's file stays open (and can be read again)
    return table


# -- XLSX ----------------------------------------------------------------------------------


def _read_xlsx(path: Path, fh: IO[bytes], table: _Collector) -> None:
    try:
        with zipfile.ZipFile(fh) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_UNZIPPED_BYTES:
            raise TableFileError(
                f"{_name(path)}: unpacks to {unzipped >> 20} MB, more than the "
                f"{MAX_UNZIPPED_BYTES >> 20} MB read at most"
            )
        fh.seek(0)
        _read_first_sheet(fh, table)
    except TableFileError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # a broken file can fail anywhere inside openpyxl or zipfile
        message = printable(str(exc) or type(exc).__name__)
        raise TableFileError(f"{_name(path)}: not an XLSX file openable here: {message}") from None


def _read_first_sheet(fh: IO[bytes], table: _Collector) -> None:
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # "no default style" and the like: nothing a person can act on
        warnings.simplefilter("ignore")
        book = load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = book.worksheets[0]
        with sheet._get_source() as src:  # openpyxl's own sheet XML, parsed below cell by cell
            table.take(_SheetCells(src, sheet, table).rows())
    finally:
        book.close()


class _SheetCells:
    """The rows of one sheet's XML with openpyxl's cell typing (shared strings, dates, booleans),
    parsed one ``<c>`` at a time, so that no row, however long, is held as XML."""

    def __init__(self, src: IO[bytes], sheet: Any, table: _Collector) -> None:
        from openpyxl.worksheet._reader import WorkSheetParser

        book = sheet.parent
        self._parser = WorkSheetParser(
            src,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        self._sheet = sheet
        self._table = table
        self._percent: dict[int, bool] = {}

    def rows(self) -> Iterator[tuple[int, list[Any], int]]:
        from xml.etree.ElementTree import iterparse

        from openpyxl.xml.constants import SHEET_MAIN_NS

        data_tag, row_tag, cell_tag, formula_tag = (
            f"{{{SHEET_MAIN_NS}}}{t}" for t in ("sheetData", "row", "c", "f")
        )
        parser = self._parser
        data_el: Any = None
        row_el: Any = None
        values: list[Any] = []
        beyond = 0
        for event, el in iterparse(parser.source, events=("start", "end")):
            tag = el.tag
            if tag == cell_tag and event == "end":
                cell = parser.parse_cell(el)
                column, value = cell["column"], cell["value"]
                if value is None and el.find(formula_tag) is not None:
                    where = f"{self._sheet.title}!{el.get('r') or column}"
                    self._table.no_saved_value(parser.row_counter, column, where)
                elif column > MAX_COLUMNS:
                    beyond += present(value)
                elif value is not None:
                    values.extend([None] * (column - len(values)))
                    values[column - 1] = self._shown(value, cell["style_id"])
                if row_el is not None:
                    row_el.remove(el)  # the row's XML stays one cell long
            elif tag == row_tag and event == "start":
                parser.row_counter = int(el.get("r") or parser.row_counter + 1)
                parser.col_counter = 0
                row_el, values, beyond = el, [], 0
            elif tag == row_tag:
                if data_el is not None:
                    data_el.remove(el)
                yield parser.row_counter, values, beyond
                row_el = None
            elif tag == data_tag and event == "start":
                data_el = el
            elif event == "end" and row_el is None:
                el.clear()

    def _shown(self, value: Any, style_id: int) -> Any:
        """A number in a cell formatted as a percentage holds a fraction: shown as Excel shows it."""
        if not isinstance(value, int | float) or isinstance(value, bool) or not style_id:
            return value
        if style_id not in self._percent:
            from openpyxl.cell.read_only import ReadOnlyCell

            fmt = ReadOnlyCell(self._sheet, 1, 1, None, "n", style_id).number_format or ""
            self._percent[style_id] = "%" in fmt
        return f"{value * 100:g}%" if self._percent[style_id] else value
