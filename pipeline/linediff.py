"""Where one list of lines differs from another, in near-linear time.

`difflib.SequenceMatcher` without its junk heuristic is quadratic on a customer file with
thousands of entries (every ``[[log]]`` line matches every other). So: strip the common
head and tail; a small rest goes to SequenceMatcher as before; a large one is split at
the lines that occur once on each side, in the same order (patience diff), and each
piece is diffed the same way. A piece with no such anchor is one replaced block.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

Hunk = tuple[int, int, list[str]]  # a[start:end] becomes these lines
SMALL = 40_000  # len(a) * len(b) up to which SequenceMatcher runs on a piece
DEPTH = 32


def hunks(a: Sequence[str], b: Sequence[str]) -> list[Hunk]:
    """The changes that turn ``a`` into ``b``, in order of position in ``a``."""
    out: list[Hunk] = []
    _diff(a, b, 0, len(a), 0, len(b), out, 0)
    return out


def _diff(
    a: Sequence[str], b: Sequence[str], a0: int, a1: int, b0: int, b1: int, out: list[Hunk], depth: int
) -> None:
    while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
        a0, b0 = a0 + 1, b0 + 1
    while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
        a1, b1 = a1 - 1, b1 - 1
    if a0 == a1 and b0 == b1:
        return
    if a0 == a1 or b0 == b1:
        out.append((a0, a1, list(b[b0:b1])))
        return
    if (a1 - a0) * (b1 - b0) <= SMALL:
        matcher = SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
        out += [
            (a0 + i1, a0 + i2, list(b[b0 + j1 : b0 + j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]
        return
    anchors = _anchors(a, b, a0, a1, b0, b1) if depth < DEPTH else []
    if not anchors:
        out.append((a0, a1, list(b[b0:b1])))
        return
    for i, j in anchors:
        _diff(a, b, a0, i, b0, j, out, depth + 1)
        a0, b0 = i + 1, j + 1
    _diff(a, b, a0, a1, b0, b1, out, depth + 1)


def _anchors(a: Sequence[str], b: Sequence[str], a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int]]:
    """Lines found exactly once in each piece, the longest run of them in the same order."""
    in_a, in_b = Counter(a[a0:a1]), Counter(b[b0:b1])
    at_b = {line: j for j, line in enumerate(b[b0:b1], b0) if in_b[line] == 1}
    pairs = [(i, at_b[line]) for i, line in enumerate(a[a0:a1], a0) if in_a[line] == 1 and line in at_b]
    # The longest increasing run of b positions (patience sorting).
    tails: list[int] = []  # tails[k]: the smallest b position ending a run of length k+1
    ends: list[int] = []  # index into pairs of that run's end
    back: list[int] = []  # index into pairs of the element before each pair in its run
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        back.append(ends[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k], ends[k] = j, n
    run: list[tuple[int, int]] = []
    n = ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]
