"""A raw sales report (销售报表, CSV or XLSX) → customers by total amount, in the seed's buckets.

The report has one row per sale: product (产品名称 or 货品名称), customer (客户名称 or 客户) and
the amount including tax (价税合计). Amounts are summed per customer first, as the seed's
R script does, then counted per bucket (`analytics.BUCKETS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .analytics import bucket_records

PRODUCT_COLUMNS = ("产品名称", "货品名称")
CUSTOMER_COLUMNS = ("客户名称", "客户")
AMOUNT_COLUMNS = ("价税合计",)
HEADER_SEARCH_ROWS = 10  # exported reports often put a title or date range above the header


class SalesReportError(ValueError):
    """The file is not a sales report we can read; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class SalesReport:
    path: Path
    product: str | None
    rows: int  # sale rows used (after the product filter)
    skipped: int  # rows without a customer or a readable amount
    totals: pd.Series  # amount per customer

    def record(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "product": self.product,
            "rows": self.rows,
            "skipped_rows": self.skipped,
            "customers": len(self.totals),
            "amount_buckets": bucket_records(self.totals),
        }


def read_sales_report(path: Path, product: str | None = None) -> SalesReport:
    raw = _read_table(path)
    header_row = _header_row(raw)
    if header_row is None:
        wanted = " / ".join(CUSTOMER_COLUMNS) + " and " + " / ".join(AMOUNT_COLUMNS)
        raise SalesReportError(
            f"{path.name}: no header row with {wanted} in the first {HEADER_SEARCH_ROWS} rows"
        )
    header = [str(v).strip() for v in raw.iloc[header_row]]
    table = raw.iloc[header_row + 1 :].set_axis(header, axis=1)
    customer_col = _pick(header, CUSTOMER_COLUMNS)
    amount_col = _pick(header, AMOUNT_COLUMNS)
    if product is not None:
        product_col = _pick(header, PRODUCT_COLUMNS)
        if product_col is None:
            raise SalesReportError(f"{path.name}: --product needs a {' or '.join(PRODUCT_COLUMNS)} column")
        names = table[product_col].astype(str).str.strip()
        if not (names == product).any():
            known = ", ".join(sorted(set(names) - {"", "nan"})[:10])
            raise SalesReportError(f"{path.name}: no rows for product {product!r} (products: {known})")
        table = table[names == product]
    customers = table[customer_col].astype(str).str.strip()
    amounts = pd.to_numeric(
        table[amount_col].astype(str).str.replace(r"[,\s¥￥元]", "", regex=True), errors="coerce"
    )
    usable = amounts.notna() & ~customers.isin(["", "nan", "None"])
    totals = amounts[usable].groupby(customers[usable]).sum()
    return SalesReport(path, product, int(usable.sum()), int((~usable).sum()), totals)


def _read_table(path: Path) -> pd.DataFrame:
    """Every cell as text or number, no header yet (it is searched for)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, header=None, dtype=object, engine="openpyxl")
        if suffix == ".csv":
            try:
                return pd.read_csv(path, header=None, dtype=str, encoding="utf-8-sig", keep_default_na=False)
            except UnicodeDecodeError:  # Excel in China saves CSV as GB18030 (GBK)
                return pd.read_csv(path, header=None, dtype=str, encoding="gb18030", keep_default_na=False)
    except FileNotFoundError:
        raise SalesReportError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise SalesReportError(f"{path.name}: cannot read it: {exc}") from None
    raise SalesReportError(f"{path.name}: a sales report must be .csv or .xlsx")


def _header_row(raw: pd.DataFrame) -> int | None:
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        cells = {str(v).strip() for v in raw.iloc[i]}
        if cells & set(CUSTOMER_COLUMNS) and cells & set(AMOUNT_COLUMNS):
            return i
    return None


def _pick(header: list[str], choices: tuple[str, ...]) -> str | None:
    return next((c for c in choices if c in header), None)
