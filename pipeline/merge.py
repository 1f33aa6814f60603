"""Three-way, field-level merge of one customer file: the engine of the git merge driver.

Pure: bytes in, bytes out. OURS is edited in place with tomlkit (through `pipeline.edit`),
so our comments and formatting stay; only what THEIRS changed since BASE is brought in.

- A field changed on one side only takes that side's value; a key deleted on one side
  only is deleted. Tables merge key by key, at any depth.
- `history`, `log` and `objections` merge as lists of entries: entries the other side
  added are inserted in date order (after ours of the same date), entries both sides
  added once, entries the other side removed or rewrote are removed. Ours never move.
- `stage` changed differently on both sides: the latest dated entry of the merged
  `history` decides, if it names one of the two stages; a tie between different stages
  is a conflict.
- Any other field changed differently on both sides is a conflict: git-style markers
  around that one line, everything else merged. A side that is not valid TOML, a
  conflict on a whole table, or a result that would not read back as the merged data
  makes the whole file one conflict. Nothing is ever picked silently.
"""

from __future__ import annotations

import copy
import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Item, Table, Whitespace
from tomlkit.items import Comment as TomlComment

from .edit import Append, Change, SetKey, apply_document, apply_plain, pop_trailing
from .format import APPENDED

BOM = b"\xef\xbb\xbf"
MARKER = 7  # git's default conflict-marker size


@dataclass(frozen=True, slots=True)
class MergeResult:
    data: bytes
    conflicts: tuple[str, ...] = ()  # what could not be merged, e.g. "amount"

    @property
    def clean(self) -> bool:
        return not self.conflicts


