"""Three-way merge of appended entries (`history`, `log`, `objections`) as multisets.

Pure and linear: every entry is hashed once to a canonical key (`canon`: equal keys
exactly when `same` says the entries are equal), and the plan is made from counts.

- The count rule: per distinct entry, with ``b``, ``o``, ``t`` its counts in base, ours
  and theirs and ``do = o - b``, ``dt = t - b``, the merge has
  ``b + max(do, dt, 0) + min(do, dt, 0)`` copies. A change one side made is taken (an
  entry appended twice stays twice); the same change made by both counts once (both
  appended it: one copy; both deleted it: gone); one side's addition and the other's
  deletion add up.
- A side *corrected* an entry when it dropped a base entry and gained one of the same date
  (paired in order, date by date). Their correction of an entry we kept is made in place.
  Two different corrections of one entry, or a correction on one side and a deletion on
  the other, are a conflict: nothing is picked silently.
- Ours never move; entries of theirs go in date order, after ours of the same date.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

Entry = dict[str, Any]
Date = tuple[int, str]  # see `when`


@dataclass(frozen=True, slots=True)
class Slot:
    """One entry of the merged array.

    ``ours`` set, ``theirs`` None: our entry as it is. Both set: our entry, changed in
    place into theirs. ``ours`` None: their entry, inserted. ``conflict``: the two
    versions (either may be None: that side deleted the entry) go between markers.
    """

    ours: int | None
    theirs: int | None
    conflict: bool = False


def canon(value: Any) -> Hashable:
    """A hashable key of a TOML value: two values are the same (`same`) when their keys are
    equal. Types count (1, 1.0 and true differ), a table's key order does not, nan is nan."""
    if isinstance(value, dict):
        return ("table", tuple(sorted((k, canon(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(canon(v) for v in value))
    if isinstance(value, float) and value != value:
        return (float, "nan")
    return (type(value), value)


def same(a: Any, b: Any) -> bool:
    """Equal as TOML values: types must match (1 is not 1.0 nor true) and nan equals nan.

    The same relation as equal `canon` keys, compared in place (no keys are built)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def when(entry: Entry) -> Date:
    """Sort key of an appended entry: its date; entries without one sort last."""
    value = entry.get("date")
    if isinstance(value, date):  # datetimes too: "2026-11-18" < "2026-11-18T09:00:00"
        return (0, value.isoformat())
    if isinstance(value, str):  # a quoted date (accepted with a warning)
        return (0, value)
    return (1, "")


def merged_count(b: int, o: int, t: int) -> int:
    """The count rule (see the module's docstring)."""
    do, dt = o - b, t - b
    return b + max(do, dt, 0) + min(do, dt, 0)


def plan_entries(base: Sequence[Entry], ours: Sequence[Entry], theirs: Sequence[Entry]) -> list[Slot]:
    """The merged array, in order, as slots naming entries of ours and theirs."""
    keys = tuple([canon(e) for e in side] for side in (base, ours, theirs))
    kb, ko, kt = keys
    cb, co, ct = Counter(kb), Counter(ko), Counter(kt)
    removed: set[int] = set()  # indexes into ours
    inserts: dict[Hashable, list[int]] = defaultdict(list)  # key -> indexes into theirs
    for i, rank in enumerate(_ranks(ko)):
        b, o, t = cb[ko[i]], co[ko[i]], ct[ko[i]]
        if t <= rank < t + o - merged_count(b, o, t):
            removed.add(i)
    for j, rank in enumerate(_ranks(kt)):
        if max(co[kt[j]], cb[kt[j]]) <= rank:
            inserts[kt[j]].append(j)

    marked, against_deleted = _conflicts(base, ours, theirs, keys, removed, inserts)
    plain = sorted(j for js in inserts.values() for j in js)
    rewrites = _pair_by_date(sorted(removed), plain, ours, theirs)
    slots: list[Slot] = []
    for i in range(len(ours)):
        if i in marked:
            slots.append(Slot(i, marked[i], conflict=True))
        elif i in rewrites:
            slots.append(Slot(i, rewrites[i]))
        elif i not in removed:
            slots.append(Slot(i, None))
    taken = set(rewrites.values())
    new = [(j, False) for j in plain if j not in taken] + [(j, True) for j in against_deleted]
    return _in_date_order(slots, sorted(new), [when(e) for e in ours], [when(e) for e in theirs])


def _ranks(keys: list[Hashable]) -> list[int]:
    """For each position, how many equal entries come before it."""
    seen: Counter[Hashable] = Counter()
    out = []
    for key in keys:
        out.append(seen[key])
        seen[key] += 1
    return out


def _changes(kb: list[Hashable], ks: list[Hashable]) -> tuple[list[int], list[int]]:
    """Base entries a side dropped (indexes into base) and entries it gained (into the side)."""
    cb, cs = Counter(kb), Counter(ks)
    dropped = [i for i, rank in enumerate(_ranks(kb)) if rank >= cs[kb[i]]]
    gained = [j for j, rank in enumerate(_ranks(ks)) if rank >= cb[ks[j]]]
    return dropped, gained


def _pair_by_date(
    old: list[int], new: list[int], olds: Sequence[Entry], news: Sequence[Entry]
) -> dict[int, int]:
    """Pair dropped and gained entries of the same date, each in order: corrections."""
    waiting: dict[Date, list[int]] = defaultdict(list)
    for j in reversed(new):
        waiting[when(news[j])].append(j)
    pairs = {}
    for i in old:
        if stack := waiting.get(when(olds[i])):
            pairs[i] = stack.pop()
    return pairs


def _conflicts(
    base: Sequence[Entry],
    ours: Sequence[Entry],
    theirs: Sequence[Entry],
    keys: tuple[list[Hashable], ...],
    removed: set[int],
    inserts: dict[Hashable, list[int]],
) -> tuple[dict[int, int | None], list[int]]:
    """Base entries both sides dropped, and at least one corrected, not the same way.

    Returns our corrected entries marked as conflicts (-> their correction, or None where
    they deleted the entry) and their corrections of entries we deleted. Their entries
    taken into a conflict leave ``inserts``.
    """
    kb, ko, kt = keys
    dropped_o, gained_o = _changes(kb, ko)
    dropped_t, gained_t = _changes(kb, kt)
    fixed_o = _pair_by_date(dropped_o, gained_o, base, ours)
    fixed_t = _pair_by_date(dropped_t, gained_t, base, theirs)
    marked: dict[int, int | None] = {}
    against_deleted: list[int] = []
    for x in sorted(set(dropped_o) & set(dropped_t)):
        i, j = fixed_o.get(x), fixed_t.get(x)
        if (i is None and j is None) or (i is not None and j is not None and ko[i] == kt[j]):
            continue  # both deleted it, or both corrected it the same way
        if i is not None and i in removed:
            continue  # our correction is gone anyway
        if j is not None:
            copies = inserts.get(kt[j])
            if not copies:
                continue  # their correction is in ours already
            j = copies.pop()
        if i is not None:
            marked[i] = j
        elif j is not None:  # (both None was skipped above)
            against_deleted.append(j)
    return marked, against_deleted


def _in_date_order(
    slots: list[Slot], new: list[tuple[int, bool]], dates_o: list[Date], dates_t: list[Date]
) -> list[Slot]:
    """Ours in place; each of their ``(index, conflict)`` after the last of ours dated on or
    before it, in date order."""
    lowest: list[Date] = []  # lowest[k]: the earliest date from ours' slot k on
    for slot in reversed(slots):
        d = dates_o[slot.ours]  # type: ignore[index]  # these slots are all ours
        lowest.append(min(d, lowest[-1]) if lowest else d)
    lowest.reverse()
    gaps: dict[int, list[Slot]] = defaultdict(list)
    for j, conflict in sorted(new, key=lambda n: dates_t[n[0]]):
        gaps[bisect_right(lowest, dates_t[j])].append(Slot(None, j, conflict))
    out = list(gaps[0])
    for k, slot in enumerate(slots, 1):
        out.append(slot)
        out += gaps[k]
    return out
