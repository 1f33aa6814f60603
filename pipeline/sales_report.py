"""A raw sales report (销售报表, CSV or XLSX) → customers by total amount, in the seed's buckets.

The report has one row per sale: product (产品名称 or 货品名称), customer (客户名称 or 客户) and
the amount including tax (价税合计). Amounts are summed per customer first, as the seed's
R script does, then counted per bucket (`analytics.forecast.BUCKETS`). The file is read within
`tablefile`'s bounds; what was cut is in ``problems`` (warnings at the file's row and column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .analytics import bucket_records
from .errors import TuiboardError
from .problems import Problem, printable
from .tablefile import TableFileError, read_raw

PRODUCT_COLUMNS = ("产品名称", "货品名称")
CUSTOMER_COLUMNS = ("客户名称", "客户")
AMOUNT_COLUMNS = ("价税合计",)
DATE_COLUMNS = ("单据日期", "日期", "开票日期", "销售日期", "回款日期")  # optional: months covered
HEADER_SEARCH_ROWS = 10  # exported reports often put a title or date range above the header


class SalesReportError(TuiboardError, ValueError):
    """The file is not a sales report we can read; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class SalesReport:
    path: Path
    product: str | None
    rows: int  # sale rows used (after the product filter)
    skipped: int  # rows without a customer or a readable amount
    totals: pd.Series  # amount per customer
    problems: list[Problem] = field(default_factory=list)  # what reading the file cut, located
    months: int | None = None  # calendar months its dated rows span; None without a date column

    def record(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "product": self.product,
            "rows": self.rows,
            "skipped_rows": self.skipped,
            "customers": len(self.totals),
            "amount_buckets": bucket_records(self.totals),
            "notes": [p.message for p in self.problems],
        }


def read_sales_report(path: Path, product: str | None = None) -> SalesReport:
    try:
        file = read_raw(path)
    except TableFileError as exc:
        raise SalesReportError(str(exc)) from None
    width = max((len(r) for r in file.rows), default=0)
    raw = pd.DataFrame([r + [None] * (width - len(r)) for r in file.rows], dtype=object)
    name = printable(path.name)
    header_row = _header_row(raw)
    if header_row is None:
        wanted = " / ".join(CUSTOMER_COLUMNS) + " and " + " / ".join(AMOUNT_COLUMNS)
        raise SalesReportError(f"{name}: no header row with {wanted} in the first {HEADER_SEARCH_ROWS} rows")
    header = [str(v).strip() for v in raw.iloc[header_row]]
    table = raw.iloc[header_row + 1 :].set_axis(header, axis=1)
    customer_col = _pick(header, CUSTOMER_COLUMNS)
    amount_col = _pick(header, AMOUNT_COLUMNS)
    if product is not None:
        product_col = _pick(header, PRODUCT_COLUMNS)
        if product_col is None:
            raise SalesReportError(f"{name}: --product needs a {' or '.join(PRODUCT_COLUMNS)} column")
        names = table[product_col].astype(str).str.strip()
        if not (names == product).any():
            known = printable(", ".join(sorted(set(names) - {"", "nan", "None"})[:10]))
            raise SalesReportError(f"{name}: no rows for product {printable(product)!r} (products: {known})")
        table = table[names == product]
    customers = table[customer_col].astype(str).str.strip()
    amounts = pd.to_numeric(
        table[amount_col].astype(str).str.replace(r"[,\s¥￥元]", "", regex=True), errors="coerce"
    )
    usable = amounts.notna() & ~customers.isin(["", "nan", "None"])
    totals = amounts[usable].groupby(customers[usable]).sum()
    months = _months_spanned(table[date_col][usable]) if (date_col := _pick(header, DATE_COLUMNS)) else None
    return SalesReport(path, product, int(usable.sum()), int((~usable).sum()), totals, file.problems, months)


def _months_spanned(dates: pd.Series) -> int | None:
    """Calendar months from the first dated row's to the last's, both counted (a customer's
    monthly payment is its total over them: months without a sale count as zero)."""
    when = pd.to_datetime(dates, errors="coerce").dropna()
    if when.empty:
        return None
    first, last = when.min(), when.max()
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _header_row(raw: pd.DataFrame) -> int | None:
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        cells = {str(v).strip() for v in raw.iloc[i]}
        if cells & set(CUSTOMER_COLUMNS) and cells & set(AMOUNT_COLUMNS):
            return i
    return None


def _pick(header: list[str], choices: tuple[str, ...]) -> str | None:
    return next((c for c in choices if c in header), None)
