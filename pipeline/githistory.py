"""Who changed which field of a customer, when: a timeline read from git.

Two git calls per customer whatever its length: one ``git log --follow`` lists the
commits that touched the file (and its name in each), one ``git cat-file --batch`` reads
every version of it and of its parents. Each commit's changes are computed once and kept
by (commit, path): a commit never changes, so a later call only reads the new commits.
A merge commit appears only where its result differs from every parent: a conflict
settled by hand, credited to whoever settled it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomli

from .gitrepo import Repo
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
    """Timelines of customer files in one repository, cached by commit."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._changes: dict[tuple[str, str], list[FieldChange]] = {}

    def timeline(self, git_path: str, field: str | None = None) -> list[FieldChange]:
        """Newest first. ``field`` keeps one field (``amount``) or a table's (``next``)."""
        entries = self._log(git_path)
        todo = [e for e in entries if (e.sha, e.path) not in self._changes]
        if todo:
            self._compute(todo)
        out = [c for e in entries for c in self._changes[(e.sha, e.path)]]
        if field:
            out = [c for c in out if c.field == field or c.field.startswith(field + ".")]
        return out

    def _log(self, git_path: str) -> list[_Entry]:
        raw = self.repo.run(
            "log",
            "--follow",
            "--cc",  # a merge shows only where its result differs from every parent
            f"--max-count={MAX_COMMITS}",
            "-z",
            "--name-status",
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
            old_path = path
            if fields and fields[0][:1] in ("R", "C") and len(fields) >= 3:
                old_path, path = fields[1], fields[2]
            elif len(fields) >= 2:
                old_path = path = fields[1]
            out.append(_Entry(sha, tuple(parents.split()), author, when, path, old_path))
            path = old_path  # older commits know the file by its old name
        return out

    def _compute(self, entries: list[_Entry]) -> None:
        specs = []
        for e in entries:
            specs.append(f"{e.sha}:{e.path}")
            specs += [f"{p}:{e.old_path}" for p in e.parents]
        parsed: dict[bytes, dict[str, Any] | None] = {}  # a version is its parent's child: parse once

        def parse(raw: bytes | None) -> dict[str, Any] | None:
            if raw is None:
                return None
            if raw not in parsed:
                parsed[raw] = _parse(raw)
            return parsed[raw]

        blobs = iter(self.repo.blobs(specs))
        for e in entries:
            after = parse(next(blobs))
            befores = [parse(next(blobs)) for _ in e.parents]
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


def _parse(raw: bytes) -> dict[str, Any] | None:
    if len(raw) > MAX_FILE_BYTES:  # as the reader: a version over the limit is not read
        return None
    try:
        return tomli.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError, RecursionError):
        return None  # a version with conflict markers: it shows as removed, then back
