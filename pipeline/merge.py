"""Three-way, field-level merge of one customer file: the engine of the git merge driver.

Pure: bytes in, bytes out. OURS is edited in place with tomlkit (the changes of
`pipeline.changes`, and `pipeline.merge_doc` for paths through entries), so our comments and
formatting stay; only what THEIRS changed since BASE is brought in. The conflict markers and
the line-based merge are `pipeline.merge_text`'s.

- A field changed on one side only takes that side's value; a key deleted on one side
  only is deleted. Tables merge key by key, at any depth.
- `history`, `log` and `objections` merge as multisets of entries (`pipeline.entry_merge`):
  entries either side added are kept as many times as that side added them (the same
  entry added by both, once), entries the other side removed are removed, an entry the
  other side corrected is changed in place. Their new entries go in date order (after
  ours of the same date); ours never move.
- `stage` changed differently on both sides: the latest dated entry of the merged
  `history` decides, if it names one of the two stages; a tie between different stages
  is a conflict.
- Any other field changed differently on both sides is a conflict: git-style markers
  around that one line, everything else merged; an entry both sides corrected differently
  (or one corrected and the other deleted) gets markers around that entry. A side that is
  not valid TOML, a conflict on a whole table, or a result that would not read back as the
  merged data (each side of every conflict too) makes the whole file one conflict. Nothing
  is ever picked silently.

Linear in the size of the file: entries are hashed once, and the plain data is copied once.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Item, Table

from .changes import Append, SetKey, apply_document, apply_plain, pop_trailing
from .entry_merge import Slot, plan_entries, same, when
from .lines import toml_lines
from .merge_doc import MISSING, Put, Unmergeable, item_at, raw_text, unwrap
from .merge_text import TOKEN, block, entry_text, merge_lines, new_token, resolve, whole_file
from .model import APPENDED

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class MergeResult:
    data: bytes
    conflicts: tuple[str, ...] = ()  # what could not be merged, e.g. "amount"

    @property
    def clean(self) -> bool:
        return not self.conflicts


Path = tuple[str, ...]
Entries = list[dict[str, Any]]


def merge_customer(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """Merge what THEIRS changed since BASE into OURS."""
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    try:
        sides = [_decode(side, raw) for side, raw in (("base", base), ("ours", ours), ("theirs", theirs))]
        text, conflicts = _Merge(*sides).run()
    except Unmergeable as exc:
        return MergeResult(whole_file(ours, theirs), (f"the whole file: {exc}",))
    except Exception as exc:  # a surprise in tomlkit must still end as a visible conflict
        return MergeResult(whole_file(ours, theirs), (f"the whole file: cannot merge ({exc!r})",))
    return MergeResult((BOM if ours.startswith(BOM) else b"") + text.encode("utf-8"), conflicts)


def _decode(side: str, raw: bytes) -> tuple[str, dict[str, Any]]:
    """A side's text and its data."""
    try:
        text = raw.decode("utf-8-sig")
        return text, tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Unmergeable(f"{side} is not valid TOML ({exc})") from exc


@dataclass(frozen=True, slots=True)
class _Conflict:
    """A conflict's placeholder stands for a value (``path``) or, with ``entry``, for a
    whole entry of an appended array (``path`` is then the array's name)."""

    label: str  # what the driver reports, e.g. "amount" or "log entry of 2026-11-18"
    path: Path
    texts: tuple[str | None, str | None]  # ours, theirs, as written; None: deleted
    values: tuple[Any, Any]  # the same as plain data; MISSING: deleted
    entry: bool = False


