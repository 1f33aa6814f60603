"""Hooks from a folder named in git config (`tuiboard.hooksPath`), honoured only when safe.

A pipeline folder may arrive as a tarball with its own `.git/config`: a configured path
counts only when it is absolute, outside the folder and its repository, owned by this user
and not writable by group or others. Anything else is ignored with one line on stderr.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.gitteam import git, isolate_git, ok, tb

RECORD = 'echo "$TUIBOARD_EVENT" >> "$SEEN/events"'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pipeline in a repository, one customer, no hooks in the default place."""
    isolate_git(tmp_path, monkeypatch)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SEEN", str(tmp_path))
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    ok(tmp_path, "init", str(repo / "sales"))
    ok(repo / "sales", "new", "杭州中联")
    return repo / "sales"


def plant(folder: Path, mode: int = 0o755) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(mode)
    hook = folder / "on-move"
    hook.write_text("#!/bin/sh\n" + RECORD + "\n", encoding="utf-8")
    hook.chmod(0o755)
    return folder


def move(folder: Path) -> tuple[str, str]:
    """Move the customer on; (the events the hooks recorded, stderr)."""
    cid = next((folder / "customers").glob("*.toml")).stem
    result = tb(folder, "move", cid, "potential")
    assert result.exit_code == 0, result.output
    events = folder.parent.parent / "events"
    return (events.read_text(encoding="utf-8") if events.exists() else ""), result.stderr


def test_a_configured_hooks_folder_of_this_user_runs(folder: Path, tmp_path: Path) -> None:
    hooks = plant(tmp_path / "my-hooks")
    git(folder, "config", "tuiboard.hooksPath", str(hooks))
    events, err = move(folder)
    assert events == "on-move\n" and err == ""


@pytest.mark.parametrize(
    ("where", "mode", "why"),
    [
        ("repo/sales/hooks", 0o755, "inside the pipeline folder or its repository"),
        ("repo/hooks", 0o755, "inside the pipeline folder or its repository"),
        ("repo/.git/tb-hooks", 0o755, "inside the pipeline folder or its repository"),
        ("group-writable", 0o775, "writable by group or others"),
        ("world-writable", 0o757, "writable by group or others"),
    ],
)
def test_an_unsafe_configured_hooks_folder_is_ignored_with_a_warning(
    folder: Path, tmp_path: Path, where: str, mode: int, why: str
) -> None:
    hooks = plant(tmp_path / where, mode)
    git(folder, "config", "tuiboard.hooksPath", str(hooks))
    events, err = move(folder)
    assert events == ""
    assert err == f"tuiboard: ignored tuiboard.hooksPath {hooks}: {why}\n"


def test_a_relative_configured_path_is_ignored(folder: Path) -> None:
    plant(folder / "hooks")  # relative to where git runs: the folder a tarball brought
    git(folder, "config", "tuiboard.hooksPath", "hooks")
    events, err = move(folder)
    assert events == "" and err == "tuiboard: ignored tuiboard.hooksPath hooks: not an absolute path\n"


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder to another user needs root")
def test_a_configured_folder_of_another_user_is_ignored(folder: Path, tmp_path: Path) -> None:
    hooks = plant(tmp_path / "theirs")
    os.chown(hooks, 65534, 65534)
    git(folder, "config", "tuiboard.hooksPath", str(hooks))
    events, err = move(folder)
    assert events == "" and err.endswith(": owned by another user\n")
