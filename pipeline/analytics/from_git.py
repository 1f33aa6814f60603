"""What only git knows: the folder as it was committed on a past day, and how each customer's
expected close date slipped and its amount drifted (the forecast's honesty, issue 11).

`customers_at` reads every customer file of the last commit on or before a day (one
``git ls-tree`` and one ``git cat-file --batch``), so that ``report --at`` rebuilds every
field, not only the stage. `slip_report` reads each customer's timeline
(`pipeline.githistory`, two git calls a customer, cached by commit) and `drift` sums one
customer's changes: a pure function, tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Config
from ..format import parse_customer
from ..githistory import FieldChange, History
from ..gitrepo import Repo
from ..model import Customer
from ..store import CUSTOMERS_DIR, is_customer_file
from .snapshot import money, rate

MAX_FILES = 200_000  # bounds one past folder read from a hostile repository


@dataclass(frozen=True, slots=True)
class PastFolder:
    commit: str
    committed: str  # ISO 8601, the committer's date
    customers: list[Customer]


def customers_at(repo: Repo, day: date, config: Config) -> PastFolder | None:
    """The customers of the last commit on HEAD made on or before ``day`` (its end, local
    time); None when there is none. Files that do not parse are left out, as on a load."""
    found = repo.text(
        "log", "-1", "--format=%H %cI", f"--before={day.isoformat()} 23:59:59", "HEAD", check=False
    )
    if not found.strip():
        return None
    commit, committed = found.split()[:2]
    listing = repo.run("ls-tree", "-r", "-z", "--name-only", commit, "--", f"{repo.prefix}{CUSTOMERS_DIR}/")
    names = [n for n in listing.stdout.decode("utf-8", "replace").split("\0") if n]
    names = [n for n in names[:MAX_FILES] if is_customer_file(n.rsplit("/", 1)[-1])]
    customers = []
    for name, raw in zip(names, repo.blobs([f"{commit}:{n}" for n in names]), strict=True):
        if raw is not None:
            customer, _ = parse_customer(raw, Path(repo.local(name)), config)
            if customer is not None:
                customers.append(customer)
    return PastFolder(commit, committed, customers)


@dataclass(frozen=True, slots=True)
class Drift:
    """One customer's expected close date and amount over its commits."""

    close_changes: int  # the date changed from one day to another
    slips: int  # ... to a later day
    slip_days: int  # days pushed out, over every slip
    pulled_in: int  # ... to an earlier day
    first_close: date | None  # the first expected close git saw
    amount_changes: int
    first_amount: float | None  # the first amount git saw


def drift(changes: Sequence[FieldChange]) -> Drift:
    """Sum `githistory` changes (newest first, as `History.timeline` gives them)."""
    oldest_first = list(reversed(changes))
    closes = [(c.old, c.new) for c in oldest_first if c.field == "expected_close"]
    moves = [(o, n) for o, n in closes if isinstance(o, date) and isinstance(n, date) and o != n]
    amounts = [(c.old, c.new) for c in oldest_first if c.field == "amount"]
    return Drift(
        close_changes=len(moves),
        slips=sum(n > o for o, n in moves),
        slip_days=sum((n - o).days for o, n in moves if n > o),
        pulled_in=sum(n < o for o, n in moves),
        first_close=_first(closes, date),
        amount_changes=sum(_number(o) is not None and _number(n) is not None for o, n in amounts),
        first_amount=_first(amounts, float),
    )


def _not_committed(changes: Sequence[FieldChange], c: Customer) -> list[FieldChange]:
    """The amount and expected close as the file has them now, where that differs from its
    last commit: a change not committed yet, counted with the others (the totals read the
    file as it is, and a count from the commits alone said 0 changes beside a drift)."""
    out = []
    for field, now in (("amount", c.amount), ("expected_close", c.expected_close)):
        last = next((ch.new for ch in changes if ch.field == field), None)
        if now != last:
            out.append(FieldChange("", "", "", field, last, now))
    return out


def _first(pairs: list[tuple[Any, Any]], kind: type) -> Any:
    for old, new in pairs:
        for value in (old, new):
            if kind is float and _number(value) is not None:
                return float(value)
            if kind is date and isinstance(value, date):
                return value
    return None


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def slip_report(repo: Repo, customers: Sequence[Customer]) -> dict[str, Any]:
    """Per customer whose file git knows, and in total: how often the expected close date
    was pushed out and how far, and how the amount moved from the first one git saw."""
    history = History(repo)
    rows: list[dict[str, Any]] = []
    for c in customers:
        changes = history.timeline(repo.rel(c.path))
        if not changes:
            continue
        d = drift([*_not_committed(changes, c), *changes])
        first_amount = d.first_amount if d.first_amount is not None else c.amount
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "owner": c.owner,
                "stage": c.stage,
                "commits": len({ch.commit for ch in changes}),
                "first_close": d.first_close.isoformat() if d.first_close else None,
                "expected_close": c.expected_close.isoformat() if c.expected_close else None,
                "close_changes": d.close_changes,
                "slips": d.slips,
                "slip_days": d.slip_days,
                "pulled_in": d.pulled_in,
                "first_amount": first_amount,
                "amount": c.amount,
                "amount_changes": d.amount_changes,
                "amount_drift": None
                if c.amount is None or first_amount is None
                else money([c.amount, -first_amount]),
            }
        )
    rows.sort(key=lambda r: (-r["slips"], -r["slip_days"], r["id"]))
    dated = [r for r in rows if r["first_close"] or r["expected_close"]]
    slipped = [r for r in rows if r["slips"]]
    slips = sum(r["slips"] for r in rows)
    moved = [r for r in rows if r["amount_drift"] is not None]
    first_total = money(r["first_amount"] for r in moved)
    drift_total = money(r["amount_drift"] for r in moved)
    return {
        "customers": len(rows),
        "with_close_date": len(dated),
        "slipped": len(slipped),
        "slip_rate": rate(len(slipped), len(dated)),
        "slips": slips,
        "mean_slip_days": None if not slips else round(sum(r["slip_days"] for r in rows) / slips, 1),
        "amount_changed": sum(1 for r in rows if r["amount_changes"]),
        "first_amount": first_total,
        "amount_now": money(r["amount"] for r in moved),
        "amount_drift": drift_total,
        "amount_drift_rate": rate(drift_total, first_total),
        "by_customer": rows,
    }
