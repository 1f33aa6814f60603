"""Auto-commit (git config tuiboard.autoCommit): each change commits at once, undo reverts.

Real git, the real CLI, and the board driven with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitteam import git, isolate_git, ok
from tests.support import until
from tuiboard.app import BoardApp
from tuiboard.board.screen import BoardScreen


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pipeline in a repository with one commit."""
    isolate_git(tmp_path, monkeypatch)
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    ok(tmp_path, "init", str(repo / "sales"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pipeline")
    return repo / "sales"


def subjects(folder: Path) -> list[str]:
    return git(folder, "log", "--format=%s").stdout.split("\n")[:-1]


def dirty(folder: Path) -> str:
    return git(folder, "status", "--porcelain").stdout


def test_each_cli_action_commits_only_its_file_with_the_structured_message(folder: Path) -> None:
    other = Path(ok(folder, "new", "上海华东").strip()).stem
    assert subjects(folder) == ["pipeline"] and dirty(folder)  # off by default
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "by hand")
    git(folder, "config", "tuiboard.autoCommit", "true")
    (folder / "notes.txt").write_text("mine, not committed\n", encoding="utf-8")
    cid = Path(ok(folder, "new", "杭州中联").strip()).stem
    ok(folder, "move", cid, "intent")
    ok(folder, "log", cid, "call", "聊了预算")
    assert subjects(folder)[:3] == [
        "log 杭州中联 call",
        "move 杭州中联 target → intent",
        "new 杭州中联 (target)",
    ]
    assert dirty(folder) == "?? sales/notes.txt\n"
    head = git(folder, "rev-parse", "HEAD").stdout
    (folder.parent / ".git" / "MERGE_HEAD").write_text(head, encoding="utf-8")
    ok(folder, "move", other, "intent")  # a merge waits to be settled: sync commits it later
    assert subjects(folder)[0] == "log 杭州中联 call"


async def test_undo_on_the_board_is_the_revert_of_the_auto_commit(folder: Path) -> None:
    git(folder, "config", "tuiboard.autoCommit", "true")
    cid = Path(ok(folder, "new", "杭州中联").strip()).stem
    before = git(folder, "rev-parse", "HEAD^{tree}").stdout
    app = BoardApp(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(app, pilot, lambda: app.board is not None and cid in app.board.customers, workers=True)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.focus_customer(cid)
        await pilot.press("L", "s")  # move on, skipping the stage's checklist
        await until(
            app, pilot, lambda: subjects(folder)[0] == "move 杭州中联 target → potential", workers=True
        )
        await pilot.press("u")
        await until(
            app,
            pilot,
            lambda: subjects(folder)[0] == 'Revert "move 杭州中联 target → potential"',
            workers=True,
        )
    assert git(folder, "rev-parse", "HEAD^{tree}").stdout == before and dirty(folder) == ""
    assert (
        f"This reverts commit {git(folder, 'rev-parse', 'HEAD^').stdout.strip()}."
        in git(folder, "log", "-1", "--format=%b").stdout
    )
