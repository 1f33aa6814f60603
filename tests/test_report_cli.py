"""`tuiboard report`: JSON equal to the metrics library, --at equal to a folder cut at that
date, the charts as text, and raw sales reports (CSV and XLSX)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline.analytics import Analysis
from pipeline.canonical import dump_customer
from pipeline.query import Filter, select
from pipeline.store import load_board
from tests.conftest import TODAY
from tuiboard.cli import main

KEYS = [
    "version",
    "as_of",
    "customers",
    "current_values",
    "kpis",
    "funnel",
    "conversion",
    "win_rate",
    "time_in_stage",
    "forecast",
    "sources_won",
    "sources_won_monthly",
    "amount_buckets",
    "trend",
    "leak_rate",
    "leak_trend",
    "capacity",
    "tier_mix",
    "shape",
    "rebuilt_from",  # version 2: the git commit `--at` rebuilt every field from, else null
]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def library(root: Path, as_of: date, owners: frozenset[str] = frozenset()) -> dict[str, Any]:
    board = load_board(root, use_cache=False)
    customers = select(board.customers, Filter(owners=owners), board.config, as_of)
    report = Analysis(customers, board.config, as_of, today=TODAY).report()
    return {"version": 2, **json.loads(json.dumps(report)), "rebuilt_from": None}


def test_json_matches_the_metrics_library(demo_folder: Path) -> None:
    result = run("-C", demo_folder, "report", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert list(got) == KEYS
    assert got == library(demo_folder, TODAY)
    assert got["funnel"][0]["stage"] == "target" and got["funnel"][0]["label"] == "目标客户"
    assert sum(r["count"] for r in got["funnel"]) == 60


def test_owner_filter(demo_folder: Path) -> None:
    got = json.loads(run("-C", demo_folder, "report", "--json", "--owner", "li.na").output)
    assert got == library(demo_folder, TODAY, frozenset({"li.na"}))
    board = load_board(demo_folder)
    assert sum(r["count"] for r in got["funnel"]) == sum(c.owner == "li.na" for c in board.customers.values())


def cut_folder(src: Path, dst: Path, day: date) -> int:
    """A copy of ``src`` holding only the history up to ``day``: later entries dropped, the
    stage the last one left, customers that did not exist yet left out."""
    (dst / "customers").mkdir(parents=True)
    (dst / "pipeline.toml").write_bytes((src / "pipeline.toml").read_bytes())
    kept = 0
    for path in sorted((src / "customers").glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        history = data.get("history", [])
        before = [h for h in history if h["date"] <= day]
        if (history and not before) or (not history and data.get("created", day) > day):
            continue
        if len(before) < len(history):
            data["history"], data["stage"] = before, before[-1]["stage"]
        (dst / "customers" / path.name).write_text(dump_customer(data), encoding="utf-8")
        kept += 1
    return kept


@pytest.mark.parametrize("day", [date(2026, 3, 31), date(2026, 8, 15)])
def test_at_a_past_date_matches_a_folder_cut_at_that_date(
    demo_folder: Path, tmp_path: Path, day: date
) -> None:
    cut = tmp_path / "cut"
    kept = cut_folder(demo_folder, cut, day)
    assert 0 < kept < 60
    past = json.loads(run("-C", demo_folder, "report", "--json", "--at", day.isoformat()).output)
    then = json.loads(run("-C", cut, "report", "--json", env={"TUIBOARD_TODAY": day.isoformat()}).output)
    assert past["as_of"] == day.isoformat()
    # the past report says which fields are today's values; the cut folder's are its own
    assert past.pop("current_values") and then.pop("current_values") == []
    assert past == then
    assert sum(r["count"] for r in past["funnel"]) == kept
    now = json.loads(run("-C", demo_folder, "report", "--json").output)
    assert past["funnel"] != now["funnel"]


def test_charts_as_text(demo_folder: Path) -> None:
    result = run("-C", demo_folder, "report", "--width", "100")
    assert result.exit_code == 0
    out = result.output
    for heading in (
        "概要 Summary",
        "销售漏斗 Funnel",
        "阶段转化率",
        "预计成交",
        "成交客户来源",
        "客户金额分段",
        "全年漏斗趋势",
        "阶段停留天数",
    ):
        assert heading in out
    assert "\x1b" not in out  # not a terminal: no colours
    assert "进行中" in out and "漏网率" in out
    one = run("-C", demo_folder, "report", "--chart", "funnel", "--width", "60", "--height", "12").output
    assert "销售漏斗" in one and "阶段转化率" not in one
    assert max(len(line) for line in one.splitlines()[1:]) <= 60


def test_bad_arguments(demo_folder: Path) -> None:
    assert run("-C", demo_folder, "report", "--chart", "pie").exit_code == 2
    assert run("-C", demo_folder, "report", "--at", "someday").exit_code == 2
    assert run("-C", demo_folder, "report", "--product", "X").exit_code == 2


SALES = [
    ("产品名称", "客户名称", "价税合计"),
    ("ERP", "甲", "6000"),
    ("ERP", "甲", "5,000"),  # 甲 totals 11000: 1-5万
    ("ERP", "乙", "9999.5"),  # <1万
    ("OA", "乙", "300000"),  # another product
    ("ERP", "丙", "250000"),  # >20万
    ("ERP", "丁", "100000"),  # exactly 10万: 10-20万
    ("ERP", "", "5000"),  # no customer: left out
    ("ERP", "戊", "n/a"),  # no amount: left out
]


def buckets(result: Result) -> list[int]:
    assert result.exit_code == 0, result.output
    return [b["count"] for b in json.loads(result.output)["amount_buckets"]]


def test_sales_report_csv_sums_per_customer_then_buckets(tmp_path: Path) -> None:
    path = tmp_path / "销售报表.csv"
    path.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in SALES), encoding="utf-8-sig")
    result = run("report", "--sales-report", path, "--product", "ERP", "--json")
    assert buckets(result) == [1, 1, 0, 1, 1]
    rec = json.loads(result.output)
    assert (rec["customers"], rec["rows"], rec["skipped_rows"]) == (4, 5, 2)
    assert rec["amount_buckets"][1]["amount"] == 11000
    everything = run("report", "--sales-report", path, "--json")
    assert buckets(everything) == [0, 1, 0, 1, 2]  # 乙 now totals 309999.5
    text = run("report", "--sales-report", path, "--product", "ERP", "--width", "70")
    assert "1-5万" in text.output and "4 customers from 5 rows" in text.output


def test_sales_report_xlsx_with_a_title_row_and_other_column_names(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["2017年8月销售报表"])
    sheet.append(["货品名称", "客户", "数量", "价税合计"])
    for product, customer, amount in (
        ("XX产品", "甲", 12000),
        ("XX产品", "乙", 60000),
        ("XX产品", "甲", 40000),
    ):
        sheet.append([product, customer, 1, amount])
    path = tmp_path / "report.xlsx"
    book.save(path)
    assert buckets(run("report", "--sales-report", path, "--product", "XX产品", "--json")) == [0, 0, 2, 0, 0]


def test_sales_report_problems_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,金额\nA,1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--sales-report", str(bad)])
    assert result.exit_code == 1 and "客户名称" in result.output
    good = tmp_path / "good.csv"
    good.write_text("产品名称,客户名称,价税合计\nERP,甲,1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--sales-report", str(good), "--product", "CRM"])
    assert result.exit_code == 1 and "ERP" in result.output
    missing = CliRunner().invoke(main, ["report", "--sales-report", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 1 and "no such file" in missing.output


@pytest.mark.parametrize(
    "preset", ["grade-f-a", "ten-level", "four-level", "prospect", "leads", "aida", "six-step", "erp-process"]
)
def test_every_preset_reports(tmp_path: Path, preset: str) -> None:
    from pipeline.demo import write_demo

    root = tmp_path / preset
    write_demo(root, 25, 3, TODAY, preset)
    got = json.loads(run("-C", root, "report", "--json").output)
    assert got == library(root, TODAY)
    assert [r["stage"] for r in got["funnel"]] == list(load_board(root).config.stage_ids)
    text = run("-C", root, "report", "--width", "90")
    assert text.exit_code == 0 and "全年漏斗趋势" in text.output


def test_heavy_imports_wait_until_needed() -> None:
    code = (
        "import sys, tuiboard.cli, pipeline.analytics, pipeline.export_table, pipeline.import_table,"
        " pipeline.sales_report;"
        "print(sorted(m for m in ('plotext', 'textual', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    out = subprocess.run(
        [sys.executable, "-c", "import sys, tuiboard.cli; print('pandas' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


# -- issue 9: the report a sales manager reads -------------------------------------------------


def test_summary_counts_customers_as_of_the_date_in_plain_chinese(tmp_path: Path) -> None:
    from pipeline.config import preset_text

    root = tmp_path / "p"
    (root / "customers").mkdir(parents=True)
    (root / "pipeline.toml").write_text(preset_text("seven-stage"), encoding="utf-8")
    files = {
        "old": 'name = "Old"\nstage = "intent"\n[[history]]\ndate = 2026-09-01\nstage = "target"\n',
        "made": 'name = "Made"\nstage = "target"\ncreated = 2026-09-20\n',
        "later": 'name = "Later"\nstage = "target"\ncreated = 2026-11-02\n',
    }
    for cid, text in files.items():
        (root / "customers" / f"{cid}.toml").write_text(text, encoding="utf-8")
    past = run("-C", root, "report", "--chart", "summary", "--at", "2026-10-01").output
    # two of the three existed on 10-01 (later was created 11-02)
    assert "截至 2026-10-01 · 2 个客户" in past and "取当前值" in past
    now = run("-C", root, "report", "--chart", "summary").output
    assert "3 个客户" in now and "取当前值" not in now


def test_summary_has_no_internal_codes_and_says_在谈(demo_folder: Path) -> None:
    import re

    out = run("-C", demo_folder, "report", "--chart", "summary").output
    assert "在谈金额" in out and "未结" not in out
    assert not re.search(r"\[[a-z_, ]+\]", out)  # no [won_below_range] for a person to decode
    assert "漏网率 2026-11 下半月" in out and "已接触" in out


def test_period_and_all_options(demo_folder: Path) -> None:
    got = json.loads(run("-C", demo_folder, "report", "--json", "--period", "2026-11-05", "--all").output)
    assert got["leak_rate"]["period"]["key"] == "2026-11-H1"
    assert got["leak_trend"][-1]["key"] == "2026-11-H1" and len(got["leak_trend"]) == 12
    b = got["amount_buckets"]
    assert b["scope"] == "all" and b["customers"] == 60
    assert sum(x["count"] for x in b["buckets"]) + b["no_amount"] == 60


def test_tiers_from_a_sales_report_by_monthly_payment(demo_folder: Path, tmp_path: Path) -> None:
    rows = [("产品名称", "客户名称", "价税合计"), ("ERP", "甲", "500000"), ("ERP", "乙", "70000")]
    rows += [("ERP", "丙", "3000"), ("ERP", "丙", "-5000")]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    got = json.loads(
        run("-C", demo_folder, "report", "--sales-report", path, "--tiers", "--months", "2", "--json").output
    )
    # over 2 months: 甲 250000/month ≥ 20万: VIP; 乙 35000 ≥ 3万: B; 丙 -1000 (a refund): none
    assert [(r["customer"], r["monthly"], r["suggested_tier"]) for r in got["customers"]] == [
        ("甲", 250000, "VIP"),
        ("乙", 35000, "B"),
        ("丙", -1000, None),
    ]
    text = run("-C", demo_folder, "report", "--sales-report", path, "--tiers", "--months", "2").output
    assert "月均回款" in text and "建议 VIP" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--at", "9999-12-31"],
            "Invalid value for '--at': '9999-12-31': give a date from 1900-01-01 to 2999-12-31",
        ),
        (["--at", "+99999999d"], "Invalid value for '--at': '+99999999d': give a date from 1900-01-01"),
        (["--at", "0001-01-01"], "Invalid value for '--at': '0001-01-01': give a date from 1900-01-01"),
        (["--height", "100000"], "Invalid value for '--height': 100000 is not in the range 3<=x<=200."),
        (["--width", "100000"], "Invalid value for '--width': 100000 is not in the range 20<=x<=1000."),
    ],
)
def test_out_of_range_arguments_are_one_line_errors(demo_folder: Path, args: list[str], message: str) -> None:
    argv = [sys.executable, "-m", "tuiboard", "-C", str(demo_folder), "report", *args]
    # the timeout only keeps a regression from hanging the suite (--height 100000 never ended)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"tuiboard report: {message}")


def test_the_edges_of_the_ranges_report(demo_folder: Path) -> None:
    for args in (["--at", "2999-12-31"], ["--at", "1900-01-01"], ["--width", "20", "--height", "3"]):
        result = run("-C", demo_folder, "report", *args)
        assert result.exit_code == 0, result.output


def test_tiers_spread_totals_over_the_months_the_report_spans(demo_folder: Path, tmp_path: Path) -> None:
    # 单据日期 from 2026-09-05 to 2026-11-20: three calendar months (Sep, Oct, Nov).
    # 甲 paid 300000 + 330000 = 630000 → 210000 a month ≥ 20万: VIP; 乙 paid 90000 once → 30000: B
    rows = [("单据日期", "客户名称", "价税合计"), ("2026-09-05", "甲", "300000")]
    rows += [("2026-11-20", "甲", "330000"), ("2026-10-10", "乙", "90000")]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    got = json.loads(run("-C", demo_folder, "report", "--sales-report", path, "--tiers", "--json").output)
    assert got["months"] == 3
    assert [(r["customer"], r["monthly"], r["suggested_tier"]) for r in got["customers"]] == [
        ("甲", 210000, "VIP"),
        ("乙", 30000, "B"),
    ]
