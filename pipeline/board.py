"""`Board`: one consistent view of a pipeline folder (config, customers, problems)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .layout import CUSTOMERS_DIR
from .model import Customer
from .problems import Problem, Severity


@dataclass(slots=True)
class Board:
    """One consistent view of the folder. Broken files keep their last good customer."""

    root: Path
    config: Config
    customers: dict[str, Customer]
    problems_by_file: dict[Path, list[Problem]] = field(default_factory=dict)

    def __repr__(self) -> str:
        """Short: Textual names a worker by the repr of its arguments (the charts' get the
        board), and every customer's repr would decode its data (50k: 15 s, 350 MB)."""
        counts = f"{len(self.customers)} customers, {len(self.problems_by_file)} files with problems"
        return f"Board({str(self.root)!r}, {counts})"

    @property
    def problems(self) -> list[Problem]:
        out = [p for ps in self.problems_by_file.values() for p in ps]
        return sorted(out, key=lambda p: (str(p.path), p.line, p.column))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def customer(self, customer_id: str) -> Customer | None:
        return self.customers.get(customer_id)

    def problems_for(self, customer_id: str) -> list[Problem]:
        return self.problems_by_file.get(self.customers_dir / f"{customer_id}.toml", [])

    @property
    def customers_dir(self) -> Path:
        return self.root / CUSTOMERS_DIR


@dataclass(slots=True)
class ReloadResult:
    board: Board
    changed: set[str]  # ids added or whose data changed
    removed: set[str]


def changes_since(before: dict[str, Customer], board: Board) -> ReloadResult:
    """What a reload changed: customers added, or whose file or problems differ; removed."""
    after = board.customers
    changed = {
        cid
        for cid, c in after.items()
        if cid not in before or before[cid].fingerprint != c.fingerprint or before[cid].problems != c.problems
    }
    return ReloadResult(board, changed, set(before) - set(after))


def removed_stage(path: Path, stage: str) -> Problem:
    message = f"stage {stage!r} was removed from pipeline.toml; move this customer to a current stage"
    return Problem(path, 0, 0, Severity.ERROR, message)


def duplicate_ids(folder: Path, names: Iterable[str]) -> dict[str, Problem]:
    """Ids that differ only by case or Unicode normalisation clash on macOS and Windows.

    The first of a clashing group in sorted order is kept; only clashes are sorted.
    """
    first: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for name in names:
        key = (name if name.isascii() else unicodedata.normalize("NFC", name)).casefold()
        kept = first.setdefault(key, name)
        if kept is not name:
            groups.setdefault(key, [kept]).append(name)
    out: dict[str, Problem] = {}
    for group in groups.values():
        kept, *others = sorted(group)
        for name in others:
            msg = f"duplicate customer id: {name} and {kept} differ only by case"
            out[name] = Problem(folder / name, 0, 0, Severity.ERROR, msg)
    return out
