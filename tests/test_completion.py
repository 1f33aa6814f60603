"""Shell completion through click's protocol, driven by a real bash sourcing the real script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_customer

from tuiboard.cli import main

BIN = Path(sys.executable).parent


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(folder, "acme", 'name = "Acme"\nstage = "intent"\ntier = "A"\nowner = "wang.li"\n')
    write_customer(folder, "acme-east", 'name = "Acme East"\nstage = "target"\nowner = "li.na"\n')
    write_customer(folder, "北京云启", 'name = "北京云启科技"\nstage = "target"\n')
    return folder


def in_bash(line: str, cwd: Path) -> list[str]:
    """What bash's completion offers for ``line`` (the word under the cursor is the last)."""
    if shutil.which("tuiboard", path=str(BIN)) is None:
        pytest.skip("the tuiboard script is not installed next to this Python")
    script = CliRunner().invoke(main, ["completion", "bash"]).stdout
    words = line.split(" ")
    driver = (
        f"{script}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_tuiboard_completion tuiboard 2>/dev/null\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", driver],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.split("\n") if w]


def test_bash_completes_commands_ids_stages_tiers_and_owners(pipe: Path) -> None:
    assert {"ics", "today", "due", "serve", "move", "show"} <= set(in_bash("tuiboard ", pipe))
    assert in_bash("tuiboard move ac", pipe) == ["acme", "acme-east"]
    assert in_bash("tuiboard show 北", pipe) == ["北京云启"]
    assert in_bash("tuiboard move acme ne", pipe) == ["negotiation"]
    assert in_bash("tuiboard list --tier ", pipe) == ["A", "B", "C", "D", "VIP"]
    assert in_bash("tuiboard list --owner ", pipe) == ["li.na", "wang.li"]
    assert in_bash("tuiboard report --chart fu", pipe) == ["funnel"]
    assert in_bash("tuiboard log acme ", pipe)[:2] == ["call", "visit"]


def test_minus_c_names_the_folder_and_outside_one_nothing_breaks(pipe: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert in_bash(f"tuiboard -C {pipe} move acme-", elsewhere) == ["acme-east"]
    assert in_bash("tuiboard move ac", elsewhere) == []


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_and_protocol(pipe: Path, shell: str) -> None:
    script = CliRunner().invoke(main, ["completion", shell]).stdout
    assert "_TUIBOARD_COMPLETE" in script and f"{shell}_complete" in script
    cword = "2" if shell == "zsh" else "ac"  # zsh gives the word's index, fish the word itself
    env = {"_TUIBOARD_COMPLETE": f"{shell}_complete", "COMP_WORDS": "tuiboard move ac", "COMP_CWORD": cword}
    done = subprocess.run(
        [sys.executable, "-m", "tuiboard"],
        cwd=pipe,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "acme" in done.stdout and "acme-east" in done.stdout
