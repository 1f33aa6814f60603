"""The scriptable `tuiboard` command, driven through click's runner and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, write_customer
from rich.cells import cell_len

from pipeline.canonical import dump_customer
from pipeline.store import load_board
from tuiboard.cli import main


def tb(*args: str | Path) -> Result:
    """Run ``tuiboard ARGS`` in-process; an unexpected exception fails the test with its traceback."""
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="tuiboard", catch_exceptions=False)


def one_line_error(result: Result, code: int, *words: str) -> None:
    """A user error: the exit code, a single line on stderr naming the problem, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    for word in words:
        assert word in lines[0]


def customer_file(root: Path, cid: str) -> str:
    return (root / "customers" / f"{cid}.toml").read_text(encoding="utf-8")


@pytest.fixture
def pipe(folder: Path) -> Path:
    """A seven-stage folder with three customers whose filters are known."""
    write_customer(
        folder,
        "acme",
        'name = "Acme"\nstage = "intent"\ntier="A"\nowner = "wang.li"\namount = 100000\n\n'
        '[next]\naction = "call back"\ndue = 2026-11-20\n\n'
        '[[history]]\ndate = 2026-11-01\nstage = "intent"\n',
    )
    write_customer(
        folder,
        "苏州华东",
        'name = "苏州华东精密"  # hand-written\nstage = "target"\ntier = "B"\nowner = "li.na"\n\n'
        '[next]\naction = "发报价"\ndue = 2026-12-01\n\n[[history]]\ndate = 2026-09-01\nstage = "target"\n',
    )
    write_customer(folder, "bolt", 'name = "Bolt"\nstage = "won"\ntier = "A"\nowner = "wang.li"\n')
    return folder


# -- init and demo ------------------------------------------------------------------------


