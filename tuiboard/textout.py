"""Plain-text rendering for the CLI: safe text, CJK-aware columns, money."""

from __future__ import annotations

from rich.cells import cell_len

from pipeline.problems import printable


def safe(value: object) -> str:
    return printable("" if value is None else str(value))


def prefix_within(text: str, cells: int) -> tuple[int, int]:
    """How many leading characters of ``text`` fit in ``cells`` terminal cells, and the
    cells they take: a CJK character counts two and is never split."""
    kept = used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > cells:
            break
        kept += 1
        used += w
    return kept, used


def fit(text: str, width: int) -> str:
    """Truncate to ``width`` terminal cells with an ellipsis, then pad."""
    text = safe(text)
    cells = len(text) if text.isascii() else cell_len(text)  # safe ASCII is one cell a character
    if cells > width:
        kept, used = prefix_within(text, width - 1)
        return text[:kept] + "…" + " " * (width - 1 - used)
    return text + " " * (width - cells)


def money(amount: float | None, currency: str) -> str:
    """CNY in 万 (10,000), as Chinese teams read it; other currencies with thousands separators."""
    if amount is None:
        return "—"
    if currency == "CNY":
        wan = amount / 10000
        return f"{wan:,.1f}万" if wan < 100 else f"{wan:,.0f}万"
    return f"{amount:,.0f}"


def table(rows: list[list[str]], widths: list[int]) -> str:
    return "\n".join("  ".join(fit(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
