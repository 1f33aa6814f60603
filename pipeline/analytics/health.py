"""Is the funnel healthy: seed 000's 漏网率, each owner's capacity, the tier mix against its
targets, and seed 003's bad funnel shapes (docs/metrics.md)."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise
from typing import Any

from .. import history_rules
from .periods import HalfMonth, half_months
from .snapshot import Snapshot, finding, median_mean, rate

# Capacity findings: a stable code and what a person reads.
CAPACITY_TEXT: dict[str, tuple[str, str]] = {
    "open_over_cap": ("在库客户超过上限", "more open customers than the cap"),
    "won_above_range": ("月均签约高于适用范围", "signs more a month than the range"),
    "won_below_range": ("月均签约低于适用范围", "signs fewer a month than the range"),
    "cycle_above_range": ("成交周期超过适用范围", "sales cycle longer than the range"),
}
RECENT_DAYS = 90  # the window for won per month (÷ 3) and for the shape's "closes vs new meetings"
PILE_UP_RATIO = 1.5  # an open stage holding 1.5x the stage before it ...
PILE_UP_MIN = 3  # ... and at least this many customers is a pile-up


def leak_rates(s: Snapshot, last: HalfMonth | None = None) -> list[dict[str, Any]]:
    """漏网率 (seed 000) = 应填未填客户数 / 已接触潜在客户数 for each of the 12 half-months up to
    ``last`` (default: the one holding as_of), each ending at its end or as_of, whichever is
    first. Contacted: open at the period's end and contacted in it
    (`history_rules.contact_dates`); should have been filled: `history_rules.unfilled`
    (today's values: these fields have no history)."""
    periods = half_months(last or HalfMonth.of(s.as_of))
    ends = [min(p.end, s.as_of) for p in periods]
    kinds = {st.id: st.kind for st in s.config.stages}
    contacted = [0] * len(periods)
    missing = [Counter[str]() for _ in periods]
    leaks = [0] * len(periods)
    index = {(p.start.year, p.start.month, p.start.day): k for k, p in enumerate(periods)}
    first = periods[0].start
    for r in s.rows:
        days = history_rules.contact_dates(r.customer, s.config)
        if not days or days[-1] < first:
            continue
        hit = sorted(
            {
                k
                for d in days[bisect_left(days, first) :]
                if (k := index.get((d.year, d.month, 1 if d.day <= 15 else 16))) is not None and d <= ends[k]
            }
        )
        if not hit:
            continue
        empty = history_rules.unfilled(r.customer)
        for k, stage in zip(hit, history_rules.stages_on(r.customer, [ends[k] for k in hit]), strict=True):
            if kinds.get(stage or "") == "open":
                contacted[k] += 1
                missing[k].update(empty)
                leaks[k] += bool(empty)
    return [
        {
            "period": p.record(),
            "contacted": contacted[k],
            "leaks": leaks[k],
            "rate": rate(leaks[k], contacted[k]),
            "missing": {f: missing[k][f] for f in history_rules.FORM_FIELDS},
        }
        for k, p in enumerate(periods)
    ]


def leak_trend(s: Snapshot, rates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The half-months of `leak_rates` that began by as_of, without the missing fields."""
    return [
        {**r["period"], "contacted": r["contacted"], "leaks": r["leaks"], "rate": r["rate"]}
        for r in rates
        if r["period"]["start"] <= s.as_of.isoformat()
    ]


def capacity(s: Snapshot) -> list[dict[str, Any]]:
    """Per owner (seed 000's fit for a funnel): open customers against the cap; customers
    signed in the last 90 days ÷ 3 against 4-6 a month (one file is one deal, so a customer
    won, reopened and won again is one signed deal); the median sales cycle
    (`history_rules.sales_cycle_days`) of the customers won so far."""
    config = s.config
    cap, (lo, hi) = config.max_open_per_owner, config.won_per_month
    cycle_lo, cycle_hi = config.cycle_days
    open_n: Counter[str] = Counter()
    won_n: Counter[str] = Counter()
    cycles: dict[str, list[int]] = defaultdict(list)
    since = s.as_of - timedelta(days=RECENT_DAYS - 1)
    owners = set()
    for r in s.rows:
        owner = r.customer.owner or ""
        owners.add(owner)
        open_n[owner] += r.kind == "open"
        won_n[owner] += history_rules.entered_between(r.customer, s.won_ids, since, s.as_of)
        days = history_rules.sales_cycle_days(r.customer, config)
        if days is not None:
            cycles[owner].append(days)
    out = []
    for owner in sorted(owners):
        per_month = round(won_n[owner] / (RECENT_DAYS / 30), 2)
        cycle = median_mean(cycles[owner])[0]
        warnings = []
        if open_n[owner] > cap:
            warnings.append("open_over_cap")
        if per_month > hi:
            warnings.append("won_above_range")
        elif per_month < lo:
            warnings.append("won_below_range")
        if cycle is not None and cycle > cycle_hi:
            warnings.append("cycle_above_range")
        out.append(
            {
                "owner": owner or None,
                "open": open_n[owner],
                "max_open": cap,
                "won_customers_last_90_days": won_n[owner],
                "won_per_month": per_month,
                "won_per_month_min": lo,
                "won_per_month_max": hi,
                "cycle_customers": len(cycles[owner]),
                "cycle_median_days": cycle,
                "cycle_days_min": cycle_lo,
                "cycle_days_max": cycle_hi,
                "warnings": warnings,
            }
        )
    return out


def tier_mix(s: Snapshot) -> list[dict[str, Any]]:
    """Actual share per tier (of customers with a tier; lost ones never count) against
    pipeline.toml's target_share."""
    counts = Counter(r.tier for r in s.rows if r.kind != "lost")
    tiered = sum(counts[t.id] for t in s.config.tiers)
    out: list[dict[str, Any]] = [
        {
            "tier": t.id,
            "label": t.label,
            "count": counts[t.id],
            "share": rate(counts[t.id], tiered),
            "target_share": t.target_share,
        }
        for t in s.config.tiers
    ]
    if counts[None]:
        out.append(
            {"tier": None, "label": "未分级", "count": counts[None], "share": None, "target_share": None}
        )
    return out


def shape(s: Snapshot) -> list[dict[str, Any]]:
    """Seed 003's bad funnel shapes as findings: a stable code and a Chinese message."""
    counts = Counter(r.customer.stage for r in s.rows if r.kind == "open")
    opens = [(sid, counts[sid]) for sid in s.open_ids]
    if not any(n for _, n in opens):
        return [finding("empty", "info", None, "没有进行中的客户:先寻找新的销售机会")]
    findings: list[dict[str, Any]] = []
    since = s.as_of - timedelta(days=RECENT_DAYS - 1)
    meet = s.open_ids[1] if len(s.open_ids) > 1 else s.open_ids[0]
    closes = sum(history_rules.entered_between(r.customer, s.won_ids, since, s.as_of) for r in s.rows)
    new = sum(history_rules.entered_between(r.customer, {meet}, since, s.as_of) for r in s.rows)
    label = s.label
    if closes and new < closes:
        findings.append(
            finding(
                "many_closes_few_new",
                "warning",
                meet,
                f"近{RECENT_DAYS}天成交{closes}个客户,新进入「{label[meet]}」的只有{new}个:"
                "没有持续寻找新客户、约定初次会晤,漏斗会干涸",
            )
        )
    gap = [sid for sid, n in opens[:2] if n == 0 and any(m for _, m in opens[2:])]
    for sid in gap:
        findings.append(
            finding(
                "early_stage_empty",
                "warning",
                sid,
                f"前期阶段「{label[sid]}」没有客户,后面的阶段却有:开发潜在客户的工作停了",
            )
        )
    if not gap and opens[0][1] < max(n for _, n in opens):
        widest = max(opens, key=lambda p: p[1])[0]
        findings.append(
            finding(
                "narrow_top",
                "warning",
                opens[0][0],
                f"漏斗顶部不够宽:「{label[opens[0][0]]}」比「{label[widest]}」的客户少",
            )
        )
    for (prev, n_prev), (sid, n) in pairwise(opens):
        if n >= PILE_UP_MIN and n > PILE_UP_RATIO * n_prev:
            findings.append(
                finding(
                    "pile_up",
                    "warning",
                    sid,
                    f"客户积压在「{label[sid]}」:{n}个,上一阶段「{label[prev]}」只有{n_prev}个;"
                    "检查方案对客户是否有意义,推动它们前进或淘汰",
                )
            )
    if not findings:
        findings.append(finding("healthy", "info", None, "漏斗形状健康:顶部最宽,逐级收窄"))
    return findings
