"""Funnel analytics (domain.md section 5) as pandas frames, returned as plain records for JSON.

`Analysis(customers, config, as_of)` builds one row per customer, one per `history` entry
(sorted by date, whatever the file's order) and one per dated `log` entry, then rewinds them
to ``as_of``: a customer's stage as of D is its last history entry dated on or before D (its
file's stage when nothing happened after D), and a customer whose history starts after D, or
with no history and created after D, does not exist yet. Only the stage and the log have a
past; every other field (amount, next action, owner ...) is today's value, and a report for a
past date lists them under ``current_values``. The caller filters the customers first
(`pipeline.query`). Per-customer values come from `pipeline.rules`; pandas groups and sums.
See docs/metrics.md for every metric's definition and the seed it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from . import rules
from .config import Config
from .model import Customer

# The seed's five buckets for customers by amount (销售报表分析 -- 客户漏斗图), [low, high);
# the first takes everything under 1万, refunds and zero totals included.
BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("1万以下", float("-inf"), 10_000.0),
    ("1-5万", 10_000.0, 50_000.0),
    ("5-10万", 50_000.0, 100_000.0),
    ("10-20万", 100_000.0, 200_000.0),
    ("20万以上", 200_000.0, float("inf")),
)
HALF_MONTHS = 12  # the leak-rate trend: this many half-months, the reporting one included
# Fields that have no history: as of a past date they are today's values (labelled so).
CURRENT_VALUE_FIELDS = ("amount", "probability", "expected_close", "next_action", "owner", "source", "tier")
# Capacity findings: a stable code and what a person reads.
CAPACITY_TEXT: dict[str, tuple[str, str]] = {
    "open_over_cap": ("在库客户超过上限", "more open customers than the cap"),
    "won_above_range": ("月均签约高于适用范围", "signs more a month than the range"),
    "won_below_range": ("月均签约低于适用范围", "signs fewer a month than the range"),
    "cycle_above_range": ("成交周期超过适用范围", "sales cycle longer than the range"),
}
MONTHS = 12  # trend and monthly conversion look back this many months, the as-of month included
RECENT_DAYS = 90  # the window for won per month (÷ 3) and for the shape's "closes vs new meetings"
PILE_UP_RATIO = 1.5  # an open stage holding 1.5x the stage before it ...
PILE_UP_MIN = 3  # ... and at least this many customers is a pile-up
UNSCHEDULED = "unscheduled"
UNKNOWN_SOURCE = "unknown"


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_ends(as_of: date, months: int = MONTHS) -> list[date]:
    """The last day of each of the last ``months`` months, the as-of month's capped at as_of."""
    out = []
    first = as_of.replace(day=1)
    for _ in range(months):
        nxt = (first + timedelta(days=32)).replace(day=1)
        out.append(min(nxt - timedelta(days=1), as_of))
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


@dataclass(frozen=True, slots=True)
class HalfMonth:
    """A reporting period of seed 000's form: the 1st-15th or the 16th-month end."""

    start: date
    end: date

    @classmethod
    def of(cls, d: date) -> HalfMonth:
        if d.day <= 15:
            return cls(d.replace(day=1), d.replace(day=15))
        nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        return cls(d.replace(day=16), nxt - timedelta(days=1))

    @property
    def key(self) -> str:
        return f"{month_key(self.start)}-{'H1' if self.start.day == 1 else 'H2'}"

    @property
    def label(self) -> str:
        return f"{month_key(self.start)} {'上半月' if self.start.day == 1 else '下半月'}"

    def previous(self) -> HalfMonth:
        return HalfMonth.of(self.start - timedelta(days=1))

    def record(self) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def half_months(last: HalfMonth, n: int = HALF_MONTHS) -> list[HalfMonth]:
    out = [last]
    while len(out) < n:
        out.append(out[-1].previous())
    return out[::-1]


def _rate(num: float, den: float) -> float | None:
    return None if not den else round(num / den, 3)


def _money(x: float) -> float:
    return round(float(x), 2)


def _stat(x: float) -> float | None:
    return None if pd.isna(x) else round(float(x), 1)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    customers: pd.DataFrame  # one row per customer that exists at the day, its stage as of then
    history: pd.DataFrame  # entries dated on or before the day, by date per customer


