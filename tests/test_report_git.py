"""What only git can tell the report (issue 11): the forecast's honesty (`report --slip`) and
`report --at DATE` rebuilt from the commit of that day. Real git, commits with set dates."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from pipeline.analytics.from_git import drift
from pipeline.githistory import FieldChange
from tests.conftest import write_customer
from tests.gitteam import git, isolate_git, tb

BASE = 'name = "甲公司"\nstage = "intent"\nowner = "wang"\ncreated = 2026-08-01\n'


def commit(root: Path, day: str, message: str) -> None:
    stamp = f"{day}T10:00:00+08:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git(root, "add", "-A")
    subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", message],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """甲: close 10-31 → 11-30 → 12-31 (two slips, 61 days), amount 100000 → 80000;
    乙: close pulled in from 12-31 to 12-15; amount never changed."""
    isolate_git(tmp_path, monkeypatch)
    git(folder, "init", "-q")
    write_customer(folder, "jia", BASE + "amount = 100000\nexpected_close = 2026-10-31\n")
    write_customer(
        folder, "yi", 'name = "乙公司"\nstage = "target"\namount = 5000\nexpected_close = 2026-12-31\n'
    )
    commit(folder, "2026-09-01", "start")
    write_customer(folder, "jia", BASE + "amount = 100000\nexpected_close = 2026-11-30\n")
    write_customer(
        folder, "yi", 'name = "乙公司"\nstage = "target"\namount = 5000\nexpected_close = 2026-12-15\n'
    )
    commit(folder, "2026-10-20", "first slip")
    write_customer(folder, "jia", BASE + "amount = 80000\nexpected_close = 2026-12-31\n")
    commit(folder, "2026-11-10", "second slip")
    return folder


def test_drift_counts_slips_pull_ins_and_the_first_values() -> None:
    def ch(field: str, old: object, new: object) -> FieldChange:
        return FieldChange("c", "rep", "2026-11-01T00:00:00+08:00", field, old, new)

    newest_first = [
        ch("amount", 90000, 80000),
        ch("expected_close", date(2026, 11, 30), date(2026, 11, 15)),
        ch("expected_close", date(2026, 10, 31), date(2026, 11, 30)),
        ch("amount", None, 90000),
        ch("expected_close", None, date(2026, 10, 31)),
    ]
    d = drift(newest_first)
    assert (d.close_changes, d.slips, d.slip_days, d.pulled_in) == (2, 1, 30, 1)
    assert (d.first_close, d.first_amount, d.amount_changes) == (date(2026, 10, 31), 90000.0, 1)


def test_report_slip_json_says_how_often_close_dates_slipped(repo: Path) -> None:
    result = tb(repo, "report", "--slip", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["version"] == 1
    jia = next(r for r in got["by_customer"] if r["id"] == "jia")
    assert (jia["slips"], jia["slip_days"], jia["first_close"], jia["expected_close"]) == (
        2,
        61,
        "2026-10-31",
        "2026-12-31",
    )
    assert (jia["first_amount"], jia["amount"], jia["amount_drift"]) == (100000, 80000, -20000)
    yi = next(r for r in got["by_customer"] if r["id"] == "yi")
    assert (yi["slips"], yi["pulled_in"]) == (0, 1)
    assert (got["with_close_date"], got["slipped"], got["slip_rate"], got["slips"]) == (2, 1, 0.5, 2)
    assert (got["first_amount"], got["amount_now"], got["amount_drift_rate"]) == (105000, 85000, -0.19)


def test_report_slip_counts_what_is_not_committed_yet_with_the_rest(repo: Path) -> None:
    """Amounts edited and not committed: the totals read the files as they are, and said
    \"0 个客户改过金额\" beside a drift of 1,000 (a count from the commits alone)."""
    write_customer(
        repo, "yi", 'name = "乙公司"\nstage = "target"\namount = 6000\nexpected_close = 2027-01-15\n'
    )
    got = json.loads(tb(repo, "report", "--slip", "--json").output)
    yi = next(r for r in got["by_customer"] if r["id"] == "yi")
    assert (yi["amount_changes"], yi["amount_drift"], yi["commits"]) == (1, 1000, 2)
    assert (yi["pulled_in"], yi["slips"], yi["slip_days"]) == (1, 1, 31)  # 12-15 → 01-15, not committed
    assert (got["amount_changed"], got["amount_drift"]) == (2, -19000)
    jia = next(r for r in got["by_customer"] if r["id"] == "jia")
    assert (jia["amount_changes"], jia["slips"]) == (1, 2)  # as committed: nothing added


def test_report_slip_text_and_owner_filter(repo: Path) -> None:
    out = tb(repo, "report", "--slip").output
    assert "1 个推迟过" in out and "甲公司:推迟 2 次,共 61 天(2026-10-31 → 2026-12-31)" in out
    mine = json.loads(tb(repo, "report", "--slip", "--json", "--owner", "wang").output)
    assert [r["id"] for r in mine["by_customer"]] == ["jia"]


def test_report_slip_outside_git_says_so_in_one_line(folder: Path) -> None:
    write_customer(folder, "jia", BASE)
    result = tb(folder, "report", "--slip")
    assert result.exit_code == 1
    assert "not in a git repository" in result.output and len(result.output.strip().splitlines()) == 1


def test_report_at_a_date_rebuilds_every_field_from_that_days_commit(repo: Path) -> None:
    got = json.loads(tb(repo, "report", "--at", "2026-10-25", "--json").output)
    # the commit of 10-20: 甲 still 100000, closing 11-30 (today's file says 80000, 12-31)
    assert got["rebuilt_from"]["committed"].startswith("2026-10-20")
    assert got["current_values"] == []
    intent = next(r for r in got["funnel"] if r["stage"] == "intent")
    assert intent["amount"] == 100000
    assert {f["month"]: f["amount"] for f in got["forecast"]} == {"2026-11": 100000, "2026-12": 5000}
    text = tb(repo, "report", "--at", "2026-10-25", "--chart", "summary").output
    assert "按 git 提交" in text and "取当前值" not in text


def test_report_at_before_the_first_commit_or_outside_git_uses_the_history(repo: Path, folder: Path) -> None:
    early = json.loads(tb(repo, "report", "--at", "2026-08-15", "--json").output)
    assert early["rebuilt_from"] is None and "amount" in early["current_values"]
    today = json.loads(tb(repo, "report", "--json").output)
    assert today["rebuilt_from"] is None


async def test_charts_screen_slip_tab_reads_git_when_shown(repo: Path) -> None:
    from textual.widgets import Static

    from tests.test_charts_screen import computed, host

    app = host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await computed(pilot)
        assert str(app.screen.query_one("#slip-text", Static).render()) == ""  # not read until shown
        await pilot.press("8")
        await computed(pilot)
        text = str(app.screen.query_one("#slip-text", Static).render())
        assert "1 个推迟过" in text and "甲公司:推迟 2 次,共 61 天" in text


async def test_charts_screen_slip_tab_outside_git_says_why(folder: Path) -> None:
    from textual.widgets import Static

    from tests.test_charts_screen import computed, host

    write_customer(folder, "jia", BASE)
    app = host(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await computed(pilot)
        await pilot.press("8")
        await computed(pilot)
        assert "不是 git 仓库" in str(app.screen.query_one("#slip-text", Static).render())