class _Unmergeable(Exception):
    """The file cannot be merged field by field; it becomes one conflict."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
Path = tuple[str, ...]
Entries = list[dict[str, Any]]


def merge_customer(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """Merge what THEIRS changed since BASE into OURS."""
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    try:
        texts = [_decode(side, raw) for side, raw in (("base", base), ("ours", ours), ("theirs", theirs))]
        text, conflicts = _Merge(*texts).run()
    except _Unmergeable as exc:
        return MergeResult(_whole_file(ours, theirs), (f"the whole file: {exc}",))
    except Exception as exc:  # a surprise in tomlkit must still end as a visible conflict
        return MergeResult(_whole_file(ours, theirs), (f"the whole file: cannot merge ({exc!r})",))
    return MergeResult((BOM if ours.startswith(BOM) else b"") + text.encode("utf-8"), conflicts)


def _decode(side: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
        tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _Unmergeable(f"{side} is not valid TOML ({exc})") from exc
    return text


def _whole_file(ours: bytes, theirs: bytes) -> bytes:
    def ended(raw: bytes) -> bytes:
        return raw if not raw or raw.endswith(b"\n") else raw + b"\n"

    return (
        b"<" * MARKER + b" ours\n" + ended(ours) + b"=" * MARKER + b"\n" + ended(theirs)
        + b">" * MARKER + b" theirs\n"
    )  # fmt: skip


class _Merge:
    def __init__(self, base: str, ours: str, theirs: str) -> None:
        self.base, self.ours, self.theirs = (tomllib.loads(t) for t in (base, ours, theirs))
        try:
            self.doc = tomlkit.parse(ours)
            self.their_doc = tomlkit.parse(theirs)
        except TOMLKitError as exc:  # tomlkit is stricter than tomllib in corners
            raise _Unmergeable(f"cannot edit it safely ({exc})") from exc
        self.texts = base, ours, theirs
        self.ops: list[Change | _Put] = []
        self.conflicts: dict[str, tuple[Path, str | None, str | None]] = {}  # token -> where, lines
        self.history: Entries = self.ours.get("history", [])
        self.unioned: set[str] = set()  # appended arrays merged entry by entry

    def run(self) -> tuple[str, tuple[str, ...]]:
        """The merged text and the conflicts marked in it."""
        b, o, t = self.base, self.ours, self.theirs
        for name in APPENDED:
            if _is_entries(o.get(name)) and _is_entries(t.get(name)) and _is_entries(b.get(name, [])):
                self._entries(name, b.get(name, []), o[name], t[name])
        for key in _keys(o, t):
            if key not in self.unioned:
                self._key((key,), b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
        intended = self.ours
        for op in self.ops:
            if isinstance(op, _Put):
                op.apply_document(self.doc)
                intended = op.apply_plain(intended)
            else:
                apply_document(self.doc, [op])
                intended = apply_plain(intended, [_plain(op)])
        text = tomlkit.dumps(self.doc)
        if not _reads_as(text, intended):
            raise _Unmergeable("the merged text would not read back as the merged data")
        if self.conflicts:
            return self._markers(text)
        # Both sides' changes apart, line by line, give the same data? Then that text is the
        # better result: it also keeps comments the other side added to lines we left alone.
        by_lines = merge_lines(*self.texts)
        if by_lines is not None and _reads_as(by_lines, intended):
            return by_lines, ()
        return text, ()

    # -- appended arrays ------------------------------------------------------------------

    def _entries(self, name: str, b: Entries, o: Entries, t: Entries) -> None:
        self.unioned.add(name)
        merged = list(o)
        removed: Entries = []
        added: list[int] = []  # indexes into theirs
        matcher = SequenceMatcher(None, [repr(e) for e in b], [repr(e) for e in t], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            unpaired = list(range(j1, j2))
            for old in b[i1:i2]:  # an entry of theirs with the same date replaced it: a rewrite
                i = _index(merged, old)
                j = next((j for j in unpaired if when(t[j]) == when(old)), None)
                if i is not None and j is not None and _index(t, old) is None:
                    self._rewrite(name, i, old, j)  # in place: the entry's comments stay
                    merged[i] = t[j]
                    unpaired.remove(j)
                else:
                    removed.append(old)
            added += unpaired
        for entry in removed:
            i = _index(merged, entry)
            if i is not None and _index(t, entry) is None:  # not just moved
                self.ops.append(_Put((name, i)))
                del merged[i]
        new: list[int] = []
        for j in added:
            if (
                _index(b, t[j]) is None
                and _index(merged, t[j]) is None
                and _index([t[n] for n in new], t[j]) is None
            ):
                new.append(j)
        for j in sorted(new, key=lambda j: when(t[j])):
            at = next((i + 1 for i in range(len(merged) - 1, -1, -1) if when(merged[i]) <= when(t[j])), 0)
            merged.insert(at, t[j])
            self.ops.append(Append(name, self._their_entry(name, j), None if at == len(merged) - 1 else at))
        if name == "history":
            self.history = merged

    def _their_entry(self, name: str, j: int) -> dict[str, Any]:
        """Their entry; with its items (and their line comments) when both sides write tables."""
        theirs = _item(self.their_doc, (name, j))
        if isinstance(theirs, Table) and isinstance(self.doc.get(name), AoT):
            return {key: theirs[key] for key in theirs}
        return self.theirs[name][j]

    def _rewrite(self, name: str, i: int, old: dict[str, Any], j: int) -> None:
        """Their changes to one entry, key by key, made to our entry ``i``."""
        entry = self.theirs[name][j]
        for key in _keys(old, entry):
            if not same(old.get(key, MISSING), entry.get(key, MISSING)):
                value = self._theirs((name, j, key), entry[key]) if key in entry else MISSING
                self.ops.append(_Put((name, i, key), value))

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
            self.ops.append(_Put(path))
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
        item = _item(self.their_doc, path)
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
            raise _Unmergeable(f"both sides changed {'.'.join(path)} differently")
        token = _token(self.texts[1])
        ours_raw = None if o is MISSING else _raw(self.doc, path)
        theirs_raw = None if t is MISSING else _raw(self.their_doc, path)
        self.conflicts[token] = (path, ours_raw, theirs_raw)
        self.ops.append(SetKey(path, token))

    def _markers(self, text: str) -> tuple[str, tuple[str, ...]]:
        """Replace each conflict's placeholder line by ours/theirs versions of that line."""
        lines = text.splitlines(keepends=True)
        for token, (_, ours_raw, theirs_raw) in self.conflicts.items():
            quoted = tomlkit.string(token).as_string()
            i = next(i for i, line in enumerate(lines) if quoted in line)
            line = lines[i] if lines[i].endswith("\n") else lines[i] + "\n"
            lines[i] = (
                "<" * MARKER + " ours\n"
                + ("" if ours_raw is None else line.replace(quoted, ours_raw))
                + "=" * MARKER + "\n"
                + ("" if theirs_raw is None else line.replace(quoted, theirs_raw))
                + ">" * MARKER + " theirs\n"
            )  # fmt: skip
        return "".join(lines), tuple(".".join(path) for path, _, _ in self.conflicts.values())


