"""CLI columns: every cell exactly its width in terminal cells, CJK never split."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tuiboard.textout import fit, safe


@given(st.text(), st.integers(2, 40))
def test_fit_takes_exactly_its_width(text: str, width: int) -> None:
    cell = fit(text, width)
    assert cell_len(cell) == width
    shown = safe(text)
    if cell_len(shown) <= width:
        assert cell == shown + " " * (width - cell_len(shown))
    else:
        kept = cell.rstrip(" ")
        assert kept.endswith("…") and shown.startswith(kept[:-1])
        assert cell_len(shown[: len(kept)]) > width - 1  # nothing more would have fitted


def test_fit_cjk_and_ascii() -> None:
    assert fit("苏州华东精密", 6) == "苏州… "
    assert fit("Acme", 6) == "Acme  "
    assert fit("Acme Logistics", 6) == "Acme …"
