"""Settling one conflicted customer file, field by field: what conflicts, and the result.

The conflicting fields are the ones the merge driver itself reports. A pick makes both
sides agree on that field (ours takes their value, or theirs takes ours); the driver then
merges the two cleanly, so everything else is merged exactly as it would have been.
"Ours" is always this rep's side: during a rebase git's stages are the other way round
(the rep's commit is replayed onto theirs), and `load_conflict` swaps them back.
The CLI's `resolve` and the board's settle screen both load with `load_conflict` and
write with `write_settled`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomlkit

from .config import Config
from .edit import SetKey, apply_document, atomic_write
from .format import parse_customer
from .gitrepo import Repo
from .import_cells import convert
from .lock import file_lock
from .merge import MISSING, merge_customer
from .model import FIELD, Fingerprint
from .sync import customer_id
from .tomlread import data_of, read_file

Side = Literal["ours", "theirs"]
WHOLE = "*"  # the pick that takes one side's whole file


@dataclass(frozen=True, slots=True)
class Edited:
    """A value typed while settling: both sides get it."""

    value: Any


Pick = Side | Edited


class SettleError(Exception):
    """The picks do not settle the file; nothing was written."""


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str  # "amount", "next.due"
    base: Any  # MISSING when that side has no such key
    ours: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class Conflict:
    base: bytes | None  # None: the file is not there on that side
    ours: bytes | None
    theirs: bytes | None
    fields: tuple[FieldConflict, ...]  # empty when only the whole file can be picked
    reason: str = ""  # why only the whole file can be picked

    @property
    def whole_file(self) -> bool:
        return not self.fields


def _get(data: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def find_conflict(base: bytes | None, ours: bytes | None, theirs: bytes | None) -> Conflict:
    """What the driver cannot merge in these three versions."""
    if ours is None or theirs is None:
        gone = "ours" if ours is None else "theirs"
        return Conflict(base, ours, theirs, (), f"{gone} deleted the file, the other side changed it")
    result = merge_customer(base or b"", ours, theirs)
    sides = [data_of(raw) for raw in (base, ours, theirs)]
    fields = []
    for name in result.conflicts:
        path = tuple(name.split("."))
        values = [_get(d, path) for d in sides]
        if sides[1] is None or sides[2] is None or all(v is MISSING for v in values[1:]):
            return Conflict(base, ours, theirs, (), name)
        fields.append(FieldConflict(name, *values))
    if not fields and not result.clean:
        return Conflict(base, ours, theirs, (), "the file cannot be merged field by field")
    return Conflict(base, ours, theirs, tuple(fields))


def settle(conflict: Conflict, picks: Mapping[str, Pick]) -> bytes | None:
    """The settled file (None: deleted). Every conflicting field must be picked (a side or
    an `Edited` value), or the whole file with ``picks[WHOLE]``."""
    if WHOLE in picks:
        return conflict.ours if picks[WHOLE] == "ours" else conflict.theirs
    if conflict.whole_file:
        raise SettleError(f"only the whole file can be picked here: {conflict.reason}")
    missing = [f.field for f in conflict.fields if f.field not in picks]
    if missing:
        raise SettleError(f"no pick for {', '.join(missing)}")
    assert conflict.ours is not None and conflict.theirs is not None
    ours, theirs = conflict.ours, conflict.theirs
    for f in conflict.fields:
        path = tuple(f.field.split("."))
        pick = picks[f.field]
        if isinstance(pick, Edited):
            ours, theirs = _put(ours, path, pick.value), _put(theirs, path, pick.value)
        elif pick == "theirs":
            ours = _put(ours, path, f.theirs)
        else:
            theirs = _put(theirs, path, f.ours)
    result = merge_customer(conflict.base or b"", ours, theirs)
    if not result.clean:
        raise SettleError(f"still conflicting after the picks: {', '.join(result.conflicts)}")
    return result.data


def _put(raw: bytes, path: tuple[str, ...], value: Any) -> bytes:
    """``raw`` with ``path`` set to ``value`` (deleted for MISSING), formatting kept."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    doc = tomlkit.parse(raw.decode("utf-8-sig"))
    if value is MISSING:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    else:
        apply_document(doc, [SetKey(path, value)])
    return (b"\xef\xbb\xbf" if bom else b"") + tomlkit.dumps(doc).encode("utf-8")


def conflicted(repo: Repo) -> dict[str, str]:
    """Conflicted customer ids -> their git paths."""
    return {cid: u.path for u in repo.unmerged(repo.scope) if (cid := customer_id(u.path))}


def load_conflict(repo: Repo, git_path: str) -> Conflict:
    """The conflict in one unmerged file, "ours" being this rep's side even in a rebase."""
    u = next(u for u in repo.unmerged(git_path) if u.path == git_path)
    ours, theirs = (u.theirs, u.ours) if repo.rebasing() else (u.ours, u.theirs)
    blob = lambda sha: repo.blob(sha) if sha else None  # noqa: E731
    return find_conflict(blob(u.base), blob(ours), blob(theirs))


def write_settled(repo: Repo, config: Config, root: Path, git_path: str, data: bytes | None) -> None:
    """Write the settled file through the verified write (parsed first: no errors, or
    nothing is written; under the folder's lock, against the fingerprint of the marked
    file) and `git add` it; None deletes it. SettleError or WriteError: nothing written."""
    if data is None:
        repo.run("rm", "-q", "--ignore-unmatch", "--", git_path)
        return
    path = repo.local(git_path)
    _, problems = parse_customer(data, path, config)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise SettleError(f"the settled file would have errors; not written: {errors[0].format(root)}")
    with file_lock(path):
        current = read_file(path)
        if current is None and os.path.lexists(path):
            raise SettleError(f"{path} is not a regular file; not written")
        atomic_write(path, data, expected=Fingerprint.of(current, 0) if current is not None else None)
    repo.run("add", "--", git_path)


def parse_value(text: str, field: str, ours: Any) -> Any:
    """A value typed while settling ``field``: a known field read by its kind, as the form and
    an import read it (``28万``, ``2026年12月``: `import_cells.convert`; a ValueError says why
    not); any other as TOML (``120000``, ``"x"``, ``[1, 2]``), else the text itself."""
    if field in FIELD:
        return convert(tuple(field.split(".")), text.strip(), None if ours is MISSING else ours, typed=True)
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()
