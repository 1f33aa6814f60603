"""CLI columns: every cell exactly its width in terminal cells, CJK never split."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from pipeline.store import Store
from tuiboard.textout import _boundary, char_cells, fit, prefix_within, safe


def reference_prefix_within(text: str, cells: int) -> tuple[int, int]:
    """The measure without the fast paths: the longest prefix that leaves no glyph in pieces
    (`textout._boundary`) and fits, measured through rich."""
    best = (0, 0)
    for kept in range(1, len(text) + 1):
        used = cell_len(text[:kept])
        if _boundary(text, kept) and used <= cells:
            best = (kept, used)
    return best


def reference_fit(text: str, width: int) -> str:
    text = safe(text)
    cells = len(text) if text.isascii() else cell_len(text)
    if cells > width:
        kept, used = reference_prefix_within(text, width - 1)
        return text[:kept] + "…" + " " * (width - 1 - used)
    return text + " " * (width - cells)


def test_a_cut_leaves_no_glyph_in_pieces() -> None:
    """A family emoji cut to "👨‍👩‍👧‍" (a joiner left dangling) shifted the card's column edge."""
    family = "👨\u200d👩\u200d👧\u200d👦"
    for width in range(1, 12):
        for text in (family + " Family Co", "Rene\u0301e Café", "✨\ufe0f👍\U0001f3fd ok"):
            shown = fit(text, width)
            assert cell_len(shown) == width, (text, width, shown)
            cut = shown.rstrip(" ").removesuffix("…")
            assert text.startswith(cut) and _boundary(text, len(cut)), (text, width, shown)
    assert fit(family + " Family Co", 4) == family + " …"  # the emoji whole, or not at all
    assert not fit(family + " Family Co", 2).startswith("👨")


# Wide, narrow, zero-width, joined and control characters, mixed.
MIXED = st.text(
    st.sampled_from("苏州华东精密ＡＢ１Acme 科技-（）\u200d\ufe0f👨👩\u0301é\x1b\t\n\u202e한글ｶﾅ\u3000")
)


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


@given(st.one_of(st.text(), MIXED), st.integers(-2, 40))
def test_fast_paths_measure_as_rich_does(text: str, width: int) -> None:
    assert fit(text, width) == reference_fit(text, width)
    assert prefix_within(text, width) == reference_prefix_within(text, width)


def test_fit_on_a_demo_folder_is_what_it_was(demo_folder: Path) -> None:
    """Real names (CJK, mixed with Latin and digits), owners and next actions."""
    board = Store(demo_folder).load()
    texts = [t for c in board.customers.values() for t in (c.name, c.owner, c.next_action, c.contact) if t]
    texts += [
        "苏州华东精密机械有限公司（第二工厂）",
        "Acme 苏州 Ltd.",
        "家族👨\u200d👩\u200d👧",
        "\x1b[31m红色",
        "a\tb\nc",
    ]
    for width in (1, 8, 12, 28, 29, 30):
        assert [fit(t, width) for t in texts] == [reference_fit(t, width) for t in texts]


def test_character_table_agrees_with_rich() -> None:
    """The sum of the characters' widths is what rich's cell_len gives text without
    joiners: so one character's cells are rich's character size (every 61st code point,
    and all of Latin, CJK punctuation, kana and the common ideographs)."""
    points = [*range(0, 0x110000, 61), *range(0x3000, 0x3100), *range(0x4E00, 0x4F00), *range(0xFF00, 0xFFF0)]
    for code in points:
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        assert char_cells(ch) == get_character_cell_size(ch) == cell_len(ch), hex(code)
