"""`today`, `due`, hooks, versioned `--json`, colour, `--version` and the read-only board.

Commands run as real processes where the exit code, the tty or the imports are the point,
hooks are real executables, and the read-only board is driven with `App.run_test()`.
"""

from __future__ import annotations

import gc
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write_customer
from gitteam import git, isolate_git

from tuiboard import jsonout
from tuiboard.app import BoardApp
from tuiboard.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHAPES = Path(__file__).with_name("json_shapes.json")
DOCS = ROOT / "docs" / "json.md"
ANSI = re.compile(r"\x1b\[")


def tb(*args: object, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def proc(*args: object, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    streams = kw or {"capture_output": True}
    return subprocess.run(
        [sys.executable, "-m", "tuiboard", *map(str, args)],
        text=True,
        env=full,
        check=False,
        timeout=60,
        **streams,
    )


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(
        folder,
        "suzhou",
        'name = "苏州华东精密"\nstage = "target"\nowner = "wang.li"\ntier = "A"\n'
        '[next]\naction = "电话回访"\ndue = 2026-11-20\n',
    )
    write_customer(
        folder,
        "acme",
        'name = "Acme"\nstage = "negotiation"\nowner = "li.na"\n'
        '[next]\naction = "催签合同"\ndue = 2026-11-23\n',
    )
    write_customer(
        folder, "later", 'name = "Later Co"\nstage = "intent"\n[next]\naction = "demo"\ndue = 2026-12-20\n'
    )
    return folder


# -- today and due --------------------------------------------------------------------------


def test_due_exit_codes_and_one_line(pipe: Path) -> None:
    late = proc("-C", pipe, "due")
    assert late.returncode == 1
    assert late.stdout == "1 overdue, 1 due today: 苏州华东精密, Acme\n"
    mine = proc("-C", pipe, "due", "--owner", "li.na")
    assert (mine.returncode, mine.stdout) == (1, "0 overdue, 1 due today: Acme\n")
    clear = proc("-C", pipe, "due", "--owner", "nobody")
    assert (clear.returncode, clear.stdout) == (0, "nothing due\n")
    before = proc("-C", pipe, "due", env={"TUIBOARD_TODAY": "2026-11-01"})
    assert before.returncode == 0


def test_today_text_is_plain_when_piped_and_json_on_request(pipe: Path) -> None:
    out = proc("-C", pipe, "today")
    assert out.returncode == 0 and not ANSI.search(out.stdout)
    lines = out.stdout.splitlines()
    assert lines[0] == "今日待办 2026-11-23 · 2 项 · 逾期 1"
    assert any("逾期3天" in line and "苏州华东精密" in line and "电话回访" in line for line in lines)
    assert "Later Co" not in out.stdout
    doc = json.loads(tb("-C", pipe, "today", "--json").stdout)
    assert [i["id"] for i in doc["items"]] == ["suzhou", "acme"]  # new lead first (seed 003)
    assert doc["items"][0]["status"] == "overdue" and doc["items"][1]["days_overdue"] == 0


def test_an_after_sales_step_open_but_due_later_is_work_not_due_today(pipe: Path) -> None:
    """Won two days ago: the call (seed 002: within 3 days) is today's work, due tomorrow.
    `due` counted it as due today, and `today` said 今天."""
    write_customer(
        pipe, "won", 'name = "赢单公司"\nstage = "won"\n[[history]]\ndate = 2026-11-21\nstage = "won"\n'
    )
    assert proc("-C", pipe, "due").stdout == "1 overdue, 1 due today: 苏州华东精密, Acme\n"
    line = next(line for line in proc("-C", pipe, "today").stdout.splitlines() if "赢单公司" in line)
    assert "11-24前" in line and "今天" not in line
    doc = json.loads(tb("-C", pipe, "today", "--json").stdout)
    step = next(i for i in doc["items"] if i["id"] == "won")
    assert (step["kind"], step["status"], step["due"]) == ("after_sales", "upcoming", "2026-11-24")
    assert doc["version"] == 2


def test_a_reading_command_ends_at_once_with_all_its_output_and_its_exit_code(demo_folder: Path) -> None:
    """`list`, `show`, `today` and `due` end their process without tearing it down
    (`cli.group.run`): what they print must still all arrive, and their exit code too."""
    first = json.loads(tb("-C", demo_folder, "list", "--json").stdout)["customers"][0]["id"]
    for command in (["list", "--json"], ["today"], ["show", "--json", first]):
        done = proc("-C", demo_folder, *command)
        assert done.returncode == 0
        assert done.stdout == tb("-C", demo_folder, *command).stdout  # list: 40 KB, many buffers
    assert proc("-C", demo_folder, "due").returncode == 1
    with open(os.devnull, "w") as null, open("/dev/full", "w") as full:
        # What cannot be written is an error, not a quiet exit 0 (the output is only flushed at the end).
        assert proc("-C", demo_folder, "due", "--json", stdout=full, stderr=null).returncode == 1
        assert proc("-C", demo_folder, "today", stdout=full, stderr=null).returncode == 1


def test_a_reading_command_run_in_process_leaves_the_process_as_it_was(pipe: Path) -> None:
    """Only `tuiboard`'s own process skips its collections and its teardown: a program that
    runs a command through click (these tests do) keeps its garbage collector."""
    assert gc.isenabled()
    assert tb("-C", pipe, "due").exit_code == 1
    assert tb("-C", pipe, "list", "--json").exit_code == 0
    assert gc.isenabled()


def test_today_and_due_import_no_pandas_plotext_or_textual(pipe: Path) -> None:
    for command in ("due", "today"):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "tuiboard", "-C", str(pipe), command],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == (1 if command == "due" else 0), done.stderr[-500:]
        modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
        assert "pipeline.agenda" in modules  # the parse really saw the imports
        heavy = {m for m in modules if m.split(".")[0] in ("pandas", "plotext", "textual", "icalendar")}
        assert not heavy, f"{command} imported {sorted(heavy)[:5]}"


# -- colour ---------------------------------------------------------------------------------


def on_a_tty(*args: object, env: dict[str, str] | None = None) -> str:
    """Run with stdout on a pseudo-terminal (where colour is on by default)."""
    leader, follower = pty.openpty()
    full = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc_ = subprocess.Popen(
        [sys.executable, "-m", "tuiboard", *map(str, args)],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**full, **(env or {}), "COLUMNS": "100"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc_.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", [["today"], ["report", "--chart", "funnel", "--height", "6"]])
def test_colour_on_a_terminal_and_off_with_no_color_or_color_never(pipe: Path, command: list[str]) -> None:
    assert ANSI.search(on_a_tty("-C", pipe, *command))
    assert not ANSI.search(on_a_tty("-C", pipe, *command, env={"NO_COLOR": "1"}))
    assert not ANSI.search(on_a_tty("-C", pipe, "--color", "never", *command))
    assert ANSI.search(proc("-C", pipe, "--color", "always", *command).stdout)  # even piped


def test_today_piped_is_the_coloured_text_without_its_colours(demo_folder: Path) -> None:
    """Piped, `today` styles nothing (rather than styling and stripping): the same text."""
    plain = proc("-C", demo_folder, "today")
    coloured = proc("-C", demo_folder, "--color", "always", "today")
    assert ANSI.search(coloured.stdout) and not ANSI.search(plain.stdout)
    sgr = re.compile(r"\x1b\[[0-9;]*m")
    assert plain.stdout == sgr.sub("", coloured.stdout) and plain.stdout.count("\n") > 10


def test_color_never_reaches_the_board(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not BoardApp(folder).no_color
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert tb("--color", "never", "--version").exit_code == 0
    assert BoardApp(folder).no_color  # Textual's own NO_COLOR handling: a monochrome board


def test_version() -> None:
    from importlib.metadata import version

    out = proc("--version")
    assert out.returncode == 0 and out.stdout == f"tuiboard, version {version('tuiboard')}\n"


# -- hooks ----------------------------------------------------------------------------------


def hook(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def hooks_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """XDG_CONFIG_HOME outside the pipeline, and a folder the hooks report into."""
    xdg, seen = tmp_path / "xdg", tmp_path / "seen"
    seen.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("SEEN", str(seen))
    return xdg / "tuiboard" / "hooks", seen


RECORD = 'cat > "$SEEN/$(basename "$0").json"; echo "$TUIBOARD_EVENT" >> "$SEEN/events"'


def test_hooks_see_the_customer_after_new_move_won_and_log(pipe: Path, hooks_home: tuple[Path, Path]) -> None:
    hooks_dir, seen = hooks_home
    for name in ("on-new", "on-move", "on-won", "on-lost", "on-log", "pre-move"):
        hook(hooks_dir, name, RECORD)
    hook(hooks_dir, "on-move.second", RECORD)
    assert tb("-C", pipe, "new", "杭州新客户", "--stage", "intent").exit_code == 0
    assert tb("-C", pipe, "move", "acme", "won").exit_code == 0
    assert tb("-C", pipe, "log", "acme", "call", "回访").exit_code == 0
    events = (seen / "events").read_text().split()
    assert events == ["on-new", "pre-move", "on-move", "on-move", "on-won", "on-log"]
    moved = json.loads((seen / "on-won.json").read_text(encoding="utf-8"))
    assert moved["event"] == "on-won" and moved["customer"]["stage"] == "won"
    assert moved["customer"]["data"]["history"][-1]["stage"] == "won"  # after the write
    pre = json.loads((seen / "pre-move.json").read_text(encoding="utf-8"))
    assert pre["customer"]["stage"] == "negotiation" and pre["to_stage"] == "won"
    assert json.loads((seen / "on-new.json").read_text(encoding="utf-8"))["customer"]["name"] == "杭州新客户"
    logged = json.loads((seen / "on-log.json").read_text(encoding="utf-8"))
    assert logged["customer"]["data"]["log"][-1]["note"] == "回访"


def test_pre_move_vetoes_and_nothing_is_written(pipe: Path, hooks_home: tuple[Path, Path]) -> None:
    hooks_dir, seen = hooks_home
    hook(hooks_dir, "pre-move", 'cat >/dev/null; echo "经理未批准 not approved"; exit 3')
    hook(hooks_dir, "on-move", RECORD)
    before = (pipe / "customers" / "acme.toml").read_bytes()
    result = tb("-C", pipe, "move", "acme", "won")
    assert result.exit_code == 1
    assert result.stderr == "tuiboard: move refused by hook pre-move: 经理未批准 not approved\n"
    assert (pipe / "customers" / "acme.toml").read_bytes() == before
    assert not (seen / "events").exists()


def test_a_failing_after_hook_is_reported_and_the_write_stands(
    pipe: Path, hooks_home: tuple[Path, Path]
) -> None:
    hooks_dir, _ = hooks_home
    hook(hooks_dir, "on-log", "cat >/dev/null; echo 'no network' >&2; exit 1")
    result = tb("-C", pipe, "log", "acme", "call", "回访")
    assert result.exit_code == 0
    assert "tuiboard: hook on-log failed: no network" in result.stderr
    assert "回访" in (pipe / "customers" / "acme.toml").read_text(encoding="utf-8")


def test_hooks_inside_the_pipeline_folder_never_run(
    pipe: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen"
    seen.mkdir()
    monkeypatch.setenv("SEEN", str(seen))
    planted = [
        pipe / ".tuiboard" / "hooks",
        pipe / "hooks",
        pipe / ".git" / "hooks",
        pipe / ".config/tuiboard/hooks",
    ]
    for folder in planted:
        hook(folder, "on-move", RECORD)
        hook(folder, "pre-move", "exit 1")
    monkeypatch.setenv("HOME", str(pipe))  # even ~/.config inside the folder
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert tb("-C", pipe, "move", "acme", "won").exit_code == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", str(pipe / ".config"))
    assert tb("-C", pipe, "move", "suzhou", "potential").exit_code == 0
    outside = tmp_path / "xdg" / "tuiboard" / "hooks"  # a link from outside into the folder
    outside.mkdir(parents=True)
    (outside / "on-move").symlink_to(pipe / "hooks" / "on-move")
    hook(outside, "on-log", "exit 0").chmod(0o644)  # not executable
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert tb("-C", pipe, "move", "suzhou", "intent").exit_code == 0
    assert tb("-C", pipe, "log", "suzhou", "note", "x").exit_code == 0
    assert list(seen.iterdir()) == []


# -- the read-only board --------------------------------------------------------------------


async def test_read_only_board_refuses_every_write_key(pipe: Path) -> None:
    before = {p.name: p.read_bytes() for p in (pipe / "customers").iterdir()}
    app = BoardApp(pipe, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.reloaded.wait()
        assert app.screen.focus_customer("suzhou")
        for key in ("w", "x", "L", "H", "n", "e", "E", "a", "i", "u"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "BoardScreen", key  # no dialog opened
        notes = [str(n.message) for n in app._notifications]
        assert notes and all("只读模式" in n for n in notes)  # the board speaks one language
        await pilot.press("enter")  # reading still works
        await pilot.pause()
        assert type(app.screen).__name__ != "BoardScreen"
    assert {p.name: p.read_bytes() for p in (pipe / "customers").iterdir()} == before


# -- versioned JSON -------------------------------------------------------------------------

FREE_FORM = {"data"}  # a customer file's own content: its keys are the user's


def shape(value: Any, key: str = "") -> Any:
    """The key structure of a JSON value: objects by key, arrays by their merged items."""
    if key in FREE_FORM:
        return "object"
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = merge(merged, shape(item))
        return [merged] if merged is not None else []
    return "scalar"


def merge(a: Any, b: Any) -> Any:
    if a is None or a == []:  # an empty array says nothing about its items
        return b
    if b == []:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a.get(k), b.get(k)) for k in {**a, **b}}
    if isinstance(a, list) and isinstance(b, list):
        return [merge(a[0], b[0])]
    return a if a == b or b is None else f"{a}|{b}" if a != "scalar" else b


def outputs(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every `--json` output (and the hook payload) over the demo folder."""
    some = "odd"  # a customer with a problem, so `problem_details` has an entry
    write_customer(root, some, 'name = "Odd"\nstage = "intent"\nintent = "maybe"\n')
    sales = tmp_path / "sales.csv"
    sales.write_text("产品名称,客户名称,价税合计\nERP,甲公司,12000\nOA,乙公司,250000\n", encoding="utf-8")
    got = {
        "list": tb("-C", root, "list", "--json").stdout,
        "show": tb("-C", root, "show", some, "--json").stdout,
        "report": tb("-C", root, "report", "--json").stdout,
        "sales-report": tb("report", "--sales-report", sales, "--json").stdout,
        "tiers": tb("-C", root, "report", "--sales-report", sales, "--tiers", "--json").stdout,
        "today": tb("-C", root, "today", "--json").stdout,
        "due": tb("-C", root, "due", "--json").stdout,
    }
    isolate_git(tmp_path, monkeypatch)  # `report --slip` reads the history from git
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "demo")):
        git(root, *args)
    got["slip"] = tb("-C", root, "report", "--slip", "--json").stdout
    xdg, seen = tmp_path / "xdg", tmp_path / "seen"
    seen.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("SEEN", str(seen))
    hook(xdg / "tuiboard" / "hooks", "on-log", RECORD)
    assert tb("-C", root, "log", some, "note", "shape").exit_code == 0
    got["hook"] = (seen / "on-log.json").read_text(encoding="utf-8")
    return {kind: json.loads(text) for kind, text in got.items()}


def test_every_json_output_matches_its_recorded_shape_and_version(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = outputs(demo_folder, tmp_path, monkeypatch)
    assert set(docs) == set(jsonout.VERSIONS)
    current = {kind: {"version": doc["version"], "shape": shape(doc)} for kind, doc in docs.items()}
    if os.environ.get("TUIBOARD_UPDATE_SHAPES"):
        SHAPES.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    recorded = json.loads(SHAPES.read_text(encoding="utf-8"))
    for kind, doc in docs.items():
        assert next(iter(doc)) == "version" and doc["version"] == jsonout.VERSIONS[kind]
        assert not shape_changed_silently(recorded[kind], current[kind]), (
            f"the shape of `{kind} --json` changed but its version did not: bump "
            f"tuiboard/jsonout.py VERSIONS[{kind!r}], describe it in docs/json.md, "
            "then rerun this test with TUIBOARD_UPDATE_SHAPES=1"
        )
        assert recorded[kind] == current[kind], f"rerun with TUIBOARD_UPDATE_SHAPES=1 to record `{kind}`"


def shape_changed_silently(recorded: dict[str, Any], current: dict[str, Any]) -> bool:
    return recorded["version"] == current["version"] and recorded["shape"] != current["shape"]


def test_a_renamed_key_without_a_version_bump_is_caught(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = json.loads(SHAPES.read_text(encoding="utf-8"))
    doc = json.loads(tb("-C", demo_folder, "list", "--json").stdout)
    doc["customers"][0]["due"] = doc["customers"][0].pop("next_due")
    changed = {"version": doc["version"], "shape": shape(doc)}
    assert shape_changed_silently(recorded["list"], changed)
    assert not shape_changed_silently(recorded["list"], {**changed, "version": doc["version"] + 1})


def test_docs_name_every_output_with_its_version() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^## `([a-z-]+)`.*version (\d+)", text, re.MULTILINE))
    assert documented == {kind: str(v) for kind, v in jsonout.VERSIONS.items()}
    for kind, entry in json.loads(SHAPES.read_text(encoding="utf-8")).items():
        section = text.split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
        for key in set(entry["shape"]) - {"version"}:  # `version` is described once, at the top
            assert f"`{key}`" in section, f"docs/json.md: `{kind}` does not describe `{key}`"


def test_hooks_dir_follows_xdg() -> None:
    from pipeline.hooks import hooks_dir

    assert hooks_dir({"XDG_CONFIG_HOME": "/x/y"}) == Path("/x/y/tuiboard/hooks")
    assert hooks_dir({"XDG_CONFIG_HOME": "relative"}) == Path.home() / ".config/tuiboard/hooks"
    assert hooks_dir({}) == Path.home() / ".config/tuiboard/hooks"


def test_a_hook_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import hooks

    monkeypatch.setattr(hooks, "TIMEOUT", 0.5)
    hook(tmp_path / "xdg" / "tuiboard" / "hooks", "pre-move", "exec sleep 30")
    root = tmp_path / "pipe"
    root.mkdir()
    refused = hooks.veto("pre-move", "{}", root=root, env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert refused is not None and refused.code == -1 and "timed out" in refused.output


async def _until(pilot: Any, done: Any, what: str) -> None:
    """Let the app process events until ``done()`` holds (it answers within these turns)."""
    for _ in range(400):
        if done():
            return
        await pilot.pause()
    raise AssertionError(f"never: {what}")


async def test_the_board_runs_the_same_hooks_as_the_cli(pipe: Path, hooks_home: tuple[Path, Path]) -> None:
    hooks_dir, seen = hooks_home
    veto = hook(hooks_dir, "pre-move", 'echo "经理未批准 not approved"; exit 1')
    acme = pipe / "customers" / "acme.toml"
    before = acme.read_bytes()
    app = BoardApp(pipe)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.reloaded.wait()
        notes = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        assert app.screen.focus_customer("acme")
        await pilot.press("x")
        await _until(pilot, lambda: type(app.screen).__name__ == "LostReasonScreen", "the lost dialog")
        await pilot.press("enter")
        await _until(pilot, lambda: any("move refused by hook pre-move" in n for n in notes()), "the refusal")
        assert acme.read_bytes() == before and "经理未批准" in notes()[-1]
        veto.unlink()
        for name in ("on-move", "on-lost"):
            hook(hooks_dir, name, RECORD)
        await pilot.press("x")
        await _until(pilot, lambda: type(app.screen).__name__ == "LostReasonScreen", "the lost dialog")
        await pilot.press("enter")
        await _until(
            pilot, lambda: (seen / "events").exists() and "on-lost" in (seen / "events").read_text(), "hooks"
        )
    assert (seen / "events").read_text().split() == ["on-move", "on-lost"]
    lost = json.loads((seen / "on-lost.json").read_text(encoding="utf-8"))
    assert lost["customer"]["id"] == "acme" and lost["customer"]["stage"] == "lost"
