"""What the pipeline is worth and where deals come from: the close-month forecast, seed 000's
amount buckets, and the sources of won customers (docs/metrics.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from .. import rules
from .periods import month_ends, month_key
from .snapshot import Row, Snapshot, money, rate

# The seed's five buckets for customers by amount (销售报表分析 -- 客户漏斗图), [low, high);
# the first takes everything under 1万, refunds and zero totals included.
BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("1万以下", float("-inf"), 10_000.0),
    ("1-5万", 10_000.0, 50_000.0),
    ("5-10万", 50_000.0, 100_000.0),
    ("10-20万", 100_000.0, 200_000.0),
    ("20万以上", 200_000.0, float("inf")),
)
UNSCHEDULED = "unscheduled"
UNKNOWN_SOURCE = "unknown"


def forecast(s: Snapshot) -> list[dict[str, Any]]:
    """Open customers by expected close month, unscheduled last."""
    by_month: dict[str, list[Row]] = defaultdict(list)
    for r in s.rows:
        if r.kind == "open":
            close = r.customer.expected_close
            by_month[month_key(close) if close else UNSCHEDULED].append(r)
    order = sorted(m for m in by_month if m != UNSCHEDULED) + (
        [UNSCHEDULED] if UNSCHEDULED in by_month else []
    )
    return [
        {
            "month": m,
            "count": len(by_month[m]),
            "amount": money(r.amount for r in by_month[m]),
            "weighted": money(r.weighted for r in by_month[m]),
        }
        for m in order
    ]


def amount_buckets(s: Snapshot, scope: str = "open") -> dict[str, Any]:
    """Customers by the seed's five amount buckets: the open pipeline (``scope="open"``) or
    every customer (``"all"``). Customers without an amount are counted apart, so that the
    buckets plus ``no_amount`` add up to ``customers``."""
    rows = s.rows if scope == "all" else [r for r in s.rows if r.kind == "open"]
    amounts = [r.customer.amount for r in rows if r.customer.amount is not None]
    return {
        "scope": scope,
        "customers": len(rows),
        "no_amount": len(rows) - len(amounts),
        "buckets": bucket_records(amounts),
    }


def bucket_records(amounts: Iterable[float]) -> list[dict[str, Any]]:
    """Count and total per seed bucket, in bucket order (also used for raw sales reports)."""
    inside: list[list[float]] = [[] for _ in BUCKETS]
    for value in amounts:
        x = float(value)
        for i, (_, lo, hi) in enumerate(BUCKETS):
            if lo <= x < hi:
                inside[i].append(x)
                break
    return [
        {
            "bucket": name,
            "min": None if lo == float("-inf") else lo,
            "max": None if hi == float("inf") else hi,
            "count": len(values),
            "amount": money(values),
        }
        for (name, lo, hi), values in zip(BUCKETS, inside, strict=True)
    ]


def sources_won(s: Snapshot) -> list[dict[str, Any]]:
    """Won customers (as of the day) by source channel, in percent (签约客户资料来源)."""
    return _source_records(s, [r.customer.source for r in s.rows if r.kind == "won"])


def sources_won_monthly(s: Snapshot) -> list[dict[str, Any]]:
    """Per month (the last 12): customers won in that month by source, as seed 000's chart
    「1月所有客户签约客户资料来源」. A customer counts in the month its won spell began
    (`rules.won_date`: A02 成交级 then A01 结案级 is one spell, signed at A02)."""
    by_month: dict[str, list[str | None]] = defaultdict(list)
    for r in s.rows:
        won = rules.won_date(r.customer, s.config)
        if won is not None:
            by_month[month_key(won)].append(r.customer.source)
    out = []
    for end in month_ends(s.as_of):
        sources = by_month.get(month_key(end), [])
        out.append(
            {"month": month_key(end), "won_customers": len(sources), "sources": _source_records(s, sources)}
        )
    return out


def _source_records(s: Snapshot, sources: list[str | None]) -> list[dict[str, Any]]:
    counts = Counter(UNKNOWN_SOURCE if src is None else src for src in sources)
    total = sum(counts.values())
    rows = sorted(((n, src) for src, n in counts.items()), key=lambda r: (-r[0], r[1]))
    return [
        {
            "source": src,
            "label": s.config.source_label(src) if src != UNKNOWN_SOURCE else "未知",
            "count": n,
            "share": rate(n, total),
        }
        for n, src in rows
    ]
