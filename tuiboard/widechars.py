"""Chinese text in a toast over the board keeps every character where it crosses a column's edge.

Textual's compositor cuts each screen line at the edges of every widget on it, divides every
widget's line at all those cuts, and lets the front-most widget win each piece. A
double-width character that straddles a cut cannot be divided, so Textual draws two spaces
instead: a toast reading 杭州星河软件有限公司 → 认可客户 over the board's columns showed
"杭州星  软件有限公司 →   可客户" (Textualize/textual#6357, open as of Textual 8.2). Here
a widget's line is divided only where the widget in front of it changes; the cuts inside
what it wins get an empty piece, so no widget behind fills them.

Written against Textual 8.2.8 (constraints.txt pins it); tests/test_widechars.py fails if an
upgrade changes what this relies on. Drop it once the upstream issue is fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([], 0)


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """`Compositor._render_chops`, dividing lines only where the owner of the cells changes."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):  # front to back
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            free = [line.get(cut) is None for cut in final_cuts[:-1]]  # not taken by a widget in front
            if not free:
                continue
            bounds = [0, *(i for i in range(1, len(free)) if free[i] != free[i - 1]), len(free)]
            pieces = strip.divide([final_cuts[b] - render_x for b in bounds[1:]])
            for start, end, piece in zip(bounds, bounds[1:], pieces, strict=False):
                if free[start]:
                    line[final_cuts[start]] = piece
                    for k in range(start + 1, end):
                        line[final_cuts[k]] = _EMPTY  # drawn by ``piece``
    return chops  # type: ignore[return-value]  # every bucket is filled by the screen's background


def keep_wide_characters_whole() -> None:
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
