"""How wide the stage columns are: a pure function of the terminal width and the stages shown.

In order of preference (density "fit"): every shown column at full card width; every shown
column with compact cards; the open stages (the funnel) with compact cards and the closed
ones past the right edge; else as many whole compact columns as the width holds, and the
board scrolls sideways a column at a time, so no card is ever cut. Density "full" keeps
full-size cards and scrolls sooner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FULL = 24  # cells per column (border and scrollbar included) from which a card is drawn in full
COMPACT = 16  # the narrowest column: a compact card still shows a name, amount and next action
WIDE = 30  # density "full": each column at least this wide
DENSITIES = ("fit", "full")


@dataclass(frozen=True, slots=True)
class Fit:
    widths: tuple[int, ...]  # one per shown column
    visible: int  # how many whole columns the viewport holds at once

    @property
    def viewport(self) -> int:
        """Cells the columns use: whole columns only (the rest of the line stays blank)."""
        return sum(self.widths[: self.visible])


def fit_columns(width: int, kinds: Sequence[str], density: str = "fit") -> Fit:
    """Column widths for a ``width``-cell line showing stages of these kinds, left to right."""
    n = len(kinds)
    if n == 0:
        return Fit((), 0)
    share = width // n
    if share >= (WIDE if density == "full" else COMPACT):
        extra = width - share * n
        return Fit(tuple(share + (i < extra) for i in range(n)), n)
    if density == "full":
        return _uniform(n, max(1, width // WIDE), WIDE)
    opens = sum(1 for k in kinds if k == "open")
    if opens and width // opens >= COMPACT:
        return _uniform(n, opens, width // opens)
    return _uniform(n, max(1, width // COMPACT), COMPACT if width < COMPACT else width // (width // COMPACT))


def _uniform(n: int, visible: int, each: int) -> Fit:
    return Fit((each,) * n, min(visible, n))


def first_shown(fit: Fit, first: int, index: int) -> int:
    """The leftmost column to show so column ``index`` is whole on screen, moving as little as possible."""
    if index < first:
        return index
    if index >= first + fit.visible:
        return index - fit.visible + 1
    return max(0, min(first, len(fit.widths) - fit.visible))