def test_init_makes_a_folder_that_loads(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    result = tb("init", root)
    assert result.exit_code == 0, result.stderr
    assert (root / "customers").is_dir() and ".tuiboard/" in (root / ".gitignore").read_text()
    board = load_board(root)
    assert board.config.stage_ids[0] == "target" and board.problems == []
    one_line_error(tb("init", root), 1, "already exists")


def test_init_ignores_what_a_killed_writer_leaves_and_never_writes_through_a_link(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    assert tb("init", root).exit_code == 0
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    leftover = root / "customers" / ".acme.k3j9x2aa.tmp"
    leftover.write_text("half a file")
    ignored = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", str(leftover)], check=False)
    assert ignored.returncode == 0
    planted, target = tmp_path / "cloned", tmp_path / "home" / ".bashrc"
    planted.mkdir()
    target.parent.mkdir()
    (planted / ".gitignore").symlink_to(target)  # dangling: following it would create the target
    assert tb("init", planted).exit_code == 0
    assert not target.exists() and (planted / ".gitignore").is_symlink()


def test_init_ten_level_has_a31_as_its_lost_stage(tmp_path: Path) -> None:
    assert tb("init", tmp_path / "t", "--preset", "ten-level").exit_code == 0
    config = load_board(tmp_path / "t").config
    assert [s.id for s in config.stages if s.kind == "lost"] == ["A31"]


def test_init_over_a_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")
    one_line_error(tb("init", tmp_path / "taken"), 2, "tuiboard init: ", "is a file")
    one_line_error(tb("init", tmp_path / "taken" / "sub"), 1, "tuiboard: ", "taken")  # the system refuses


def test_init_with_an_unknown_preset_is_a_usage_error(tmp_path: Path) -> None:
    one_line_error(tb("init", tmp_path / "x", "--preset", "nine-level"), 2, "nine-level")


def tree(root: Path) -> dict[str, bytes]:
    skip = {".git"}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not skip.intersection(p.relative_to(root).parts)
    }


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        result = tb("demo", tmp_path / name, "--no-open", "--customers", "40", "--seed", seed)
        assert result.exit_code == 0 and "wrote 40 customers" in result.stderr
    a, b, c = (tree(tmp_path / n) for n in "abc")
    assert len([n for n in a if n.startswith("customers/")]) == 40
    assert a == b and a != c
    board = load_board(tmp_path / "a")
    assert board.errors == [] and {c.stage for c in board.customers.values()} >= {"won", "lost", "target"}


def test_demo_into_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    one_line_error(tb("demo", tmp_path / "full", "--no-open"), 1, "not empty")
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["notes.txt"]


# -- check and fmt ------------------------------------------------------------------------


def test_check_exits_1_on_errors_and_lists_each_with_its_place(pipe: Path) -> None:
    ok = tb("-C", pipe, "check")
    assert ok.exit_code == 0 and ok.stdout == "" and "3 customers, 0 errors" in ok.stderr
    write_customer(pipe, "broken", 'name = "X"\nstage = "nowhere"\n')
    write_customer(pipe, "syntax", 'name = "Y\nstage = "target"\n')
    result = tb("-C", pipe, "check")
    assert result.exit_code == 1
    heads = [ln for ln in result.stdout.splitlines() if not ln.startswith("    ")]
    assert heads[0].startswith("customers/broken.toml:2:1: error: unknown stage 'nowhere'")
    assert heads[1].startswith("customers/syntax.toml:1:")
    assert len(heads) == 2 and "3 customers, 2 errors, 0 warnings" in result.stderr


def test_check_strict_fails_on_warnings(pipe: Path) -> None:
    write_customer(pipe, "quoted", 'name = "Q"\nstage = "target"\ncreated = "2026-01-02"\n')
    relaxed = tb("-C", pipe, "check")
    assert (
        relaxed.exit_code == 0
        and "customers/quoted.toml:3:1: warning: created is a quoted date" in relaxed.stdout
    )
    assert tb("-C", pipe, "check", "--strict").exit_code == 1


def test_fmt_rewrites_only_files_without_comments(pipe: Path) -> None:
    before = customer_file(pipe, "苏州华东")  # has a comment
    check = tb("-C", pipe, "fmt", "--check")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == ["customers/acme.toml: not canonical"]
    assert "苏州华东.toml: has comments; left as written" in check.stderr
    assert customer_file(pipe, "acme") != dump_customer(load_board(pipe).customers["acme"].data)
    fixed = tb("-C", pipe, "fmt")
    assert fixed.exit_code == 0 and fixed.stdout.splitlines() == ["customers/acme.toml: formatted"]
    assert customer_file(pipe, "acme") == dump_customer(load_board(pipe).customers["acme"].data)
    assert customer_file(pipe, "苏州华东") == before
    assert tb("-C", pipe, "fmt", "--check").exit_code == 0


# -- writes -------------------------------------------------------------------------------


def test_new_prints_the_path_of_a_file_that_loads(pipe: Path) -> None:
    result = tb("-C", pipe, "new", "北京云启科技", "--tier", "B", "--amount", "50000", "--next", "打电话")
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == (pipe / "customers" / "北京云启科技.toml").resolve() and path.is_file()
    c = load_board(pipe).customers["北京云启科技"]
    assert (c.stage, c.tier, c.amount, c.created, c.next_action) == ("target", "B", 50000, TODAY, "打电话")
    assert c.next_due == TODAY + timedelta(days=14)  # tier B's follow-up cadence
    assert [(h.date, h.stage) for h in c.history] == [(TODAY, "target")]


def test_new_reads_amounts_and_dates_as_the_board_does(pipe: Path) -> None:
    made = tb("-C", pipe, "new", "杭州中联", "--amount", "25万", "--next", "回访", "--due", "明天")
    assert made.exit_code == 0, made.stderr
    c = load_board(pipe).customers["杭州中联"]
    assert (c.amount, c.next_due) == (250000, TODAY + timedelta(days=1))
    one_line_error(tb("-C", pipe, "new", "X", "--amount", "很多"), 2, "not an amount")
    assert tb("-C", pipe, "log", "acme", "call", "昨天聊了预算", "--date", "yesterday").exit_code == 0
    assert load_board(pipe).customers["acme"].log[-1].date == TODAY - timedelta(days=1)


def test_list_never_cuts_an_id_and_refuses_unknown_filters(pipe: Path) -> None:
    long_id = "silverline-textiles-group-international"
    write_customer(pipe, long_id, 'name = "Silverline"\nstage = "target"\n')
    out = tb("-C", pipe, "list").stdout
    assert any(line.split()[0] == long_id for line in out.splitlines())  # usable as an id
    one_line_error(tb("-C", pipe, "list", "--stage", "nowhere"), 2, "unknown stage 'nowhere'")
    one_line_error(tb("-C", pipe, "list", "--tier", "Z"), 2, "unknown tier 'Z'")


def test_a_log_entry_needs_a_note(pipe: Path) -> None:
    before = customer_file(pipe, "acme")
    one_line_error(tb("-C", pipe, "log", "acme", "call", "  "), 1, "a log entry needs a note")
    assert customer_file(pipe, "acme") == before


def test_new_refuses_an_unknown_stage_or_tier(pipe: Path) -> None:
    one_line_error(tb("-C", pipe, "new", "X", "--stage", "nowhere"), 2, "unknown stage 'nowhere'")
    one_line_error(tb("-C", pipe, "new", "X", "--tier", "Z"), 2, "unknown tier 'Z'")
    assert len(load_board(pipe).customers) == 3


def test_move_appends_history_dated_today_or_given(pipe: Path) -> None:
    assert tb("-C", pipe, "move", "acme", "project", "--date", "2026-11-20").exit_code == 0
    result = tb("-C", pipe, "move", "acme", "approved")
    assert result.exit_code == 0 and "Acme: project → approved" in result.stdout
    c = load_board(pipe).customers["acme"]
    assert c.stage == "approved"
    assert [(h.date.isoformat(), h.stage) for h in c.history[-2:]] == [
        ("2026-11-20", "project"),
        (TODAY.isoformat(), "approved"),
    ]


def test_a_move_dated_before_the_last_history_entry_needs_force(pipe: Path) -> None:
    acme = load_board(pipe).customers["acme"]
    last = max(h.date for h in acme.history)
    early = (last - timedelta(days=1)).isoformat()
    before = customer_file(pipe, "acme")
    one_line_error(
        tb("-C", pipe, "move", "acme", "project", "--date", early),
        1,
        f"before the last history entry ({last})",
    )
    assert customer_file(pipe, "acme") == before
    assert tb("-C", pipe, "move", "acme", "project", "--date", early, "--force").exit_code == 0
    assert load_board(pipe).customers["acme"].history[-1].date.isoformat() == early


def test_a_move_or_an_activity_cannot_be_dated_after_today(pipe: Path) -> None:
    """A history entry next week locked the customer (every later move was "before the last
    history entry") and counted it in next week's stage in reports: refused, file untouched."""
    before = customer_file(pipe, "acme")
    for command in (("move", "acme", "project"), ("log", "acme", "call", "聊了预算")):
        for when in ("+1w", "tomorrow", (TODAY + timedelta(days=1)).isoformat()):
            one_line_error(tb("-C", pipe, *command, "--date", when), 2, "'--date'", "after today")
    assert customer_file(pipe, "acme") == before
    one_line_error(tb("-C", pipe, "new", "某客户", "--due", "someday"), 2, "'--due'", "not a date")


def test_won_turns_the_next_action_into_after_sales_and_lost_clears_it(pipe: Path) -> None:
    config = load_board(pipe).config
    assert tb("-C", pipe, "move", "苏州华东", "won").exit_code == 0
    won = load_board(pipe).customers["苏州华东"]
    step = config.after_sales[0]
    assert (won.next_action, won.next_due) == (step.label, TODAY + timedelta(days=step.due_days))
    assert tb("-C", pipe, "move", "acme", "lost", "--reason", "价格太高").exit_code == 0
    lost = load_board(pipe).customers["acme"]
    assert (lost.next_action, lost.next_due, lost.problems) == (None, None, ())


def test_lost_needs_a_reason(pipe: Path) -> None:
    before = customer_file(pipe, "acme")
    one_line_error(tb("-C", pipe, "move", "acme", "lost"), 1, "needs a reason")
    assert customer_file(pipe, "acme") == before
    assert tb("-C", pipe, "move", "acme", "lost", "--reason", "价格太高").exit_code == 0
    c = load_board(pipe).customers["acme"]
    assert (c.stage, c.lost_reason, c.problems) == ("lost", "价格太高", ())


def test_move_mistakes_are_one_line(pipe: Path) -> None:
    one_line_error(tb("-C", pipe, "move", "acme", "nowhere"), 2, "unknown stage 'nowhere'")  # as new --stage
    one_line_error(tb("-C", pipe, "new", "某客户", "--stage", "nowhere"), 2, "unknown stage 'nowhere'")
    one_line_error(tb("-C", pipe, "next", "acme", " ", "--due", "+1d"), 2, "needs some text")  # as new ''
    one_line_error(tb("-C", pipe, "new", " "), 2, "the name must not be empty")
    one_line_error(tb("-C", pipe, "move", "acme", "intent"), 1, "already in stage 'intent'")
    one_line_error(tb("-C", pipe, "move", "nobody", "won"), 1, "no customer 'nobody'")
    one_line_error(tb("-C", pipe, "move", "acme", "won", "--date", "someday"), 2, "not a date")
    one_line_error(tb("-C", pipe, "move", "acme"), 2, "Missing argument 'STAGE'")


def test_next_keeps_the_comment_and_changes_two_lines(pipe: Path) -> None:
    before = customer_file(pipe, "苏州华东").splitlines()
    assert tb("-C", pipe, "next", "苏州华东", "寄合同", "--due", "+3d").exit_code == 0
    after = customer_file(pipe, "苏州华东").splitlines()
    assert [a for a, b in zip(before, after, strict=True) if a != b] == [
        'action = "发报价"',
        "due = 2026-12-01",
    ]
    assert after[0] == 'name = "苏州华东精密"  # hand-written'
    c = load_board(pipe).customers["苏州华东"]
    assert (c.next_action, c.next_due) == ("寄合同", TODAY + timedelta(days=3))


def test_next_needs_a_due_date(pipe: Path) -> None:
    one_line_error(tb("-C", pipe, "next", "acme", "call"), 2, "Missing option '--due'")


def test_log_appends_an_entry(pipe: Path) -> None:
    result = tb("-C", pipe, "log", "苏州", "visit", "见了IT经理")  # a unique id prefix will do
    assert result.exit_code == 0 and "logged visit" in result.stdout
    [entry] = load_board(pipe).customers["苏州华东"].log
    assert (entry.date, entry.kind, entry.note) == (TODAY, "visit", "见了IT经理")
    one_line_error(tb("-C", pipe, "log", "acme", "telegram", "hi"), 2, "'telegram' is not one of")


def test_an_ambiguous_prefix_names_the_candidates(pipe: Path) -> None:
    write_customer(pipe, "acme-2", 'name = "Acme Two"\nstage = "target"\n')
    one_line_error(tb("-C", pipe, "show", "ac"), 1, "matches 2 customers", "acme, acme-2")


# -- reading ------------------------------------------------------------------------------


def listed(pipe: Path, *args: str) -> list[str]:
    result = tb("-C", pipe, "list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [r["id"] for r in json.loads(result.stdout)["customers"]]


def test_list_filters(pipe: Path) -> None:
    assert listed(pipe) == ["苏州华东", "acme", "bolt"]  # in stage order
    assert listed(pipe, "--stage", "intent") == ["acme"]
    assert listed(pipe, "--tier", "A") == ["acme", "bolt"]
    assert listed(pipe, "--owner", "wang.li", "--tier", "A") == ["acme", "bolt"]
    assert listed(pipe, "--overdue") == ["acme"]  # due 2026-11-20; won customers are never overdue
    assert listed(pipe, "--stale") == ["苏州华东", "acme"]  # 83 days in target (30), 22 in intent (21)
    assert listed(pipe, "--stage", "lost") == []


def test_list_json_record(pipe: Path) -> None:
    [record] = json.loads(tb("-C", pipe, "list", "--json", "--stage", "intent").stdout)["customers"]
    assert record == {
        "id": "acme",
        "name": "Acme",
        "stage": "intent",
        "tier": "A",
        "owner": "wang.li",
        "source": None,
        "amount": 100000.0,
        "probability": 25.0,
        "weighted": 25000.0,
        "expected_close": None,
        "next_action": "call back",
        "next_due": "2026-11-20",
        "due_status": "overdue",
        "days_in_stage": 22,
        "stale": True,
        "path": "customers/acme.toml",
        "problems": 0,
    }


def test_list_as_a_table(pipe: Path) -> None:
    lines = tb("-C", pipe, "list", "--owner", "li.na").stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STAGE", "TIER", "AMOUNT", "P%", "DUE", "NEXT", "ACTION"]
    assert len(lines) == 2 and "苏州华东精密" in lines[1] and "2026-12-01" in lines[1]


def test_show_prints_fields_history_and_problems(pipe: Path) -> None:
    write_customer(
        pipe,
        "odd",
        'name = "Odd"\nstage = "target"\nintent = "maybe"\ncolour = "teal"\n'
        'visits = [2026-01-02, 2026-02-03]\n[company]\nregion = "苏州"\nsize = 3\n',
    )
    out = tb("-C", pipe, "show", "odd").stdout
    assert out.splitlines()[0] == "Odd  (customers/odd.toml)"
    assert "  colour          teal\n" in out  # unknown keys are shown
    assert "  visits          [2026-01-02, 2026-02-03]\n" in out
    assert '  company         { region = "苏州", size = 3 }\n' in out
    assert "customers/odd.toml:3:1: warning: intent must be high, medium or low" in out
    shown = tb("-C", pipe, "show", "苏州华东").stdout
    assert "history:\n  2026-09-01  目标客户" in shown


def test_the_folder_is_found_by_walking_up_or_given_with_C(
    pipe: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = pipe / "notes" / "2026"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert listed(pipe) == listed(Path("."))  # -C . from inside, and -C from outside, agree
    assert (
        tb("list", "--json").exit_code == 0 and len(json.loads(tb("list", "--json").stdout)["customers"]) == 3
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    one_line_error(tb("list"), 1, "no pipeline.toml", "tuiboard init")
    assert len(listed(pipe)) == 3


@pytest.mark.parametrize(
    ("args", "code", "word"),
    [
        (["frobnicate"], 2, "No such command 'frobnicate'"),
        (["list", "--colour"], 2, "No such option '--colour'"),
        (["new"], 2, "Missing argument 'NAME'"),
        (["new", "X", "--amount", "-5"], 2, "--amount"),
        (["show", "nobody"], 1, "no customer 'nobody'"),
        (["log", "acme", "call"], 2, "Missing argument 'NOTE'"),
        (["\x1b[31mred"], 2, "No such command '\\x1b[31mred'"),  # no terminal escape echoed back
    ],
)
def test_user_errors_are_one_line(pipe: Path, args: list[str], code: int, word: str) -> None:
    one_line_error(tb("-C", pipe, *args), code, word)


def test_a_file_with_problems_is_not_edited(pipe: Path) -> None:
    write_customer(pipe, "neg", 'name = "Neg"\nstage = "target"\namount = -1\n')
    before = customer_file(pipe, "neg")
    one_line_error(tb("-C", pipe, "move", "neg", "potential"), 1, "fix this file first", "amount")
    assert customer_file(pipe, "neg") == before


# -- a real process -----------------------------------------------------------------------


def real(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TUIBOARD_TODAY": TODAY.isoformat()}
    cmd = [sys.executable, "-m", "tuiboard", *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_a_session_as_a_real_process(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    assert real("init", root, cwd=tmp_path).returncode == 0
    created = real("new", "Acme Ltd", "--tier", "A", cwd=root)
    assert created.returncode == 0 and created.stdout.strip().endswith("customers/acme-ltd.toml")
    sub = root / "customers"
    lost = real("move", "acme-ltd", "lost", cwd=sub)  # found by walking up from customers/
    assert lost.returncode == 1
    assert lost.stderr == "tuiboard: moving to a lost stage needs a reason (--reason)\n"
    bad = real("next", "acme-ltd", "call", "--due", "soonish", cwd=sub)
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
    early = real("move", "acme-ltd", "lost", "--reason", "budget cut", "--date", "2026-11-20", cwd=sub)
    assert early.returncode == 1 and "use --force" in early.stderr  # before the last history entry
    late = real("move", "acme-ltd", "lost", "--reason", "budget cut", "--date", "2026-11-24", cwd=sub)
    assert late.returncode == 2 and "after today" in late.stderr  # TUIBOARD_TODAY is 2026-11-23
    moved = real("move", "acme-ltd", "lost", "--reason", "budget cut", "--date", "2026-11-23", cwd=sub)
    assert moved.returncode == 0
    shown = real("show", "acme-ltd", cwd=sub).stdout
    assert "  stage           丢单" in shown and "2026-11-23  丢单" in shown
    check = real("check", "--strict", cwd=root)
    assert check.returncode == 0 and "1 customers, 0 errors, 0 warnings" in check.stderr


# -- fmt: keys quoted, every rewrite verified ---------------------------------------------


ODD_KEYS = (
    'name = "Acme"\nstage = "target"\n"visits.2025" = [{ date = 2026-11-01, note = "x" }]\n'
    '"拜访记录" = [{ date = 2026-11-02, note = "见面" }]\n"a b" = [{ n = 1 }]\n"" = [{ n = 2 }]\n'
)


def test_fmt_quotes_cjk_spaced_dotted_and_empty_keys(pipe: Path) -> None:
    """The old fmt wrote ``[[拜访记录]]`` and ``[[a b]]`` (invalid TOML) and ``[[visits.2025]]``
    (a table "visits" holding "2025": the data silently changed)."""
    write_customer(pipe, "odd", ODD_KEYS)
    data = load_board(pipe).customers["odd"].data
    result = tb("-C", pipe, "fmt")
    assert result.exit_code == 0, result.stderr
    assert "customers/odd.toml: formatted" in result.stdout.splitlines()
    after = load_board(pipe, use_cache=False).customers["odd"]
    assert after.problems == () and after.data == data
    assert '[["拜访记录"]]' in customer_file(pipe, "odd") and '[["visits.2025"]]' in customer_file(
        pipe, "odd"
    )


def test_fmt_leaves_a_file_alone_when_the_rewrite_would_change_its_data(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A canonical dump that loses a key (a fault planted in the dumper) is never written."""
    import pipeline.actions

    def lossy(data: dict[str, object]) -> str:
        return dump_customer({k: v for k, v in data.items() if k != "owner"})

    monkeypatch.setattr(pipeline.actions, "dump_customer", lossy)
    before = customer_file(pipe, "acme")
    result = tb("-C", pipe, "fmt")
    assert result.exit_code == 1
    [line] = [ln for ln in result.stderr.splitlines() if "acme" in ln]
    assert line.endswith("acme.toml: the edit would not round-trip; not written; left as written")
    assert customer_file(pipe, "acme") == before


# -- one-line errors, never tracebacks, never raw escapes ---------------------------------


def test_an_argument_that_is_not_utf8_is_one_line(pipe: Path) -> None:
    env = {**os.environ, "TUIBOARD_TODAY": TODAY.isoformat()}
    cmd = [sys.executable, "-m", "tuiboard", "-C", str(pipe), "log", "acme", "call", b"\xff\xfe note"]
    done = subprocess.run(cmd, env=env, capture_output=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == "tuiboard: argument '\\xff\\xfe note' is not valid UTF-8\n"
    assert "[[log]]" not in customer_file(pipe, "acme")


OSC52 = "evil\x1b]52;c;aGVsbG8=\x07"  # would set the terminal's clipboard


def test_check_and_show_never_print_a_file_name_raw(pipe: Path) -> None:
    (pipe / "customers" / f"{OSC52}.toml").write_text('name = "Evil"\nstage = "target"\namount = -1\n')
    check = real("check", cwd=pipe)
    shown = real("show", "evil", cwd=pipe)
    assert check.returncode == 1 and shown.returncode == 0, (check.stderr, shown.stderr)
    for out in (check.stdout, check.stderr, shown.stdout, shown.stderr):
        assert "\x1b" not in out and "\x07" not in out
    assert (
        "customers/evil\\x1b]52;c;aGVsbG8=\\x07.toml:3:1: error: amount must not be negative" in check.stdout
    )
    assert "(customers/evil\\x1b]52;c;aGVsbG8=\\x07.toml)" in shown.stdout


def test_a_cli_write_rereads_a_file_changed_since_it_was_loaded(pipe: Path) -> None:
    """Same size, same mtime, different bytes (``cp -p``): the loaded copy is stale, the
    fingerprint check fails, and the CLI applies its change to the file as it is now."""
    path = pipe / "customers" / "acme.toml"
    assert tb("-C", pipe, "list").exit_code == 0  # the cache now holds acme
    st = path.stat()
    text = path.read_text(encoding="utf-8").replace("call back", "call home")
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    result = tb("-C", pipe, "log", "acme", "call", "hi")
    assert result.exit_code == 0, result.stderr
    after = customer_file(pipe, "acme")
    assert 'action = "call home"' in after and 'note = "hi"' in after


def test_show_lines_up_values_after_chinese_keys_and_shows_whole_numbers_whole(folder: Path) -> None:
    """show printed "自定义字段           保留我" (a key padded by characters, not cells) and
    "amount          149000.0"."""
    write_customer(
        folder,
        "hz",
        'name = "杭州"\nstage = "target"\namount = 149000.0\nprobability = 90.0\n"自定义字段" = "保留我"\n',
    )
    lines = tb("-C", folder, "show", "hz").stdout.splitlines()
    amount = next(line for line in lines if line.strip().startswith("amount "))
    custom = next(line for line in lines if "自定义字段" in line)
    assert amount.split() == ["amount", "149000"] and "  probability     90" in lines
    assert cell_len(custom[: custom.index("保留我")]) == cell_len(amount[: amount.index("149000")])