class Analysis:
    """Every metric over ``customers`` as of ``as_of``; each method returns plain records."""

    def __init__(
        self, customers: Sequence[Customer], config: Config, as_of: date, today: date | None = None
    ) -> None:
        self.config = config
        self.as_of = as_of
        self.today = today or as_of  # a past as_of labels the fields that have no history
        self.day = as_of.toordinal()
        self.stage_ids = list(config.stage_ids)
        self.path = [s.id for s in config.open_stages] + ([config.won_stage.id] if config.won_stage else [])
        self.open_ids = [s.id for s in config.open_stages]
        self._kind = {s.id: s.kind for s in config.stages}
        self._label = {s.id: s.label for s in config.stages}
        self._pidx = {sid: i for i, sid in enumerate(self.path)}
        won_idx = len(self.path) - 1
        self._pidx |= {s.id: won_idx for s in config.stages if s.kind == "won"}  # A01 after A02 is won too
        all_customers, all_history, all_log = _frames(customers, config)
        snap = self._snapshot(all_customers, all_history, self.day)
        self.h = snap.history
        self.c = self._derive(snap.customers)
        self.log = all_log[(all_log["ord"] <= self.day) & all_log["cid"].isin(self.c.index)]

    # -- frames --------------------------------------------------------------------------

    def _snapshot(self, cust: pd.DataFrame, hist: pd.DataFrame, day: int) -> _Snapshot:
        """Rewind to ``day`` (a date ordinal): see the module docstring."""
        kept = hist[hist["ord"] <= day]
        later = hist.loc[hist["ord"] > day, "cid"].unique()
        first = hist.groupby("cid", sort=False)["ord"].min()
        has_hist = cust.index.isin(first.index)
        first_ord = first.reindex(cust.index)
        exists = np.where(has_hist, first_ord <= day, cust["created"].isna() | (cust["created"] <= day))
        out = cust[exists].copy()
        last = kept.drop_duplicates("cid", keep="last").set_index("cid")["stage"]
        rewound = out.index.isin(later)
        out.loc[rewound, "stage"] = last.reindex(out.index[rewound]).to_numpy()
        return _Snapshot(out, kept[kept["cid"].isin(out.index)])

    def _derive(self, c: pd.DataFrame) -> pd.DataFrame:
        """Stage-dependent columns (mirrors pipeline.rules; a test checks they agree)."""
        c = c.copy()
        c["kind"] = c["stage"].map(self._kind)
        own = c["own_prob"].astype(object).where(c["own_prob"].notna(), None)
        c["prob"] = [rules.stage_probability(self.config, s, p) for s, p in zip(c["stage"], own, strict=True)]
        c["amt0"] = c["amount"].fillna(0.0)
        c["weighted"] = c["amt0"] * c["prob"] / 100.0
        c["is_open"] = c["kind"] == "open"
        c["entered"] = self._entered(c)
        stale_after = c["stage"].map({s.id: s.stale_after_days for s in self.config.stages}).astype(float)
        c["stale"] = c["is_open"] & ((self.day - c["entered"]) > stale_after)
        c["overdue"] = c["is_open"] & (c["next_due"] < self.day)  # rules.is_overdue
        return c

    def _entered(self, c: pd.DataFrame) -> pd.Series:
        """rules.stage_entered: the latest history entry for the current stage, else created."""
        h = self.h
        cur = c["stage"].reindex(h["cid"]).to_numpy()
        same = h[h["stage"].to_numpy() == cur]
        entered = same.drop_duplicates("cid", keep="last").set_index("cid")["ord"]
        return entered.reindex(c.index).fillna(c["created"])

    def _stage_records(self, counts: pd.Series) -> list[dict[str, Any]]:
        return [{"stage": s, "label": self._label[s], "count": int(counts.get(s, 0))} for s in self.stage_ids]

    # -- metrics -------------------------------------------------------------------------

    def funnel(self) -> list[dict[str, Any]]:
        g = self.c.groupby("stage")
        count, amount, weighted = g.size(), g["amt0"].sum(), g["weighted"].sum()
        return [
            {
                "stage": s,
                "label": self._label[s],
                "count": int(count.get(s, 0)),
                "amount": _money(amount.get(s, 0.0)),
                "weighted": _money(weighted.get(s, 0.0)),
            }
            for s in self.stage_ids
        ]

    def conversion(self) -> list[dict[str, Any]]:
        """Furthest path stage per customer; per step, reached(i+1) / reached(i), and per month."""
        pidx = self._pidx
        h = self.h.assign(pidx=self.h["stage"].map(pidx).fillna(-1).astype(int))
        furthest = pd.concat(
            [h.groupby("cid")["pidx"].max(), self.c["stage"].map(pidx).fillna(-1).astype(int)], axis=1
        ).max(axis=1)
        reached = [int((furthest >= i).sum()) for i in range(len(self.path))]
        # Per month: entries into stage i (first one per customer and month), and whether a
        # later entry (file order) reached beyond i.
        h = h.assign(sufmax=h.iloc[::-1].groupby("cid")["pidx"].cummax())
        months = [month_key(d) for d in month_ends(self.as_of)]
        h = h[h["month"].isin(months) & (h["pidx"] >= 0)].drop_duplicates(["cid", "pidx", "month"])
        h = h.assign(advanced=h["sufmax"] > h["pidx"])
        per = h.groupby(["pidx", "month"])["advanced"].agg(["size", "sum"])
        out = []
        for i in range(len(self.path) - 1):
            monthly = []
            for m in months:
                n, k = (int(v) for v in per.loc[(i, m)]) if (i, m) in per.index else (0, 0)
                monthly.append({"month": m, "entered": n, "advanced": k, "rate": _rate(k, n)})
            out.append(
                {
                    "from": self.path[i],
                    "from_label": self._label[self.path[i]],
                    "to": self.path[i + 1],
                    "to_label": self._label[self.path[i + 1]],
                    "reached_from": reached[i],
                    "reached_to": reached[i + 1],
                    "rate": _rate(reached[i + 1], reached[i]),
                    "monthly": monthly,
                }
            )
        return out

    def win_rate(self) -> dict[str, Any]:
        won = int((self.c["kind"] == "won").sum())
        lost = int((self.c["kind"] == "lost").sum())
        return {"won": won, "lost": lost, "rate": _rate(won, won + lost)}

    def time_in_stage(self) -> list[dict[str, Any]]:
        """Days per stage spell: consecutive history dates, the last spell running to as_of."""
        h = self.h
        nxt = h.groupby("cid")["ord"].shift(-1).fillna(self.day)
        spells = pd.DataFrame({"stage": h["stage"], "days": (nxt - h["ord"]).clip(lower=0)})
        bare = self.c[~self.c.index.isin(h["cid"]) & self.c["created"].notna()]
        spells = pd.concat(
            [
                spells,
                pd.DataFrame({"stage": bare["stage"], "days": (self.day - bare["created"]).clip(lower=0)}),
            ]
        )
        g = spells.groupby("stage")["days"].agg(["size", "median", "mean"])
        return [
            {
                "stage": s,
                "label": self._label[s],
                "spells": int(g.loc[s, "size"]) if s in g.index else 0,
                "median_days": _stat(g.loc[s, "median"]) if s in g.index else None,
                "mean_days": _stat(g.loc[s, "mean"]) if s in g.index else None,
            }
            for s in self.stage_ids
        ]

    def forecast(self) -> list[dict[str, Any]]:
        o = self.c[self.c["is_open"]]
        month = o["close_month"].fillna(UNSCHEDULED)
        g = o.groupby(month).agg(count=("amt0", "size"), amount=("amt0", "sum"), weighted=("weighted", "sum"))
        order = sorted(m for m in g.index if m != UNSCHEDULED) + (
            [UNSCHEDULED] if UNSCHEDULED in g.index else []
        )
        return [
            {
                "month": m,
                "count": int(g.loc[m, "count"]),
                "amount": _money(g.loc[m, "amount"]),
                "weighted": _money(g.loc[m, "weighted"]),
            }
            for m in order
        ]

    def sources_won(self) -> list[dict[str, Any]]:
        """Won customers (as of the day) by source channel, in percent (签约客户资料来源)."""
        return self._source_records(self.c.loc[self.c["kind"] == "won", "source"])

    def sources_won_monthly(self) -> list[dict[str, Any]]:
        """Per month (the last 12): customers won in that month by source, as seed 000's chart
        「1月所有客户签约客户资料来源」. A customer counts in the month it was last won."""
        won = self.h[self.h["stage"].isin(self._won_ids())].drop_duplicates("cid", keep="last")
        won = won[won["cid"].isin(self.c.index[self.c["kind"] == "won"])]
        out = []
        for end in month_ends(self.as_of):
            m = month_key(end)
            ids = won.loc[won["month"] == m, "cid"]
            rows = self._source_records(self.c.loc[ids, "source"])
            out.append({"month": m, "won_customers": len(ids), "sources": rows})
        return out

    def _source_records(self, sources: pd.Series) -> list[dict[str, Any]]:
        counts = sources.fillna(UNKNOWN_SOURCE).value_counts()
        total = int(counts.sum())
        rows = sorted(((int(n), str(s)) for s, n in counts.items()), key=lambda r: (-r[0], r[1]))
        return [
            {
                "source": s,
                "label": self.config.source_label(s) if s != UNKNOWN_SOURCE else "未知",
                "count": n,
                "share": _rate(n, total),
            }
            for n, s in rows
        ]

    def amount_buckets(self, scope: str = "open") -> dict[str, Any]:
        """Customers by the seed's five amount buckets: the open pipeline (``scope="open"``)
        or every customer (``"all"``). Customers without an amount are counted apart, so that
        the buckets plus ``no_amount`` add up to ``customers``."""
        c = self.c if scope == "all" else self.c[self.c["is_open"]]
        amounts = c["amount"].dropna()
        return {
            "scope": scope,
            "customers": len(c),
            "no_amount": int(c["amount"].isna().sum()),
            "buckets": bucket_records(amounts),
        }

    def trend(self) -> list[dict[str, Any]]:
        """Count per stage as of the last day of each of the last 12 months."""
        out = []
        base_c, base_h = self.c[["stage", "created"]], self.h
        for end in month_ends(self.as_of):
            snap = self._snapshot(base_c, base_h, end.toordinal())
            counts = snap.customers["stage"].value_counts()
            for rec in self._stage_records(counts):
                out.append({"month": month_key(end), "date": end.isoformat(), **rec})
        return out

    def leak_rate(self, period: HalfMonth | None = None) -> dict[str, Any]:
        """漏网率 (seed 000) = 应填未填客户数 / 已接触潜在客户数 for one half-month (default: the
        one holding as_of). Contacted: open at the period's end (or as_of) and, within the
        period, a dated log entry or a history entry into a stage past the first. Should have
        been filled: amount, expected close, next action or its due date missing (today's
        values: these fields have no history)."""
        period = period or HalfMonth.of(self.as_of)
        end = min(period.end, self.as_of).toordinal()
        lo = period.start.toordinal()
        if end == self.day:
            c = self.c
        else:
            c = self._snapshot(self.c, self.h, end).customers.assign(
                kind=lambda f: f["stage"].map(self._kind)
            )
        in_period = self.h[(self.h["ord"] >= lo) & (self.h["ord"] <= end)]
        moved = in_period.loc[in_period["stage"] != self.path[0], "cid"] if self.path else in_period["cid"]
        logged = self.log.loc[(self.log["ord"] >= lo) & (self.log["ord"] <= end), "cid"]
        contacted = c[(c["kind"] == "open") & c.index.isin(pd.concat([moved, logged]))]
        missing = {
            "amount": contacted["amount"].isna(),
            "expected_close": contacted["close_month"].isna(),
            "next_action": ~contacted["has_next"].astype(bool),
            "next_due": contacted["next_due"].isna(),
        }
        leaks = missing["amount"] | missing["expected_close"] | missing["next_action"] | missing["next_due"]
        return {
            "period": period.record(),
            "contacted": len(contacted),
            "leaks": int(leaks.sum()),
            "rate": _rate(int(leaks.sum()), len(contacted)),
            "missing": {k: int(v.sum()) for k, v in missing.items()},
        }

    def leak_trend(self, last: HalfMonth | None = None) -> list[dict[str, Any]]:
        """漏网率 for each of the last 12 half-months, the reporting one last."""
        out = []
        for p in half_months(last or HalfMonth.of(self.as_of)):
            if p.start > self.as_of:
                continue
            r = self.leak_rate(p)
            out.append({**r["period"], "contacted": r["contacted"], "leaks": r["leaks"], "rate": r["rate"]})
        return out

    def capacity(self) -> list[dict[str, Any]]:
        """Per owner (seed 000's fit for a funnel): open customers against the cap; customers
        signed in the last 90 days ÷ 3 against 4-6 a month (one file is one deal, so a customer
        won, reopened and won again is one signed deal); the median sales cycle (first history
        entry or created, to the first won entry) of the customers won so far."""
        cap, (lo, hi) = self.config.max_open_per_owner, self.config.won_per_month
        cycle_lo, cycle_hi = self.config.cycle_days
        c = self.c.assign(owner=self.c["owner"].fillna(""))
        open_n = c[c["is_open"]].groupby("owner").size()
        won_recent = self._recent_entries(self._won_ids())["cid"].drop_duplicates()
        won_n = won_recent.map(c["owner"]).value_counts()
        cycles = self._cycles().groupby(c["owner"]).agg(["size", "median"])
        out = []
        for owner in sorted(set(c["owner"])):
            n_open, n_won = int(open_n.get(owner, 0)), int(won_n.get(owner, 0))
            per_month = round(n_won / (RECENT_DAYS / 30), 2)
            cycle = _stat(cycles.loc[owner, "median"]) if owner in cycles.index else None
            warnings = []
            if n_open > cap:
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
                    "open": n_open,
                    "max_open": cap,
                    "won_customers_last_90_days": n_won,
                    "won_per_month": per_month,
                    "won_per_month_min": lo,
                    "won_per_month_max": hi,
                    "cycle_customers": int(cycles.loc[owner, "size"]) if owner in cycles.index else 0,
                    "cycle_median_days": cycle,
                    "cycle_days_min": cycle_lo,
                    "cycle_days_max": cycle_hi,
                    "warnings": warnings,
                }
            )
        return out

    def _cycles(self) -> pd.Series:
        """Days from the start (first history entry, else created) to the first won entry,
        per customer won as of the day."""
        h = self.h
        won_ids = self.c.index[self.c["kind"] == "won"]
        first_won = h[h["stage"].isin(self._won_ids()) & h["cid"].isin(won_ids)].groupby("cid")["ord"].min()
        start = h.groupby("cid")["ord"].min().reindex(first_won.index)
        start = start.fillna(self.c["created"].reindex(first_won.index))
        return (first_won - start).dropna()

    def tier_mix(self) -> list[dict[str, Any]]:
        """Actual share per tier (of customers with a tier; lost ones never count) against
        pipeline.toml's target_share."""
        kept = self.c[self.c["kind"] != "lost"]
        counts = kept["tier"].value_counts()
        tiered = int(counts[[t.id for t in self.config.tiers if t.id in counts.index]].sum())
        out = [
            {
                "tier": t.id,
                "label": t.label,
                "count": int(counts.get(t.id, 0)),
                "share": _rate(int(counts.get(t.id, 0)), tiered),
                "target_share": t.target_share,
            }
            for t in self.config.tiers
        ]
        untiered = int(kept["tier"].isna().sum())
        if untiered:
            out.append(
                {"tier": None, "label": "未分级", "count": untiered, "share": None, "target_share": None}
            )
        return out

    def shape(self) -> list[dict[str, Any]]:
        """Seed 003's bad funnel shapes as findings: a stable code and a Chinese message."""
        counts = self.c.loc[self.c["is_open"], "stage"].value_counts()
        opens = [(s, int(counts.get(s, 0))) for s in self.open_ids]
        findings: list[dict[str, Any]] = []
        if not any(n for _, n in opens):
            return [_finding("empty", "info", None, "没有进行中的客户:先寻找新的销售机会")]
        closes = self._recent_entries(self._won_ids())["cid"].nunique()
        meet = self.open_ids[1] if len(self.open_ids) > 1 else self.open_ids[0]
        new = self._recent_entries([meet])["cid"].nunique()
        if closes and new < closes:
            findings.append(
                _finding(
                    "many_closes_few_new",
                    "warning",
                    meet,
                    f"近{RECENT_DAYS}天成交{closes}个客户,新进入「{self._label[meet]}」的只有{new}个:"
                    "没有持续寻找新客户、约定初次会晤,漏斗会干涸",
                )
            )
        gap = [s for s, n in opens[:2] if n == 0 and any(m for _, m in opens[2:])]
        for s in gap:
            findings.append(
                _finding(
                    "early_stage_empty",
                    "warning",
                    s,
                    f"前期阶段「{self._label[s]}」没有客户,后面的阶段却有:开发潜在客户的工作停了",
                )
            )
        if not gap and opens[0][1] < max(n for _, n in opens):
            widest = max(opens, key=lambda p: p[1])[0]
            findings.append(
                _finding(
                    "narrow_top",
                    "warning",
                    opens[0][0],
                    f"漏斗顶部不够宽:「{self._label[opens[0][0]]}」比「{self._label[widest]}」的客户少",
                )
            )
        for (prev, n_prev), (s, n) in pairwise(opens):
            if n >= PILE_UP_MIN and n > PILE_UP_RATIO * n_prev:
                findings.append(
                    _finding(
                        "pile_up",
                        "warning",
                        s,
                        f"客户积压在「{self._label[s]}」:{n}个,上一阶段「{self._label[prev]}」只有{n_prev}个;"
                        "检查方案对客户是否有意义,推动它们前进或淘汰",
                    )
                )
        if not findings:
            findings.append(_finding("healthy", "info", None, "漏斗形状健康:顶部最宽,逐级收窄"))
        return findings

    def kpis(self) -> dict[str, Any]:
        """The charts screen's strip: open and weighted amount, win and leak rate, overdue, stale."""
        o = self.c[self.c["is_open"]]
        return {
            "open": len(o),
            "open_amount": _money(o["amt0"].sum()),
            "weighted_amount": _money(o["weighted"].sum()),
            "win_rate": self.win_rate()["rate"],
            "leak_rate": self.leak_rate()["rate"],  # the half-month holding as_of
            "overdue": int(o["overdue"].sum()),
            "stale": int(o["stale"].sum()),
        }

    def report(self, period: HalfMonth | None = None, buckets: str = "open") -> dict[str, Any]:
        """Everything `tuiboard report --json` prints (docs/metrics.md)."""
        return {
            "as_of": self.as_of.isoformat(),
            "customers": len(self.c),
            "current_values": list(CURRENT_VALUE_FIELDS) if self.as_of < self.today else [],
            "kpis": self.kpis(),
            "funnel": self.funnel(),
            "conversion": self.conversion(),
            "win_rate": self.win_rate(),
            "time_in_stage": self.time_in_stage(),
            "forecast": self.forecast(),
            "sources_won": self.sources_won(),
            "sources_won_monthly": self.sources_won_monthly(),
            "amount_buckets": self.amount_buckets(buckets),
            "trend": self.trend(),
            "leak_rate": self.leak_rate(period),
            "leak_trend": self.leak_trend(period),
            "capacity": self.capacity(),
            "tier_mix": self.tier_mix(),
            "shape": self.shape(),
        }

    # -- helpers -------------------------------------------------------------------------

    def _won_ids(self) -> list[str]:
        return [s.id for s in self.config.stages if s.kind == "won"]

    def _recent_entries(self, stages: list[str]) -> pd.DataFrame:
        h = self.h
        return h[h["stage"].isin(stages) & (h["ord"] > self.day - RECENT_DAYS)]


