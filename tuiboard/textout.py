"""Plain-text rendering for the CLI: safe text, CJK-aware columns, money."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from itertools import accumulate

from rich.cells import cell_len

from pipeline.problems import printable


def safe(value: object) -> str:
    return printable("" if value is None else str(value))


_WIDTHS: dict[str, int] = {}  # `cell_len` of one character, measured once
_MAX_WIDTHS = 1 << 16
_JOINERS = ("\u200d", "\ufe0f")  # zero-width joiner, VS16: they join characters into one glyph


def char_cells(ch: str) -> int:
    """``cell_len(ch)`` of one character, from a table: rich's takes two cached calls."""
    w = _WIDTHS.get(ch)
    if w is None:
        w = cell_len(ch)
        if len(_WIDTHS) < _MAX_WIDTHS:
            _WIDTHS[ch] = w
    return w


def _running_cells(text: str) -> list[int]:
    """The cells each prefix of ``text`` takes, character by character (in C when every
    character is in the table)."""
    try:
        return list(accumulate(map(_WIDTHS.__getitem__, text)))
    except KeyError:
        return list(accumulate(map(char_cells, text)))


def prefix_within(text: str, cells: int) -> tuple[int, int]:
    """How many leading characters of ``text`` fit in ``cells`` terminal cells, and the
    cells they take: a CJK character counts two and is never split."""
    if text.isascii() and text.isprintable():  # one cell a character
        kept = min(len(text), max(cells, 0))
        return kept, kept
    if _JOINERS[0] in text or _JOINERS[1] in text:  # emoji sequences: measured as rich does, whole
        kept = len(text)
        while kept and (not _boundary(text, kept) or cell_len(text[:kept]) > cells):
            kept -= 1
        return kept, cell_len(text[:kept])
    running = _running_cells(text)
    kept = bisect_right(running, cells)  # widths are never negative: the sums only grow
    while not _boundary(text, kept):
        kept -= 1
    return kept, running[kept - 1] if kept else 0


def _boundary(text: str, at: int) -> bool:
    """May ``text`` be cut before index ``at``, leaving no glyph in pieces? Not inside an
    emoji sequence (joined by U+200D), nor before a combining mark, a variation selector or a
    skin tone (a family emoji cut to "👨‍👩‍👧‍" shifted its column's edge)."""
    return at in (0, len(text)) or not (text[at - 1] == "\u200d" or _attaches(text[at]))


def _attaches(ch: str) -> bool:
    """Does ``ch`` belong to the glyph before it?"""
    return (
        ch == "\u200d"
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or bool(unicodedata.combining(ch))
    )


def fit(text: str, width: int) -> str:
    """Truncate to ``width`` terminal cells with an ellipsis, then pad."""
    text = safe(text)
    if text.isascii():  # safe ASCII is one cell a character
        cells = len(text)
        if cells > width:
            return text[: max(width - 1, 0)] + "…"
        return text + " " * (width - cells)
    if _JOINERS[0] in text or _JOINERS[1] in text:  # emoji sequences: rich measures them whole
        cells = cell_len(text)
        if cells <= width:
            return text + " " * (width - cells)
        kept, used = prefix_within(text, width - 1)
        return text[:kept] + "…" + " " * (width - 1 - used)
    running = _running_cells(text)  # the last is what cell_len finds for such text
    if running[-1] <= width:
        return text + " " * (width - running[-1])
    kept, used = prefix_within(text, width - 1)
    return text[:kept] + "…" + " " * (width - 1 - used)


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