class _Merge:
    def __init__(self, *sides: tuple[str, dict[str, Any]]) -> None:
        (base, self.base), (ours, self.ours), (theirs, self.theirs) = sides
        try:
            self.doc = tomlkit.parse(ours)
            self.their_doc = tomlkit.parse(theirs)
        except TOMLKitError as exc:  # tomlkit is stricter than tomllib in corners
            raise Unmergeable(f"cannot edit it safely ({exc})") from exc
        self.texts = base, ours, theirs
        self.ops: list[SetKey | Append | Put] = []  # a merge sets, appends or puts; never DelKey
        self.conflicts: dict[str, _Conflict] = {}  # by the token that stands in for it
        self.history: Entries = self.ours.get("history", [])  # merged; both sides of a conflict
        self.unioned: dict[str, Entries] = {}  # appended arrays merged entry by entry

    def run(self) -> tuple[str, tuple[str, ...]]:
        """The merged text and the conflicts marked in it."""
        b, o, t = self.base, self.ours, self.theirs
        for name in APPENDED:
            if _is_entries(o.get(name)) and _is_entries(t.get(name)) and _is_entries(b.get(name, [])):
                self.unioned[name] = self._entries(name, b.get(name, []), o[name], t[name])
        for key in _keys(o, t):
            if key not in self.unioned:
                self._key((key,), b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
        for op in self.ops:
            if isinstance(op, Put):
                op.apply_document(self.doc)
            else:
                apply_document(self.doc, [op])
        intended = apply_plain(o | self.unioned, [_plain(op) for op in self.ops if not isinstance(op, Put)])
        for op in self.ops:  # on disjoint paths, so after the changes is the same as among them
            if isinstance(op, Put):
                op.apply_plain(intended)
        text = tomlkit.dumps(self.doc)
        if not _reads_as(text, intended):
            raise Unmergeable("the merged text would not read back as the merged data")
        if self.conflicts:
            return self._markers(text, intended)
        # Both sides' changes apart, line by line, give the same data? Then that text is the
        # better result: it also keeps comments the other side added to lines we left alone.
        by_lines = merge_lines(*self.texts)
        if by_lines is not None and _reads_as(by_lines, intended):
            return by_lines, ()
        return text, ()

    # -- appended arrays ------------------------------------------------------------------

    def _entries(self, name: str, b: Entries, o: Entries, t: Entries) -> Entries:
        """Merge the array in the document; the merged entries (a conflict: its placeholder)."""
        slots = plan_entries(b, o, t)
        array = self.doc[name]
        if any(slot.conflict for slot in slots) and not isinstance(array, AoT):
            raise Unmergeable(f"both sides changed an entry of {name} written inline differently")
        merged: Entries = []
        seen: Entries = []  # for the stage: both versions of a conflicting entry
        for slot in slots:
            mine = MISSING if slot.ours is None else o[slot.ours]
            yours = MISSING if slot.theirs is None else t[slot.theirs]
            if slot.conflict:
                token = self._entry_conflict(name, slot, mine, yours)
                merged.append({token: True})
                seen += [e for e in (mine, yours) if e is not MISSING]
            else:
                merged.append(mine if yours is MISSING else yours)
                seen.append(merged[-1])
            if slot.ours is not None and slot.theirs is not None and not slot.conflict:
                self._rewrite(name, slot.ours, mine, slot.theirs)
        kept = {slot.ours for slot in slots}
        for i in reversed(range(len(o))):
            if i not in kept:
                Put((name, i)).apply_document(self.doc)
        their_items = self.their_doc[name] if isinstance(array, AoT) else None
        for at, slot in enumerate(slots):
            if slot.ours is None:
                if slot.conflict or slot.theirs is None:  # (a slot has ours or theirs: not reached)
                    entry = merged[at]
                else:
                    entry = _their_entry(their_items, t, slot.theirs)
                apply_document(self.doc, [Append(name, entry, at if at < len(array) else None)])
        if name == "history":
            self.history = seen
        return merged

    def _rewrite(self, name: str, i: int, old: dict[str, Any], j: int) -> None:
        """Their changes to one entry, key by key, made to our entry ``i``."""
        entry = self.theirs[name][j]
        for key in _keys(old, entry):
            if not same(old.get(key, MISSING), entry.get(key, MISSING)):
                value = self._theirs((name, j, key), entry[key]) if key in entry else MISSING
                Put((name, i, key), value).apply_document(self.doc)

    def _entry_conflict(self, name: str, slot: Slot, mine: Any, yours: Any) -> str:
        """Put a placeholder entry where the conflict goes: ours, with its spacing and the
        comments after it, or (we deleted it) one to insert. The token names it."""
        token = new_token(*self.texts)
        ours_text = theirs_text = None
        if slot.ours is not None:
            array = self.doc[name]
            table = array[slot.ours]
            holder = tomlkit.table()
            holder.add(token, True)
            holder.trivia.indent = table.trivia.indent
            for item in pop_trailing(table):
                holder.add(item)
            del array[slot.ours]
            array.insert(slot.ours, holder)
            ours_text = entry_text(name, table)
        if slot.theirs is not None:
            theirs = item_at(self.their_doc, (name, slot.theirs))
            theirs_text = entry_text(name, copy.deepcopy(theirs) if isinstance(theirs, Table) else yours)
        day = when(mine if mine is not MISSING else yours)
        label = f"{name} entry of {day[1]}" if day[0] == 0 else f"{name} entry without a date"
        self.conflicts[token] = _Conflict(label, (name,), (ours_text, theirs_text), (mine, yours), entry=True)
        return token

    # -- keys and tables ------------------------------------------------------------------

    def _key(self, path: Path, b: Any, o: Any, t: Any) -> None:
        if same(o, t) or same(t, b):
            return
        if same(o, b):
            self._take_theirs(path, o, t)
        elif all(v is MISSING or isinstance(v, dict) for v in (b, o, t)):
            b, o, t = (v if isinstance(v, dict) else {} for v in (b, o, t))
            for key in _keys(o, t):
                self._key((*path, key), b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
        elif path == ("stage",) and (stage := self._latest_stage()) is not MISSING and stage in (o, t):
            if stage == t:
                self.ops.append(SetKey(path, self._theirs(path, t)))
        else:
            self._conflict(path, o, t)

    def _take_theirs(self, path: Path, o: Any, t: Any) -> None:
        if t is MISSING:
            self.ops.append(Put(path))
        elif isinstance(t, dict) and isinstance(o, dict):
            for key in _keys(o, t):
                self._key((*path, key), o.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
        elif isinstance(t, dict) and o is MISSING and t:
            self.ops.extend(SetKey(p, self._theirs(p, v)) for p, v in _leaves(path, t))
        elif len(path) == 1 and path[0] in APPENDED and o is MISSING and _is_entries(t) and t:
            self.ops.extend(Append(path[0], entry) for entry in t)
        else:
            self.ops.append(SetKey(path, self._theirs(path, t)))

    def _theirs(self, path: tuple[str | int, ...], value: Any) -> Any:
        """Their item, if it is a plain value: it brings its formatting and line comment."""
        item = item_at(self.their_doc, path)
        return item if isinstance(item, Item) and not isinstance(item, AoT | Table) else value

    def _latest_stage(self) -> Any:
        dated = [e for e in self.history if when(e)[0] == 0]
        if not dated:
            return MISSING
        last = max(when(e) for e in dated)
        stages = {e.get("stage") for e in dated if when(e) == last}
        return stages.pop() if len(stages) == 1 else MISSING

    # -- conflicts ------------------------------------------------------------------------

    def _conflict(self, path: Path, o: Any, t: Any) -> None:
        if _has_table(o) or _has_table(t):
            raise Unmergeable(f"both sides changed {'.'.join(path)} differently")
        token = new_token(*self.texts)
        ours_raw = None if o is MISSING else raw_text(self.doc, path)
        theirs_raw = None if t is MISSING else raw_text(self.their_doc, path)
        self.conflicts[token] = _Conflict(".".join(path), path, (ours_raw, theirs_raw), (o, t))
        self.ops.append(SetKey(path, token))

    def _markers(self, text: str, intended: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
        """Replace each placeholder by ours/theirs versions of its line (or its entry), and
        check that taking either side everywhere reads back as that side's data."""
        lines = toml_lines(text, keepends=True)
        where = {m.group(): i for i, line in enumerate(lines) for m in TOKEN.finditer(line)}
        for token, conflict in self.conflicts.items():
            i = where.get(token)
            if i is None:
                raise Unmergeable(f"cannot find {conflict.label} to mark the conflict")
            if conflict.entry:
                if i == 0 or not lines[i - 1].lstrip().startswith("[["):
                    raise Unmergeable(f"cannot find {conflict.label} to mark the conflict")
                ours, theirs = conflict.texts
                lines[i - 1 : i + 1] = [block(ours or "", theirs or ""), ""]
                continue
            quoted = tomlkit.string(token).as_string()
            line = lines[i] if lines[i].endswith("\n") else lines[i] + "\n"
            ours, theirs = (None if raw is None else line.replace(quoted, raw) for raw in conflict.texts)
            lines[i] = block(ours or "", theirs or "")
        merged = "".join(lines)
        for side in (0, 1):
            if not _reads_as(resolve(merged, side), self._resolved(intended, side)):
                raise Unmergeable("the conflict markers would not resolve to either side")
        return merged, tuple(conflict.label for conflict in self.conflicts.values())

    def _resolved(self, intended: dict[str, Any], side: int) -> dict[str, Any]:
        """The merged data with every conflict settled for one side (0 ours, 1 theirs)."""
        out = copy.deepcopy(intended)
        for name in self.unioned:
            picked = (self._settled(entry, side) for entry in out[name])
            out[name] = [entry for entry in picked if entry is not MISSING]
        for conflict in self.conflicts.values():
            if not conflict.entry:
                Put(conflict.path, conflict.values[side]).apply_plain(out)
        return out

    def _settled(self, entry: dict[str, Any], side: int) -> Any:
        """An entry, or if it is a conflict's placeholder, that side's version (or MISSING)."""
        conflict = self.conflicts.get(next(iter(entry), "")) if len(entry) == 1 else None
        return entry if conflict is None else conflict.values[side]


# -- helpers ------------------------------------------------------------------------------


def _their_entry(items: Any, plain: Entries, j: int) -> dict[str, Any]:
    """Their entry ``j``; with its items (and their line comments) when both sides write
    tables (``items``: their array of tables, None when ours is written inline)."""
    if isinstance(items, AoT) and isinstance(table := items[j], Table):
        return {key: item for key, item in table.items()}
    return plain[j]


def _is_entries(value: Any) -> bool:
    """Is this an appended array: a list of tables?"""
    return isinstance(value, list) and all(isinstance(e, dict) for e in value)


def _keys(o: dict[str, Any], t: dict[str, Any]) -> list[str]:
    return [*o, *(k for k in t if k not in o)]


def _leaves(path: Path, table: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    for key, value in table.items():
        if isinstance(value, dict) and value:
            yield from _leaves((*path, key), value)
        else:
            yield (*path, key), value


def _has_table(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))


def _reads_as(text: str, data: dict[str, Any]) -> bool:
    try:
        return same(tomllib.loads(text), data)
    except tomllib.TOMLDecodeError:
        return False


def _plain(change: SetKey | Append) -> SetKey | Append:
    if isinstance(change, SetKey):
        return SetKey(change.path, unwrap(change.value))
    return Append(change.array, {k: unwrap(v) for k, v in change.entry.items()}, change.at)