def _finding(code: str, severity: str, stage: str | None, message: str) -> dict[str, Any]:
    return {"code": code, "severity": severity, "stage": stage, "message": message}


def bucket_records(amounts: pd.Series) -> list[dict[str, Any]]:
    """Count and total per seed bucket, in bucket order (also used for raw sales reports)."""
    values = amounts.to_numpy(dtype=float)
    out = []
    for name, lo, hi in BUCKETS:
        inside = values[(values >= lo) & (values < hi)]
        out.append(
            {
                "bucket": name,
                "min": None if lo == float("-inf") else lo,
                "max": None if hi == float("inf") else hi,
                "count": len(inside),
                "amount": _money(inside.sum()),
            }
        )
    return out


def _frames(customers: Sequence[Customer], config: Config) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One row per customer (as on disk), one per history entry (by date, `rules.sorted_history`)
    and one per dated log entry; dates as day ordinals."""
    rows = []
    hist: list[tuple[int, int, str, str]] = []
    log: list[tuple[int, int]] = []
    for i, c in enumerate(customers):
        rows.append(
            (
                c.id,
                c.stage,
                c.owner,
                c.source,
                c.amount,
                c.probability,
                month_key(c.expected_close) if c.expected_close else None,
                c.created.toordinal() if c.created else None,
                bool(c.next_action),
                c.next_due.toordinal() if c.next_due else None,
                rules.effective_tier(c, config),
            )
        )
        hist.extend((i, h.date.toordinal(), month_key(h.date), h.stage) for h in rules.sorted_history(c))
        log.extend((i, e.date.toordinal()) for e in c.log if e.date is not None)
    cust = pd.DataFrame(
        rows,
        columns=[
            "id",
            "stage",
            "owner",
            "source",
            "amount",
            "own_prob",
            "close_month",
            "created",
            "has_next",
            "next_due",
            "tier",
        ],
    )
    for col in ("amount", "own_prob", "created", "next_due"):
        cust[col] = cust[col].astype(float)
    history = pd.DataFrame(hist, columns=["cid", "ord", "month", "stage"])
    return cust, history, pd.DataFrame(log, columns=["cid", "ord"])


def report(customers: Sequence[Customer], config: Config, as_of: date) -> dict[str, Any]:
    return Analysis(customers, config, as_of).report()
