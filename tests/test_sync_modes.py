"""Sync's per-rep settings with the real git binary: rebase instead of merge, one commit
per customer, and where the settings live (the clone's git config)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.gitrepo import local_state
from tests.gitteam import data, git, head, new, ok, shared_customer, tb, tree


def merges(folder: Path) -> str:
    return git(folder, "rev-list", "--merges", "HEAD").stdout


@pytest.mark.parametrize("how", ["flag", "setting"])
def test_rebase_replays_this_reps_commits_onto_the_remote(team: tuple[Path, list[Path]], how: str) -> None:
    remote, (a, b) = team
    cid = shared_customer(a, b, "杭州中联")
    ok(a, "log", cid, "call", "a 的电话")
    ok(a, "sync")
    ok(b, "log", cid, "visit", "b 的拜访")
    if how == "setting":
        git(b, "config", "tuiboard.rebase", "true")
    out = ok(b, "sync", *(["--rebase"] if how == "flag" else []))
    assert "1 customer changed by wang.li" in out and "pushed" in out
    assert merges(b) == ""  # one line of history: b's commit sits on top of a's
    assert git(b, "log", "-1", "--format=%s").stdout.strip() == "log 杭州中联 visit"
    assert head(b) == head(remote, "main")
    assert {e["note"] for e in data(b, cid)["log"]} == {"a 的电话", "b 的拜访"}


def test_merge_stays_the_default_and_wins_over_the_setting(team: tuple[Path, list[Path]]) -> None:
    _, (a, b) = team
    cid = shared_customer(a, b, "杭州中联")
    ok(a, "log", cid, "call", "a")
    ok(a, "sync")
    ok(b, "log", cid, "call", "b")
    git(b, "config", "tuiboard.rebase", "true")
    ok(b, "sync", "--merge")
    assert merges(b) != ""


def test_a_conflict_in_a_rebase_is_settled_with_ours_meaning_this_rep(team: tuple[Path, list[Path]]) -> None:
    """git's stages are the other way round in a rebase; `resolve` and sync hide that."""
    remote, (a, b) = team
    cid = shared_customer(a, b, "杭州中联")
    ok(a, "next", cid, "A 的下一步", "--due", "2026-12-01")
    ok(a, "sync")
    ok(b, "next", cid, "B 的下一步", "--due", "2026-12-01")
    stopped = tb(b, "sync", "--rebase")
    assert stopped.exit_code == 1 and f"conflicts in 1 customer: {cid}" in stopped.output
    state = local_state(b)
    assert state is not None and state.rebasing and state.conflicted
    listing = ok(b, "resolve")
    assert 'ours    "B 的下一步"' in listing and 'theirs  "A 的下一步"' in listing
    ok(b, "resolve", cid, "--ours", "next.action")
    out = ok(b, "sync")
    assert "concluded the rebase" in out and "pushed" in out
    assert data(b, cid)["next"]["action"] == "B 的下一步"
    assert merges(b) == "" and tree(b) == tree(remote, "main")
    state = local_state(b)
    assert state is not None and not state.rebasing and not state.conflicted


def test_one_commit_per_customer_when_the_rep_asks(team: tuple[Path, list[Path]]) -> None:
    _, (a, _) = team
    one, two = new(a, "杭州中联"), new(a, "上海华东")
    ok(a, "sync")
    git(a, "config", "tuiboard.commits", "customer")
    ok(a, "move", one, "intent")
    ok(a, "log", two, "call", "聊了")
    (a / "pipeline.toml").write_text(
        (a / "pipeline.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    out = ok(a, "sync")
    assert "pushed" in out
    subjects = git(a, "log", "-3", "--format=%s").stdout.split("\n")[:3]
    assert sorted(subjects) == sorted(
        ["move 杭州中联 target → intent", "log 上海华东 call", "edit pipeline.toml"]
    )
    assert git(a, "status", "--porcelain").stdout == ""


def test_customers_changed_on_a_teammates_branch_are_named_until_merged(
    team: tuple[Path, list[Path]],
) -> None:
    _, (a, b) = team
    cid = shared_customer(a, b, "杭州中联")
    git(a, "switch", "-q", "-c", "big-deal")
    ok(a, "move", cid, "intent")
    git(a, "commit", "-qam", "wip")
    git(a, "push", "-q", "origin", "big-deal")
    out = ok(b, "sync")
    assert f"changed on teammates' branches, not merged yet:\n  {cid}: origin/big-deal (wang.li)" in out
    git(b, "merge", "-q", "origin/big-deal")
    assert "teammates' branches" not in ok(b, "sync")
