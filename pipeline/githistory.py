"""Who changed which field of a customer, when: a timeline read from git.

Two git calls per customer whatever its length, run side by side: one ``git log --follow
--raw`` lists the commits that touched the file with its blob id before and after each
(renames followed), one ``git cat-file --batch``, started meanwhile, reads the versions
not read before. Versions are parsed by
section and kept by blob id, each commit's changes by (commit, path): neither ever
changes, so a later call only reads the new commits. A merge commit appears only where its
result differs from every parent: a conflict settled by hand, credited to whoever settled it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import tomli

from .gitrepo import BlobReader, Repo
from .model import APPENDED
from .tomlread import MAX_FILE_BYTES

MAX_COMMITS = 5000  # bounds one timeline on a hostile or enormous history


@dataclass(frozen=True, slots=True)
class FieldChange:
    commit: str
    author: str
    when: str  # ISO 8601 with the author's offset
    field: str  # "amount", "next.due", "log"
    old: Any  # None when the field was not there
    new: Any  # None when the field was removed; for log/history/objections the entry
    settled: bool = False  # a merge's own choice


@dataclass(frozen=True, slots=True)
class _Entry:
    sha: str
    parents: tuple[str, ...]
    author: str
    when: str
    path: str
    old_path: str
    before: tuple[str | None, ...]  # the file's blob in each parent (None: not there)
    after: str | None  # its blob in this commit (None: deleted)


_MISSING: Any = object()


def diff_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for every leaf value that differs; appended arrays entry by entry."""
    b, a = before or {}, after or {}
    out: list[tuple[str, Any, Any]] = []
    for key in [*a, *(k for k in b if k not in a)]:
        old, new = b.get(key, _MISSING), a.get(key, _MISSING)
        if old == new:
            continue
        if (
            key in APPENDED
            and isinstance(old if old is not _MISSING else [], list)
            and isinstance(new if new is not _MISSING else [], list)
        ):
            out += _entries(key, [] if old is _MISSING else old, [] if new is _MISSING else new)
        else:
            out += _leaves(key, old, new)
    return out


