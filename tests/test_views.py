"""Saved views: ``[views.NAME]`` in pipeline.toml, read, checked, used and saved."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, write_customer

from pipeline.config import parse_config, preset_text
from pipeline.errors import ConflictError, UsageError, WriteError
from pipeline.query import Filter, filter_criteria, select, view_filter, view_named
from pipeline.store import Store, load_board
from pipeline.view_edit import save_view
from pipeline.views import View, find, view_table
from tests.test_completion import in_bash
from tuiboard.cli import main

VIEWS = """
# the team's views
[views."我的A类"]
tier = ["A", "VIP"]
mine = true
sort = "amount"

[views.hot]   # what to call today
overdue = true
stage = "intent"
"""


def config_of(extra: str) -> tuple[object, list[str]]:
    config, problems = parse_config(preset_text("seven-stage") + extra, Path("pipeline.toml"))
    return config, [p.format() for p in problems]


def tb(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="tuiboard", catch_exceptions=False)


@pytest.fixture
def pipe(folder: Path) -> Path:
    """Three customers of two owners, and the two views above."""
    with open(folder / "pipeline.toml", "a", encoding="utf-8") as fh:
        fh.write(VIEWS)
    write_customer(
        folder,
        "acme",
        'name = "Acme"\nstage = "intent"\ntier = "A"\nowner = "wang.li"\namount = 100000\n\n'
        '[next]\naction = "call back"\ndue = 2026-11-20\n',
    )
    write_customer(
        folder, "bolt", 'name = "Bolt"\nstage = "target"\ntier = "VIP"\nowner = "wang.li"\namount = 500000\n'
    )
    write_customer(folder, "coda", 'name = "Coda"\nstage = "intent"\ntier = "A"\nowner = "li.na"\n')
    return folder


# -- reading ------------------------------------------------------------------------------


def test_views_are_read_in_file_order_as_written() -> None:
    config, problems = config_of(VIEWS)
    assert problems == []
    mine, hot = config.views  # type: ignore[attr-defined]
    assert mine == View("我的A类", (("tier", ("A", "VIP")),), mine=True, sort="amount")
    assert hot == View("hot", (("overdue", True), ("stage", ("intent",))))
    assert mine.table() == {"tier": ["A", "VIP"], "mine": True, "sort": "amount"}


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('[views.x]\nteir = "A"\n', "pipeline.toml:{n}:1", "unknown key 'teir'"),
        ('[views.x]\nstage = "nowhere"\n', "pipeline.toml:{n}:1", "unknown stage 'nowhere'"),
        ('[views.x]\ntier = ["A", "Z"]\n', "pipeline.toml:{n}:1", "unknown tier 'Z'"),
        ("[views.x]\noverdue = 1\n", "pipeline.toml:{n}:1", "overdue must be true or false"),
        ('[views.x]\nsort = "size"\n', "pipeline.toml:{n}:1", "sort must be one of due, amount"),
        ("[views.x]\ntag = []\n", "pipeline.toml:{n}:1", "tag must be a string or a list of strings"),
        ('[views.x]\nmine = true\nowner = "li.na"\n', "pipeline.toml:{n}:1", "mine and owner"),
        ('views = "hot"\n', "pipeline.toml:{n}:1", "views must be tables"),
        ('[views.x]\ndue = "+3d"\n', "pipeline.toml:{n}:1", 'due must be "<" or "<=" and a day'),
        ('[views.x]\ndue = "<soon"\n', "pipeline.toml:{n}:1", "not a date: 'soon'"),
        ("[views.x]\ndue = 3\n", "pipeline.toml:{n}:1", "due must be a string"),
    ],
)
def test_a_bad_view_is_a_located_warning_and_is_left_out(text: str, where: str, words: str) -> None:
    base = preset_text("seven-stage")
    if text.startswith("views ="):  # a top-level key must come before the first table
        full, line = text + base, 1
    else:
        full = base + VIEWS + text
        line = len(base.split("\n")) + len(VIEWS.split("\n")) - 1 + 1
    config, problems = parse_config(full, Path("pipeline.toml"))
    [problem] = problems
    assert problem.severity == "warning" and words in problem.message, problem
    assert problem.format().startswith(where.format(n=line)), (problem.format(), line)
    assert "x" not in {v.name for v in config.views}
    assert config.stages  # the rest of pipeline.toml applies


def test_the_number_of_views_is_bounded() -> None:
    many = "".join(f"[views.v{i}]\nstale = true\n" for i in range(105))
    config, problems = config_of(many)
    assert len(config.views) == 100  # type: ignore[attr-defined]
    assert any("more than 100 views" in p for p in problems)


def test_a_view_narrows_like_the_board_filter_and_mine_means_me() -> None:
    config, _ = config_of(VIEWS)
    board_views = config.views  # type: ignore[attr-defined]
    assert view_filter(find(board_views, "hot"), None) == Filter(stages=frozenset({"intent"}), overdue=True)
    mine = view_filter(find(board_views, "我的A类"), "wang.li")
    assert mine == Filter(tiers=frozenset({"A", "VIP"}), owners=frozenset({"wang.li"}))
    with pytest.raises(UsageError, match="TUIBOARD_OWNER"):
        view_filter(find(board_views, "我的A类"), None)
    with pytest.raises(UsageError, match=r"no view 'cold' \(views: 我的A类, hot\)"):
        view_named(board_views, "cold")


def test_a_filter_saved_as_a_view_reads_back_as_the_same_filter(pipe: Path) -> None:
    flt = Filter(stages=frozenset({"intent"}), tiers=frozenset({"B", "A"}), stale=True, text="苏州")
    criteria = filter_criteria(flt)
    assert criteria == {"stage": ("intent",), "tier": ("A", "B"), "stale": True, "search": "苏州"}
    saved = save_view(pipe, "A类停滞", view_table(criteria, sort="days"), None)
    assert view_filter(saved, None) == flt and saved.sort == "days"
    board = load_board(pipe)
    assert find(board.config.views, "A类停滞") == saved and board.problems == []


DUE = """
[views.soon]
due = "<+3d"
[views.soon_incl]
due = "<=+3d"
[views.late]
due = "<today"
[views.late0]
due = "<0d"
[views.week]
due = "< +1w"
"""


def test_a_due_view_keeps_open_customers_whose_next_action_is_due_before_the_day(pipe: Path) -> None:
    with open(pipe / "pipeline.toml", "a", encoding="utf-8") as fh:
        fh.write(DUE)
    for name, due in (("d0", "2026-11-23"), ("d2", "2026-11-25"), ("d3", "2026-11-26"), ("d6", "2026-11-29")):
        write_customer(
            pipe, name, f'name = "{name}"\nstage = "intent"\n\n[next]\naction = "x"\ndue = {due}\n'
        )
    write_customer(pipe, "won", 'name = "won"\nstage = "won"\n\n[next]\naction = "x"\ndue = 2026-11-01\n')
    board = load_board(pipe)
    assert board.problems == []

    def shown(name: str) -> list[str]:
        flt = view_filter(find(board.config.views, name), None)
        return sorted(c.id for c in select(list(board.customers.values()), flt, board.config, TODAY))

    assert shown("late") == shown("late0") == ["acme"]  # 2026-11-20: overdue; won is never due
    assert shown("soon") == ["acme", "d0", "d2"]
    assert shown("soon_incl") == ["acme", "d0", "d2", "d3"]
    assert shown("week") == ["acme", "d0", "d2", "d3", "d6"]
    soon = view_filter(find(board.config.views, "soon"), None)
    assert filter_criteria(soon) == {"due": "<+3d"} and soon.describe() == "due <+3d"


# -- saving -------------------------------------------------------------------------------


def test_saving_a_view_changes_only_its_lines_and_keeps_comments(pipe: Path) -> None:
    path = pipe / "pipeline.toml"
    before = path.read_text("utf-8")
    os.chmod(path, 0o640)
    save_view(pipe, "新线索", {"no_next": True, "tag": ["展会"]}, None)
    after = path.read_text("utf-8")
    assert after == before + '\n[views."新线索"]\nno_next = true\ntag = ["展会"]\n'
    assert os.stat(path).st_mode & 0o777 == 0o640

    # The same name again replaces that view key by key: its comment line stays.
    hot = find(load_board(pipe).config.views, "hot")
    save_view(pipe, "hot", {"stale": True}, hot)
    text = path.read_text("utf-8")
    assert "[views.hot]   # what to call today\nstale = true\n" in text
    assert text.count("# the team's views") == 1
    assert find(load_board(pipe).config.views, "hot") == View("hot", (("stale", True),))


def test_saving_refuses_what_changed_since_and_writes_nothing(pipe: Path) -> None:
    path = pipe / "pipeline.toml"
    hot = find(load_board(pipe).config.views, "hot")
    path.write_text(path.read_text("utf-8").replace('stage = "intent"', 'stage = "project"'), "utf-8")
    edited = path.read_bytes()
    with pytest.raises(ConflictError, match="'hot'"):  # a teammate changed that view meanwhile
        save_view(pipe, "hot", {"stale": True}, hot)
    with pytest.raises(ConflictError):  # a new name the file already has
        save_view(pipe, "hot", {"stale": True}, None)
    with pytest.raises(WriteError, match="the view is not available"):  # the result would have a problem
        save_view(pipe, "bad", {"stage": ["nowhere"]}, None)
    with pytest.raises(UsageError):
        save_view(pipe, "", {"stale": True}, None)
    assert path.read_bytes() == edited
    path.write_text(path.read_text("utf-8") + "\nstages = = 1\n", "utf-8")
    broken = path.read_bytes()
    with pytest.raises(WriteError, match=r"fix pipeline\.toml first"):
        save_view(pipe, "new", {"stale": True}, None)
    assert path.read_bytes() == broken
    assert not list(pipe.glob(".pipeline.*.tmp"))


def test_a_saved_view_reaches_a_store_that_is_open(pipe: Path) -> None:
    store = Store(pipe)
    store.load()
    save_view(pipe, "mine", {"mine": True}, None)
    assert find(store.reload([pipe / "pipeline.toml"]).board.config.views, "mine") == View("mine", mine=True)


# -- the CLI ------------------------------------------------------------------------------


def listed(root: Path, *args: str) -> list[str]:
    result = tb("-C", root, "list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [c["id"] for c in json.loads(result.stdout)["customers"]]


def test_list_with_a_view(pipe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUIBOARD_OWNER", "wang.li")
    assert listed(pipe, "--view", "hot") == ["acme"]  # intent and overdue
    assert listed(pipe, "--view", "我的A类") == ["bolt", "acme"]  # A or VIP, mine; by stage, then amount
    assert listed(pipe, "--view", "我的A类", "--stage", "intent") == ["acme"]  # options narrow it
    monkeypatch.setenv("TUIBOARD_OWNER", "li.na")
    assert listed(pipe, "--view", "我的A类") == ["coda"]
    assert select(list(load_board(pipe).customers.values()), Filter(), load_board(pipe).config, TODAY)


def test_an_unknown_view_is_an_error_listing_the_valid_ones(pipe: Path) -> None:
    for args in (["list", "--view", "cold"], ["--view", "cold"], ["board", "--view", "cold"]):
        result = tb("-C", pipe, *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.strip() == "tuiboard: no view 'cold' (views: 我的A类, hot)", args
    result = tb("-C", pipe, "--view", "hot", "list")
    assert result.exit_code == 2 and "tuiboard list --view NAME" in result.stderr


def test_check_reports_a_bad_view(pipe: Path) -> None:
    with open(pipe / "pipeline.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[views.typo]\nteir = "A"\n')
    result = tb("-C", pipe, "check", "--strict")
    assert result.exit_code == 1
    assert "pipeline.toml:" in result.stdout and "view 'typo': unknown key 'teir'" in result.stdout
    # Asked for by name, it says why it is not there (it said "no view 'typo'").
    for args in (["list", "--view", "typo"], ["board", "--view", "typo"]):
        asked = tb("-C", pipe, *args)
        assert asked.exit_code == 2 and "view 'typo': unknown key 'teir'" in asked.stderr, args


def test_view_names_complete_in_bash(pipe: Path) -> None:
    assert in_bash("tuiboard list --view ", pipe) == ["hot", "我的A类"]
    assert in_bash("tuiboard --view h", pipe) == ["hot"]
