"""Every metric against numbers worked out by hand on six customers (seven-stage preset).

a  negotiation, history target → intent → negotiation, overdue next action
b  went back a stage: target → potential → intent → potential, own probability 30
c  won (target → project → won), source customer-referral
d  lost after potential
e  target, no amount, no expected_close, no next action (a leak)
f  intent, no history at all (created 2026-10-20), next action without a due date
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline import rules
from pipeline.analytics import Analysis, HalfMonth, month_ends
from pipeline.model import Customer
from pipeline.query import Filter, select
from pipeline.store import load_board
from tests.conftest import TODAY, write_customer

CUSTOMERS = {
    "a": """name = "甲公司"
stage = "negotiation"
tier = "B"
owner = "wang"
source = "exhibition"
amount = 100000
expected_close = 2026-12-10
created = 2026-09-01
[next]
action = "催签合同"
due = 2026-11-20
[[history]]
date = 2026-09-01
stage = "target"
[[history]]
date = 2026-10-01
stage = "intent"
[[history]]
date = 2026-11-01
stage = "negotiation"
""",
    "b": """name = "乙公司"
stage = "potential"
owner = "wang"
source = "internet"
amount = 50000
probability = 30
expected_close = 2027-01-05
created = 2026-08-01
[next]
action = "电话回访"
due = 2026-12-01
[[history]]
date = 2026-08-01
stage = "target"
[[history]]
date = 2026-09-01
stage = "potential"
[[history]]
date = 2026-10-01
stage = "intent"
[[history]]
date = 2026-10-15
stage = "potential"
""",
    "c": """name = "丙公司"
stage = "won"
owner = "li"
source = "customer-referral"
amount = 200000
created = 2026-06-01
[[history]]
date = 2026-06-01
stage = "target"
[[history]]
date = 2026-07-01
stage = "project"
[[history]]
date = 2026-09-10
stage = "won"
""",
    "d": """name = "丁公司"
stage = "lost"
owner = "li"
source = "exhibition"
amount = 30000
lost_reason = "价格过高"
created = 2026-07-01
[[history]]
date = 2026-07-01
stage = "target"
[[history]]
date = 2026-08-01
stage = "potential"
[[history]]
date = 2026-09-01
stage = "lost"
""",
    "e": """name = "戊公司"
stage = "target"
created = 2026-11-10
[[history]]
date = 2026-11-10
stage = "target"
""",
    "f": """name = "己公司"