def _leaves(name: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    if isinstance(old, dict) or isinstance(new, dict):
        o = old if isinstance(old, dict) else {}
        n = new if isinstance(new, dict) else {}
        out = []
        for key in [*n, *(k for k in o if k not in n)]:
            ov, nv = o.get(key, _MISSING), n.get(key, _MISSING)
            if ov != nv:
                out += _leaves(f"{name}.{key}", ov, nv)
        if not isinstance(old, dict) and old is not _MISSING:
            out.insert(0, (name, old, None))
        if not isinstance(new, dict) and new is not _MISSING:
            out.append((name, None, new))
        return out
    return [(name, None if old is _MISSING else old, None if new is _MISSING else new)]


def _entries(name: str, old: list[Any], new: list[Any]) -> list[tuple[str, Any, Any]]:
    same = 0  # an unchanged prefix (the same parsed objects, mostly) needs no repr
    while same < min(len(old), len(new)) and (old[same] is new[same] or old[same] == new[same]):
        same += 1
    old, new = old[same:], new[same:]
    remaining = [repr(e) for e in old]
    added = []
    for entry in new:
        r = repr(entry)
        if r in remaining:
            remaining.remove(r)
        else:
            added.append(entry)
    removed = [e for e in old if repr(e) in remaining]
    return [(name, e, None) for e in removed] + [(name, None, e) for e in added]


class History:
    """Timelines of customer files in one repository, cached by commit and by version."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._changes: dict[tuple[str, str], list[FieldChange]] = {}
        self._versions = Versions()

    def timeline(self, git_path: str, field: str | None = None) -> list[FieldChange]:
        """Newest first. ``field`` keeps one field (``amount``) or a table's (``next``)."""
        with self.repo.blob_reader() as reader:  # starts while git log runs
            entries = self._log(git_path)
            todo = [e for e in entries if (e.sha, e.path) not in self._changes]
            if todo:
                self._compute(todo, reader)
        out = [c for e in entries for c in self._changes[(e.sha, e.path)]]
        if field:
            out = [c for c in out if c.field == field or c.field.startswith(field + ".")]
        return out

    def _log(self, git_path: str) -> list[_Entry]:
        """One ``git log --raw``: each commit with the file's blob before (per parent) and after."""
        raw = self.repo.run(
            "log",
            "--follow",
            "--cc",  # a merge shows only where its result differs from every parent
            f"--max-count={MAX_COMMITS}",
            "-z",
            "--raw",
            "--no-abbrev",
            "--format=%x1e%H%x1f%P%x1f%an%x1f%aI",
            "HEAD",
            "--",
            git_path,
            check=False,
        ).stdout.decode("utf-8", "replace")
        out = []
        path = git_path
        for record in raw.split("\x1e")[1:]:
            head, _, rest = record.partition("\0")
            sha, parents, author, when = head.split("\x1f")
            fields = [f for f in rest.lstrip("\n").split("\0") if f]
            before: tuple[str | None, ...] = ()
            old_path, after = path, None
            if fields and fields[0].startswith(":"):
                meta = fields[0].lstrip(":").split(" ")
                n = len(fields[0]) - len(fields[0].lstrip(":"))  # parents in a combined diff
                blobs = [None if set(b) == {"0"} else b for b in meta[n + 1 : 2 * n + 2]]
                before, after = tuple(blobs[:n]), blobs[n]
                names = fields[1:]
                if meta[-1][:1] in ("R", "C") and len(names) >= 2:
                    old_path, path = names[0], names[1]
                elif names:
                    old_path = path = names[0]
            out.append(_Entry(sha, tuple(parents.split()), author, when, path, old_path, before, after))
            path = old_path  # older commits know the file by its old name
        return out

    def _compute(self, entries: list[_Entry], reader: BlobReader) -> None:
        self._versions.read(reader, [b for e in entries for b in (*e.before, e.after)])
        version = self._versions.get
        for e in entries:
            after = version(e.after)
            befores = [version(b) for b in e.before]
            if len(befores) <= 1:
                diff = diff_fields(befores[0] if befores else None, after)
                changes = [FieldChange(e.sha, e.author, e.when, *d) for d in diff]
            else:  # a merge: only what differs from every parent was decided here
                sides = [{(f, repr(new)) for f, _, new in diff_fields(b, after)} for b in befores]
                diff = [
                    d for d in diff_fields(befores[0], after) if all((d[0], repr(d[2])) in s for s in sides)
                ]
                changes = [FieldChange(e.sha, e.author, e.when, *d, settled=True) for d in diff]
            self._changes[(e.sha, e.path)] = changes


class Versions:
    """Parsed versions of customer files by blob id, each parsed section by section.

    Consecutive versions of a file share nearly every section (the part before the first
    header, each ``[table]`` and ``[[entry]]``), so a section's text is parsed once and
    its value reused: a customer with 200 commits costs a few hundred small parses, not 200
    whole files. A file whose sections cannot stand alone (a header inside a multi-line
    string, a dotted header, a table defined twice) is parsed whole, as the reader would.
    """

    def __init__(self) -> None:
        self._by_blob: dict[str, dict[str, Any] | None] = {}
        self._roots: dict[str, dict[str, Any] | None] = {}  # the text before the first header
        self._sections: dict[str, tuple[str, bool, Any] | None] = {}  # by text after its "\n["

    def get(self, blob: str | None) -> dict[str, Any] | None:
        return None if blob is None else self._by_blob.get(blob)

    def read(self, source: Repo | BlobReader, blobs: list[str | None]) -> None:
        todo = sorted({b for b in blobs if b is not None and b not in self._by_blob})
        for blob, raw in zip(todo, source.blobs(todo), strict=True):
            self._by_blob[blob] = None if raw is None else self.parse(raw)

    def parse(self, raw: bytes) -> dict[str, Any] | None:
        if len(raw) > MAX_FILE_BYTES:  # as the reader: a version over the limit is not read
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        fast = self._by_sections(text)
        return fast if fast is not None else _parse(text)

    def _by_sections(self, text: str) -> dict[str, Any] | None:
        root, *rest = ("\n" + text).split("\n[")
        top = self._root(root)
        if top is None:
            return None
        out = dict(top)
        arrays: dict[str, list[Any]] = {}
        for piece in rest:
            section = self._sections.get(piece, _UNSEEN)
            if section is _UNSEEN:
                section = self._sections[piece] = _section("[" + piece)
            if section is None:
                return None
            name, array, value = section
            if array and (name in arrays or name not in out):
                if name not in arrays:
                    out[name] = arrays[name] = []
                arrays[name] += value
            elif not array and name not in out:
                out[name] = value
            else:  # a table defined twice, an array after a value: let the whole parse judge
                return None
        return out

    def _root(self, text: str) -> dict[str, Any] | None:
        if text not in self._roots:
            self._roots[text] = _parse(text)
        return self._roots[text]


_UNSEEN: Any = object()
_HEADER = re.compile(r"(\[\[?)[ \t]*([A-Za-z0-9_-]+)[ \t]*(\]\]?)[ \t]*(?:#[^\n]*)?\r?(?:\n|$)")


def _section(text: str) -> tuple[str, bool, Any] | None:
    """A section that starts with a plain ``[name]`` or ``[[name]]`` header, parsed alone:
    (name, is an array entry, its table or its entries); None when it cannot stand alone."""
    m = _HEADER.match(text)
    if m is None or len(m[1]) != len(m[3]):
        return None
    parsed = _parse(text)
    if parsed is None or list(parsed) != [m[2]]:
        return None
    value = parsed[m[2]]
    array = m[1] == "[["
    return (m[2], array, value) if isinstance(value, list if array else dict) else None


def _parse(text: str) -> dict[str, Any] | None:
    try:
        return tomli.loads(text)
    except (tomli.TOMLDecodeError, RecursionError):
        return None  # a version with conflict markers: it shows as removed, then back
