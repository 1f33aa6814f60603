"""The funnel and its movement: per-stage totals, conversion along the path, win rate, time
in stage, and the stage counts at each month end (docs/metrics.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .. import history_rules
from .periods import month_ends, month_key
from .snapshot import Snapshot, median_mean, money, rate


def funnel(s: Snapshot) -> list[dict[str, Any]]:
    by_stage = defaultdict(list)
    for r in s.rows:
        by_stage[r.customer.stage].append(r)
    return [
        {
            "stage": sid,
            "label": s.label[sid],
            "count": len(by_stage[sid]),
            "amount": money(r.amount for r in by_stage[sid]),
            "weighted": money(r.weighted for r in by_stage[sid]),
        }
        for sid in s.stage_ids
    ]


def conversion(s: Snapshot) -> list[dict[str, Any]]:
    """Customers whose furthest stage reached each step's ends, and per month the entries into
    a step's first stage (the first per customer and month) that later went further."""
    config, steps = s.config, len(s.path)
    furthest = Counter(history_rules.furthest_reached(r.customer, config) for r in s.rows)
    reached = [sum(n for i, n in furthest.items() if i >= step) for step in range(steps)]
    ends = month_ends(s.as_of)
    months = [month_key(d) for d in ends]
    since = ends[0].replace(day=1)
    entered: Counter[tuple[int, str]] = Counter()
    advanced: Counter[tuple[int, str]] = Counter()
    keys: dict[tuple[int, int], str] = {(d.year, d.month): month_key(d) for d in ends}
    for r in s.rows:
        seen = set()
        for day, i, went_on in history_rules.path_entries(r.customer, config):
            if day < since:
                continue
            key = (i, keys[(day.year, day.month)])
            if key not in seen:
                seen.add(key)
                entered[key] += 1
                advanced[key] += went_on
    out = []
    for i in range(steps - 1):
        monthly = [
            {
                "month": m,
                "entered": entered[(i, m)],
                "advanced": advanced[(i, m)],
                "rate": rate(advanced[(i, m)], entered[(i, m)]),
            }
            for m in months
        ]
        out.append(
            {
                "from": s.path[i],
                "from_label": s.label[s.path[i]],
                "to": s.path[i + 1],
                "to_label": s.label[s.path[i + 1]],
                "reached_from": reached[i],
                "reached_to": reached[i + 1],
                "rate": rate(reached[i + 1], reached[i]),
                "monthly": monthly,
            }
        )
    return out


def win_rate(s: Snapshot) -> dict[str, Any]:
    kinds = Counter(r.kind for r in s.rows)
    return {
        "won": kinds["won"],
        "lost": kinds["lost"],
        "rate": rate(kinds["won"], kinds["won"] + kinds["lost"]),
    }


def time_in_stage(s: Snapshot) -> list[dict[str, Any]]:
    """Days per stage spell (`history_rules.stage_spells`): count, median, mean."""
    days: dict[str, list[int]] = defaultdict(list)
    for r in s.rows:
        for stage, n in history_rules.stage_spells(r.customer, s.as_of):
            days[stage].append(n)
    out = []
    for sid in s.stage_ids:
        median, mean = median_mean(days[sid])
        out.append(
            {
                "stage": sid,
                "label": s.label[sid],
                "spells": len(days[sid]),
                "median_days": median,
                "mean_days": mean,
            }
        )
    return out


def trend(s: Snapshot) -> list[dict[str, Any]]:
    """Count per stage as of the last day of each of the last 12 months."""
    ends = month_ends(s.as_of)
    counts = [Counter[str]() for _ in ends]
    for r in s.rows:
        for counter, stage in zip(counts, history_rules.stages_on(r.customer, ends), strict=True):
            if stage is not None:
                counter[stage] += 1
    return [
        {"month": month_key(end), "date": end.isoformat(), **rec}
        for end, counter in zip(ends, counts, strict=True)
        for rec in s.stage_records(counter)
    ]
