"""The lean commands start lean: what ``python -X importtime -m tuiboard CMD`` shows they import.

pandas + numpy cost a quarter of a second, textual a fifth, plotext and openpyxl a tenth each;
a command that prints a list or writes one field must not pay for them. Checked on the
interpreter's own import log of a real run in a real folder, not on ``sys.modules`` of this
process (which the other tests fill).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = frozenset({"pandas", "numpy", "plotext", "openpyxl", "textual"})
# What a warm read of the folder does not need either: the cold load's process pool, the
# git merge driver's tree merge, a chart's console.
NOT_FOR_READING = frozenset(
    {"concurrent.futures.process", "multiprocessing", "pipeline.merge", "rich.console"}
)
# What only a write needs: the write path (tomlkit, pipeline.edit, the lock, the actions), the
# hooks run after it, and the duplicate finder (rapidfuzz) that `new` and `check` use. A shell
# prompt runs `due` on every line: these were a third of its start. (uuid is not here: click
# imports it.)
ONLY_FOR_WRITING = frozenset(
    {"tomlkit", "pipeline.edit", "pipeline.actions", "pipeline.lock", "pipeline.hooks", "rapidfuzz"}
)


def imported(folder: Path, *args: str, codes: tuple[int, ...] = (0,)) -> set[str]:
    """Every module a real ``tuiboard -C folder ARGS`` imported; the command must exit with
    one of ``codes`` (``due`` exits 1 when something is due)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tuiboard", "-C", str(folder), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode in codes, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    assert len(lines) > 50, run.stderr[-2000:]  # the log is there (the header and the modules)
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


def first_id(folder: Path) -> str:
    return min(p.stem for p in (folder / "customers").glob("*.toml"))


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--json"],
        ["show", "{id}"],
        ["check"],
        ["next", "{id}", "发报价", "--due", "+3d"],
        ["log", "{id}", "call", "约了下周演示"],
    ],
    ids=lambda c: " ".join(c),
)
def test_lean_commands_import_no_heavy_library(demo_folder: Path, command: list[str]) -> None:
    args = [a.format(id=first_id(demo_folder)) for a in command]
    assert top_level(imported(demo_folder, *args)) & HEAVY == set()


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "{id}"], ["check"]], ids=" ".join)
def test_reading_commands_import_no_pool_merge_or_console(demo_folder: Path, command: list[str]) -> None:
    args = [a.format(id=first_id(demo_folder)) for a in command]
    assert imported(demo_folder, *args) & NOT_FOR_READING == set()


@pytest.mark.parametrize(
    "command",
    [
        ["due"],
        ["due", "--json"],
        ["today"],
        ["today", "--json"],
        ["list"],
        ["list", "--json"],
        ["show", "{id}"],
        ["show", "{id}", "--json"],
    ],
    ids=" ".join,
)
def test_reading_commands_import_no_write_path(demo_folder: Path, command: list[str]) -> None:
    args = [a.format(id=first_id(demo_folder)) for a in command]
    modules = imported(demo_folder, *args, codes=(0, 1) if command[0] == "due" else (0,))
    assert "pipeline.store" in modules  # the check sees what the command really imports
    assert modules & ONLY_FOR_WRITING == set()


@pytest.mark.parametrize("command", [["due"], ["today"], ["today", "--json"]], ids=" ".join)
def test_the_prompt_commands_import_no_other_command_family(demo_folder: Path, command: list[str]) -> None:
    """A shell prompt runs `due` on every line: the group imports a family's module only
    when one of its commands is named (the write commands, list/show, init/check/fmt, git)."""
    modules = imported(demo_folder, *command, codes=(0, 1))
    assert "tuiboard.cli.tools" in modules  # the check sees what the command really imports
    others = {"tuiboard.cli.edits", "tuiboard.cli.folder", "tuiboard.cli.reading", "tuiboard.cli.git"}
    assert modules & others == set()


def test_report_json_draws_no_chart(demo_folder: Path) -> None:
    """The metrics are plain Python over the rules (issue 12: pandas and numpy cost a quarter of
    a second and did not pay); printing them as JSON needs no plotting or terminal library."""
    modules = top_level(imported(demo_folder, "report", "--json"))
    assert "pipeline" in modules  # the check sees what the command really imports
    assert modules & {"pandas", "numpy", "plotext", "openpyxl", "textual"} == set()


def test_the_board_starts_without_markdown_analytics_or_team_code() -> None:
    """The help panel (markdown + pygments, 60 ms) and the charts' libraries load when opened;
    so do the team keys' git, merge and settle code (`S`, `!`) and the command line."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import tuiboard.app"],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines()[1:] if "|" in line}
    assert "textual.app" in modules
    assert top_level(modules) & {"markdown_it", "pygments", "pandas", "numpy", "plotext", "openpyxl"} == set()
    assert modules & {"tuiboard.cli.group", "click", "pipeline.settle", "pipeline.merge"} == set()
    # Nor the write path and the keys' dialogs (tuiboard/lazy.py: 60 ms): the first key that
    # writes loads them.
    write_path = {"tomlkit", "pipeline.actions", "pipeline.edit", "rapidfuzz"}
    flows = {
        "tuiboard.board.bulk",
        "tuiboard.board.edits",
        "tuiboard.screens.customer_form",
        "tuiboard.screens.jump",
    }
    assert modules & (write_path | flows) == set()