@dataclass(frozen=True, slots=True)
class _Put:
    """Set, or delete (no value), what a path names; paths may pass through entries: ("log", 2)."""

    path: tuple[str | int, ...]
    value: Any = MISSING

    def apply_plain(self, data: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(data)
        parent = _walk(out, self.path[:-1])
        if self.value is MISSING:
            del parent[self.path[-1]]
        else:
            parent[self.path[-1]] = _unwrap(self.value)
        return out

    def apply_document(self, doc: tomlkit.TOMLDocument) -> None:
        parent, last = _walk(doc, self.path[:-1]), self.path[-1]
        if self.value is not MISSING:
            parent[last] = self.value
            return
        item = parent[last]
        if isinstance(item, Table) and isinstance(parent, AoT):
            _hand_over(item, parent[last - 1] if last else _table_before(doc, parent))
            if last == 0 and len(parent) > 1:  # the next entry takes the removed one's spacing
                parent[1].trivia.indent = item.trivia.indent
        elif isinstance(item, Table):
            _hand_over(item, _table_before(doc, item) if parent is doc else None)
        del parent[last]


def _hand_over(removed: Table, before: Table | None) -> None:
    """Comments after a removed table belong to what follows it: keep them, after ``before``."""
    trailing = pop_trailing(removed)
    if not any(isinstance(item, TomlComment) for item in trailing):
        return
    if before is None:
        raise _Unmergeable("removing a table would lose the comment after it")
    body = before.value.body
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        body.pop()
    for item in trailing:
        before.add(item)


def _table_before(doc: tomlkit.TOMLDocument, item: Item) -> Table | None:
    """The table whose body ends just before a top-level table or array of tables."""
    pos = next((i for i, (_, it) in enumerate(doc.body) if it is item), 0)
    before = doc.body[pos - 1][1] if pos else None
    if isinstance(before, AoT) and len(before):
        return before[-1]
    return before if isinstance(before, Table) else None


# -- helpers ------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal as TOML values: types must match (1 is not 1.0 nor true) and nan equals nan."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def when(entry: dict[str, Any]) -> tuple[int, str]:
    """Sort key of an appended entry: its date; entries without one sort last."""
    value = entry.get("date")
    if isinstance(value, date):  # datetimes too: "2026-11-18" < "2026-11-18T09:00:00"
        return (0, value.isoformat())
    if isinstance(value, str):  # a quoted date (accepted with a warning)
        return (0, value)
    return (1, "")


def _is_entries(value: Any) -> bool:
    """Is this an appended array: a list of tables?"""
    return isinstance(value, list) and all(isinstance(e, dict) for e in value)


def _index(entries: Entries, entry: dict[str, Any]) -> int | None:
    return next((i for i, e in enumerate(entries) if same(e, entry)), None)


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


def merge_lines(base: str, ours: str, theirs: str) -> str | None:
    """A line-based three-way merge, when the two sides' changes neither overlap nor touch."""
    lines = base.splitlines(keepends=True)
    hunks: list[tuple[int, int, list[str]]] = []
    for side in (ours, theirs):
        new = side.splitlines(keepends=True)
        matcher = SequenceMatcher(None, lines, new, autojunk=False)
        hunks += [(i1, i2, new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    out: list[str] = []
    pos, last = 0, None
    for hunk in sorted(hunks, key=lambda h: (h[0], h[1])):
        if last is not None and hunk[0] <= last[1]:
            if hunk == last:  # the same change on both sides
                continue
            return None
        out += lines[pos : hunk[0]] + hunk[2]
        pos, last = hunk[1], hunk
    return "".join(out + lines[pos:])


def _reads_as(text: str, data: dict[str, Any]) -> bool:
    try:
        return same(tomllib.loads(text), data)
    except tomllib.TOMLDecodeError:
        return False


def _plain(change: Change) -> Change:
    if isinstance(change, SetKey):
        return SetKey(change.path, _unwrap(change.value))
    return Append(change.array, {k: _unwrap(v) for k, v in change.entry.items()}, change.at)


def _item(doc: tomlkit.TOMLDocument, path: tuple[str | int, ...]) -> Any:
    node: Any = doc
    for key in path:
        if isinstance(node, list):
            found = isinstance(key, int) and key < len(node)
        else:
            found = isinstance(node, dict) and key in node
        if not found:
            return None
        node = node[key]
    return node


def _raw(doc: tomlkit.TOMLDocument, path: Path) -> str:
    """A value as written, e.g. ``250_000`` or ``"张伟"``."""
    item = _item(doc, path)
    if not isinstance(item, Item):
        raise _Unmergeable(f"cannot find {'.'.join(path)} to mark the conflict")
    return item.as_string()


def _walk(node: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _unwrap(value: Any) -> Any:
    return value.unwrap() if isinstance(value, Item) else value


def _token(text: str) -> str:
    while True:
        token = f"tuiboard-conflict-{secrets.token_hex(8)}"
        if token not in text:
            return token