stage = "intent"
owner = "wang"
amount = 80000
expected_close = 2026-12-20
created = 2026-10-20
[next]
action = "安排产品演示"
""",
}


@pytest.fixture
def small(folder: Path) -> Path:
    for cid, text in CUSTOMERS.items():
        write_customer(folder, cid, text)
    return folder


@pytest.fixture
def analysis(small: Path) -> Analysis:
    board = load_board(small, use_cache=False)
    assert not board.problems
    return Analysis(list(board.customers.values()), board.config, TODAY)


def by(records: list[dict], key: str) -> dict:
    return {r[key]: r for r in records}


def test_funnel_counts_amounts_and_weights_per_stage(analysis: Analysis) -> None:
    f = by(analysis.funnel(), "stage")
    assert list(f) == ["target", "potential", "intent", "project", "approved", "negotiation", "won", "lost"]
    assert f["target"] == {"stage": "target", "label": "目标客户", "count": 1, "amount": 0.0, "weighted": 0.0}
    assert (f["potential"]["count"], f["potential"]["amount"], f["potential"]["weighted"]) == (
        1,
        50000,
        15000,
    )
    assert (f["intent"]["amount"], f["intent"]["weighted"]) == (80000, 20000)
    assert f["project"]["count"] == 0 and f["approved"]["amount"] == 0
    assert (f["negotiation"]["amount"], f["negotiation"]["weighted"]) == (100000, 80000)
    assert (f["won"]["amount"], f["won"]["weighted"]) == (200000, 200000)
    assert (f["lost"]["count"], f["lost"]["amount"], f["lost"]["weighted"]) == (1, 30000, 0)


def test_conversion_uses_the_furthest_stage_reached(analysis: Analysis) -> None:
    steps = analysis.conversion()
    got = [(s["from"], s["to"], s["reached_from"], s["reached_to"], s["rate"]) for s in steps]
    assert got == [
        ("target", "potential", 6, 5, 0.833),
        ("potential", "intent", 5, 4, 0.8),
        ("intent", "project", 4, 2, 0.5),
        ("project", "approved", 2, 2, 1.0),
        ("approved", "negotiation", 2, 2, 1.0),
        ("negotiation", "won", 2, 1, 0.5),
    ]


def test_conversion_per_month(analysis: Analysis) -> None:
    monthly = {
        s["from"]: {m["month"]: (m["entered"], m["advanced"]) for m in s["monthly"]}
        for s in analysis.conversion()
    }
    assert len(monthly["target"]) == 12 and min(monthly["target"]) == "2025-12"
    active = {f: {m: v for m, v in months.items() if v != (0, 0)} for f, months in monthly.items()}
    assert active["target"] == {
        "2026-06": (1, 1),
        "2026-07": (1, 1),
        "2026-08": (1, 1),
        "2026-09": (1, 1),
        "2026-11": (0 + 1, 0),
    }
    # b entered potential twice: in September it went on to intent, in October it stayed.
    assert active["potential"] == {"2026-08": (1, 0), "2026-09": (1, 1), "2026-10": (1, 0)}
    assert active["intent"] == {"2026-10": (2, 1)}
    assert active["project"] == {"2026-07": (1, 1)}
    assert active["approved"] == {}
    assert active["negotiation"] == {"2026-11": (1, 0)}
    rates = {m["month"]: m["rate"] for m in analysis.conversion()[2]["monthly"]}
    assert rates["2026-10"] == 0.5 and rates["2026-09"] is None


def test_win_rate(analysis: Analysis) -> None:
    assert analysis.win_rate() == {"won": 1, "lost": 1, "rate": 0.5}


def test_time_in_stage_median_and_mean(analysis: Analysis) -> None:
    t = by(analysis.time_in_stage(), "stage")
    # target spells 30 (a), 31 (b), 30 (c), 31 (d), 13 (e, until today)
    assert (t["target"]["spells"], t["target"]["median_days"], t["target"]["mean_days"]) == (5, 30, 27.0)
    # potential 30 and 39 (b, back again since 10-15), 31 (d)
    assert (t["potential"]["median_days"], t["potential"]["mean_days"]) == (31, 33.3)
    # intent 31 (a), 14 (b), 34 (f: no history, counted from created)
    assert (t["intent"]["spells"], t["intent"]["median_days"], t["intent"]["mean_days"]) == (3, 31, 26.3)
    assert (t["project"]["median_days"], t["negotiation"]["median_days"], t["won"]["mean_days"]) == (
        71,
        22,
        74,
    )
    assert t["approved"] == {
        "stage": "approved",
        "label": "认可客户",
        "spells": 0,
        "median_days": None,
        "mean_days": None,
    }


def test_forecast_by_expected_close_month(analysis: Analysis) -> None:
    assert analysis.forecast() == [
        {"month": "2026-12", "count": 2, "amount": 180000, "weighted": 100000},
        {"month": "2027-01", "count": 1, "amount": 50000, "weighted": 15000},
        {"month": "unscheduled", "count": 1, "amount": 0, "weighted": 0},
    ]


def test_sources_of_won_customers(analysis: Analysis) -> None:
    assert analysis.sources_won() == [
        {"source": "customer-referral", "label": "客户介绍", "count": 1, "share": 1.0}
    ]


def test_amount_buckets_of_the_open_pipeline_add_up(analysis: Analysis) -> None:
    # open: a 100000, b 50000, e (no amount), f 80000; c (won) and d (lost) are left out
    got = analysis.amount_buckets()
    assert (got["scope"], got["customers"], got["no_amount"]) == ("open", 4, 1)
    assert [(b["bucket"], b["count"], b["amount"]) for b in got["buckets"]] == [
        ("1万以下", 0, 0),
        ("1-5万", 0, 0),
        ("5-10万", 2, 130000),  # 50000 sits in [50000, 100000)
        ("10-20万", 1, 100000),
        ("20万以上", 0, 0),
    ]
    assert sum(b["count"] for b in got["buckets"]) + got["no_amount"] == got["customers"]


def test_amount_buckets_of_every_customer(analysis: Analysis) -> None:
    # all six: d 30000 and c 200000 join; e still has no amount: 1 + 2 + 1 + 1 + (1) = 6
    got = analysis.amount_buckets("all")
    assert (got["customers"], got["no_amount"]) == (6, 1)
    assert [b["count"] for b in got["buckets"]] == [0, 1, 2, 1, 1]


def test_trend_rebuilds_past_month_ends(analysis: Analysis) -> None:
    counts: dict[str, dict[str, int]] = {}
    for r in analysis.trend():
        counts.setdefault(r["month"], {})[r["stage"]] = r["count"]
    assert list(counts) == [e.strftime("%Y-%m") for e in month_ends(TODAY)] and len(counts) == 12
    nonzero = {m: {s: n for s, n in c.items() if n} for m, c in counts.items()}
    assert nonzero["2026-05"] == {}
    assert nonzero["2026-06"] == {"target": 1}
    assert nonzero["2026-08"] == {"target": 1, "potential": 1, "project": 1}
    assert nonzero["2026-09"] == {"target": 1, "potential": 1, "won": 1, "lost": 1}
    assert nonzero["2026-10"] == {"potential": 1, "intent": 2, "won": 1, "lost": 1}
    now = {r["stage"]: r["count"] for r in analysis.funnel() if r["count"]}
    assert nonzero["2026-11"] == now


def test_leak_rate_of_the_fixture_by_half_month(analysis: Analysis) -> None:
    # 11-16..11-23: nobody was contacted (no log, no move): no rate rather than 0 %
    now = analysis.leak_rate()
    assert (now["period"]["key"], now["contacted"], now["rate"]) == ("2026-11-H2", 0, None)
    # 11-01..11-15: a moved into negotiation (contacted, complete); e entered target only
    first = analysis.leak_rate(HalfMonth.of(date(2026, 11, 3)))
    assert (first["contacted"], first["leaks"], first["rate"]) == (1, 0, 0.0)


def test_capacity_per_owner(analysis: Analysis) -> None:
    cap = by(analysis.capacity(), "owner")
    assert list(cap) == [None, "li", "wang"]
    assert (cap["wang"]["open"], cap["wang"]["won_customers_last_90_days"], cap["wang"]["max_open"]) == (
        3,
        0,
        150,
    )
    assert (cap["li"]["won_customers_last_90_days"], cap["li"]["won_per_month"]) == (1, 0.33)
    # c: first entry 06-01, won 09-10: 101 days, past the seed's 2-3 months
    assert (cap["li"]["cycle_customers"], cap["li"]["cycle_median_days"]) == (1, 101)
    assert cap["li"]["warnings"] == ["won_below_range", "cycle_above_range"]
    assert cap["wang"]["cycle_median_days"] is None


def test_capacity_warns_past_the_limits(small: Path) -> None:
    board = load_board(small, use_cache=False)
    from dataclasses import replace

    config = replace(board.config, max_open_per_owner=2, won_per_month=(0, 0))
    cap = by(Analysis(list(board.customers.values()), config, TODAY).capacity(), "owner")
    assert cap["wang"]["warnings"] == ["open_over_cap"]
    assert cap["li"]["warnings"] == ["won_above_range", "cycle_above_range"]


def test_tier_mix_against_targets(analysis: Analysis) -> None:
    mix = by(analysis.tier_mix(), "tier")
    # a is B by hand; b 50000, c 200000, f 80000 reach C's min_amount; e has no tier; d is lost
    assert (mix["B"]["count"], mix["B"]["share"], mix["B"]["target_share"]) == (1, 0.25, 0.5)
    assert (mix["C"]["count"], mix["C"]["share"], mix["C"]["target_share"]) == (3, 0.75, 0.25)
    assert mix["VIP"]["share"] == 0 and mix[None]["count"] == 1
    assert mix["D"]["target_share"] is None  # the seed's policy table sets no share for D


def test_shape_of_a_healthy_small_funnel(analysis: Analysis) -> None:
    assert [f["code"] for f in analysis.shape()] == ["healthy"]


def _open(cid: str, stage: str, entered: date = date(2026, 11, 1)) -> Customer:
    from pipeline.model import HistoryEntry

    return Customer(cid, Path(cid), {}, cid, stage, history=(HistoryEntry(entered, stage),))


def test_shape_flags_pile_up_and_narrow_top(analysis: Analysis) -> None:
    config = analysis.config
    people = [_open("t1", "target"), _open("p1", "potential")] + [_open(f"i{n}", "intent") for n in range(5)]
    findings = Analysis(people, config, TODAY).shape()
    assert [(f["code"], f["stage"]) for f in findings] == [("narrow_top", "target"), ("pile_up", "intent")]
    assert "意向客户" in findings[1]["message"]


def test_shape_flags_an_empty_early_stage_and_closes_without_new_meetings(analysis: Analysis) -> None:
    config = analysis.config
    people = [_open("p", "potential"), _open("n", "negotiation")]
    people += [_open(f"w{n}", "won", date(2026, 10, n + 1)) for n in range(3)]
    codes = [(f["code"], f["stage"]) for f in Analysis(people, config, TODAY).shape()]
    assert codes == [("many_closes_few_new", "potential"), ("early_stage_empty", "target")]
    assert Analysis([], config, TODAY).shape()[0]["code"] == "empty"


def test_as_of_rewinds_stages_and_hides_later_customers(small: Path) -> None:
    board = load_board(small, use_cache=False)
    past = Analysis(list(board.customers.values()), board.config, date(2026, 10, 5))
    f = {r["stage"]: (r["count"], r["amount"], r["weighted"]) for r in past.funnel() if r["count"]}
    # a and b were both in intent; e (first history 11-10) and f (created 10-20) did not exist yet
    assert f == {"intent": (2, 150000, 25000 + 15000), "won": (1, 200000, 200000), "lost": (1, 30000, 0)}
    assert past.report()["as_of"] == "2026-10-05"


def test_kpis(analysis: Analysis) -> None:
    assert analysis.kpis() == {
        "open": 4,
        "open_amount": 230000,
        "weighted_amount": 115000,
        "win_rate": 0.5,
        "leak_rate": None,  # nobody contacted in 11-16..11-23
        "overdue": 1,  # a: due 11-20
        "stale": 3,  # a 22 > 14 days, b 39 > 21 (since going back), f 34 > 21 (from created)
    }


def test_filter_is_applied_by_the_caller(small: Path) -> None:
    board = load_board(small, use_cache=False)
    mine = select(board.customers, Filter(owners=frozenset({"wang"})), board.config, TODAY)
    f = {r["stage"]: r["count"] for r in Analysis(mine, board.config, TODAY).funnel() if r["count"]}
    assert f == {"potential": 1, "intent": 1, "negotiation": 1}


def test_rows_agree_with_the_rules_on_the_demo(demo_folder: Path) -> None:
    board = load_board(demo_folder, use_cache=False)
    customers = list(board.customers.values())
    a = Analysis(customers, board.config, TODAY)
    config = board.config
    assert [r.weighted for r in a.rows] == pytest.approx(
        [rules.weighted_amount(c, config) for c in customers]
    )
    assert [r.stale for r in a.rows] == [rules.is_stale(c, config, TODAY) for c in customers]
    tiers = [r.tier for r in a.rows]
    assert tiers == [rules.effective_tier(c, config) for c in customers]
    overdue = [rules.is_overdue(c, config, TODAY) for c in customers]
    assert [r.overdue for r in a.rows] == overdue
    weighted_total = sum(rules.weighted_amount(c, config) for c in customers)
    assert sum(r["weighted"] for r in a.funnel()) == pytest.approx(weighted_total)


def test_month_ends() -> None:
    ends = month_ends(date(2026, 3, 15), 3)
    assert ends == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]


def test_empty_pipeline(analysis: Analysis) -> None:
    empty = Analysis([], analysis.config, TODAY).report()
    assert empty["win_rate"]["rate"] is None and empty["leak_rate"]["rate"] is None
    assert all(r["count"] == 0 for r in empty["funnel"]) and empty["forecast"] == []
    assert all(s["rate"] is None for s in empty["conversion"])


# -- issue 9: each rule of the seeds on a hand-built folder ----------------------------------


def people(folder: Path, texts: dict[str, str], preset: str = "seven-stage") -> list[Customer]:
    from pipeline.config import preset_text

    (folder / "pipeline.toml").write_text(preset_text(preset), encoding="utf-8")
    for cid, text in texts.items():
        write_customer(folder, cid, text)
    board = load_board(folder, use_cache=False)
    assert not board.errors, board.errors  # warnings (a hand-built history) are fine
    return list(board.customers.values())


def history(*entries: tuple[str, str]) -> str:
    return "".join(f'[[history]]\ndate = {d}\nstage = "{s}"\n' for d, s in entries)


def test_closed_deals_weigh_100_and_0_percent_whatever_the_file_says(folder: Path) -> None:
    customers = people(
        folder,
        {
            "w": 'name = "W"\nstage = "won"\namount = 100000\nprobability = 80\n',
            "l": 'name = "L"\nstage = "lost"\nlost_reason = "没有预算"\namount = 50000\nprobability = 30\n',
            "o": 'name = "O"\nstage = "intent"\namount = 40000\nprobability = 50\n',
        },
    )
    f = by(Analysis(customers, load_board(folder, use_cache=False).config, TODAY).funnel(), "stage")
    # won 100000 x 100 % (not 80 %); lost 50000 x 0 % (not 30 %); open keeps its own 50 %: 20000
    assert (f["won"]["weighted"], f["lost"]["weighted"], f["intent"]["weighted"]) == (100000, 0, 20000)


def test_a_customer_won_twice_counts_once(folder: Path) -> None:
    rewon = 'name = "R"\nstage = "won"\nowner = "wang"\n' + history(
        ("2026-09-01", "target"), ("2026-10-01", "won"), ("2026-10-10", "negotiation"), ("2026-11-01", "won")
    )
    customers = people(folder, {"r": rewon, "p": 'name = "P"\nstage = "potential"\n'})
    a = Analysis(customers, load_board(folder, use_cache=False).config, TODAY)
    # two won entries in the last 90 days, one customer: 1 signed deal, 1/3 a month
    cap = by(a.capacity(), "owner")["wang"]
    assert (cap["won_customers_last_90_days"], cap["won_per_month"]) == (1, 0.33)
    # closes 1 > 0 new first meetings (p has no history in the window)
    finding = next(f for f in a.shape() if f["code"] == "many_closes_few_new")
    assert "成交1个客户" in finding["message"]


def test_as_of_counts_only_customers_that_existed_and_labels_current_values(folder: Path) -> None:
    customers = people(
        folder,
        {
            "old": 'name = "Old"\nstage = "intent"\namount = 10\n' + history(("2026-09-01", "target")),
            "made": 'name = "Made"\nstage = "target"\ncreated = 2026-09-20\n',
            "new": 'name = "New"\nstage = "target"\n' + history(("2026-11-01", "target")),
            "later": 'name = "Later"\nstage = "target"\ncreated = 2026-11-02\n',
        },
    )
    config = load_board(folder, use_cache=False).config
    past = Analysis(customers, config, date(2026, 10, 1), today=TODAY).report()
    # old (history from 09-01) and made (created 09-20) existed on 10-01; new and later did not
    assert past["customers"] == 2
    assert sum(r["count"] for r in past["funnel"]) == 2
    assert "amount" in past["current_values"] and "next_action" in past["current_values"]
    assert Analysis(customers, config, TODAY, today=TODAY).report()["current_values"] == []


def test_metrics_read_history_by_date_not_by_file_order(folder: Path) -> None:
    # The intent entry was appended last with an earlier date (a late `move --date`).
    # By date: target 09-01 → intent 09-11 → project 10-31, and project until 11-23.
    # target 10 days, intent 50 days (09-11 → 10-31), project 23 days (10-31 → 11-23).
    # File order would give target 60, project 0 and intent 73.
    text = 'name = "H"\nstage = "project"\n' + history(
        ("2026-09-01", "target"), ("2026-10-31", "project"), ("2026-09-11", "intent")
    )
    customers = people(folder, {"h": text})
    t = by(Analysis(customers, load_board(folder, use_cache=False).config, TODAY).time_in_stage(), "stage")
    assert (t["target"]["mean_days"], t["intent"]["mean_days"], t["project"]["mean_days"]) == (10, 50, 23)
    assert rules.days_in_stage(customers[0], TODAY) == 23
    ((index, entry, before),) = rules.history_out_of_order(customers[0].history)
    assert (index, entry.stage, before) == (2, "intent", date(2026, 10, 31))
    # and `check` says so, on the entry's line
    [warning] = [p for p in load_board(folder, use_cache=False).problems if "written after" in p.message]
    assert (warning.line, warning.is_error) == (9, False)
    assert "history entry of 2026-09-11 is written after one of 2026-10-31" in warning.message


def test_ten_level_signed_is_won(folder: Path) -> None:
    texts = {
        "s": 'name = "S"\nstage = "A02"\nsource = "internet"\namount = 60000\n'
        + history(("2026-10-01", "A21"), ("2026-11-01", "A02")),
        "d": 'name = "D"\nstage = "A01"\nsource = "ads"\namount = 40000\n'
        + history(("2026-08-01", "A21"), ("2026-09-01", "A02"), ("2026-10-01", "A01")),
        "r": 'name = "R"\nstage = "A31"\nlost_reason = "明确表示不需要"\n' + history(("2026-10-01", "A31")),
    }
    customers = people(folder, texts, "ten-level")
    a = Analysis(customers, load_board(folder, use_cache=False).config, TODAY)
    # s signed (A02) and d settled (A01) are both won; r refused: 2 / 3
    assert a.win_rate() == {"won": 2, "lost": 1, "rate": 0.667}
    assert {r["source"]: r["count"] for r in a.sources_won()} == {"internet": 1, "ads": 1}
    assert a.conversion()[-1]["to"] == "A02" and a.conversion()[-1]["reached_to"] == 2


def test_buckets_put_refunds_and_zero_in_the_first() -> None:
    import pandas as pd

    from pipeline.analytics import bucket_records

    # -5000 (a refund) and 0 are under 1万; 10000 opens 1-5万; 250000 is 20万以上
    got = bucket_records(pd.Series([-5000.0, 0.0, 10000.0, 250000.0]))
    assert [b["count"] for b in got] == [2, 1, 0, 0, 1]
    assert got[0]["amount"] == -5000 and got[0]["min"] is None


LEAKS = {
    # contacted in 11-16..11-23 and complete
    "p1": 'name = "P1"\nstage = "potential"\namount = 1\nexpected_close = 2027-01-01\n'
    '[next]\naction = "回访"\ndue = 2026-12-01\n[[log]]\ndate = 2026-11-18\nkind = "call"\nnote = "x"\n',
    # moved into intent on 11-17, no amount: a leak
    "p2": 'name = "P2"\nstage = "intent"\nexpected_close = 2027-01-01\n[next]\naction = "演示"\n'
    "due = 2026-12-01\n" + history(("2026-11-01", "target"), ("2026-11-17", "intent")),
    # a target called on 11-20, no next action: a leak
    "p3": 'name = "P3"\nstage = "target"\namount = 1\nexpected_close = 2027-01-01\n'
    '[[log]]\ndate = 2026-11-20\nkind = "call"\nnote = "x"\n',
    # a target never contacted, incomplete: not in the denominator
    "p4": 'name = "P4"\nstage = "target"\n',
    # contacted only in the first half of November, expected close missing
    "p5": 'name = "P5"\nstage = "negotiation"\namount = 1\n[next]\naction = "签约"\ndue = 2026-12-01\n'
    '[[log]]\ndate = 2026-11-05\nkind = "visit"\nnote = "x"\n',
    # won, called on 11-19: not a potential customer any more
    "p6": 'name = "P6"\nstage = "won"\n[[log]]\ndate = 2026-11-19\nkind = "call"\nnote = "x"\n',
}


def test_leak_rate_by_seed_000_over_the_reporting_half_month(folder: Path) -> None:
    customers = people(folder, LEAKS)
    a = Analysis(customers, load_board(folder, use_cache=False).config, TODAY)
    # 11-16..11-23: contacted p1 (log), p2 (into intent), p3 (log); leaks p2, p3: 2 / 3
    now = a.leak_rate()
    assert (now["contacted"], now["leaks"], now["rate"]) == (3, 2, 0.667)
    assert now["missing"] == {"amount": 1, "expected_close": 0, "next_action": 1, "next_due": 1}
    # 11-01..11-15: p5 (log 11-05) without expected close: 1 / 1 (p2's 11-01 entry is target)
    first = a.leak_rate(HalfMonth.of(date(2026, 11, 15)))
    assert (first["period"]["start"], first["contacted"], first["rate"]) == ("2026-11-01", 1, 1.0)
    trend = a.leak_trend()
    assert len(trend) == 12 and trend[0]["key"] == "2026-06-H1" and trend[-1]["key"] == "2026-11-H2"
    assert [t["rate"] for t in trend[-2:]] == [1.0, 0.667]


def test_half_months() -> None:
    assert HalfMonth.of(date(2026, 2, 16)) == HalfMonth(date(2026, 2, 16), date(2026, 2, 28))
    assert HalfMonth.of(date(2026, 3, 1)).previous() == HalfMonth(date(2026, 2, 16), date(2026, 2, 28))
    assert HalfMonth.of(date(2026, 12, 31)).label == "2026-12 下半月"


def test_sources_of_won_customers_per_month(analysis: Analysis) -> None:
    monthly = {m["month"]: m for m in analysis.sources_won_monthly()}
    # c was won on 09-10 from a customer referral; no other month has a win
    assert monthly["2026-09"]["won_customers"] == 1
    assert monthly["2026-09"]["sources"][0]["source"] == "customer-referral"
    assert sum(m["won_customers"] for m in monthly.values()) == 1


def test_every_report_key_is_documented_in_metrics_md(analysis: Analysis) -> None:
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "metrics.md").read_text("utf-8")
    headed = {k for line in doc.splitlines() if line.startswith("### ") for k in re.findall(r"`(\w+)`", line)}
    assert set(analysis.report()) <= headed


def test_a_deal_signed_at_a02_counts_in_the_month_it_was_signed(folder: Path) -> None:
    # Seed 001: 「【A02-成交级】:满足以下3个条件之一 1、已签定合作意向书/合作协议/合同」 — the
    # deal was won when it reached A02 in September; A01 结案级 in November only closes it.
    text = 'name = "D"\nstage = "A01"\nsource = "ads"\namount = 40000\n' + history(
        ("2026-08-01", "A21"), ("2026-09-01", "A02"), ("2026-11-01", "A01")
    )
    customers = people(folder, {"d": text}, "ten-level")
    monthly = Analysis(customers, load_board(folder, use_cache=False).config, TODAY).sources_won_monthly()
    won = {m["month"]: m["won_customers"] for m in monthly if m["won_customers"]}
    assert won == {"2026-09": 1}
