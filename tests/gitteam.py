"""A team on git for tests: a bare remote and clones in tmp_path, driven through the CLI."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tuiboard.cli import main

SALES = "sales"  # the pipeline lives in a subfolder of the repository, as in real teams


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", *args], cwd=cwd, capture_output=True, text=True, check=check
    )


def tb(folder: Path, *args: str | Path) -> Result:
    """`tuiboard -C folder ARGS` in this process."""
    return CliRunner().invoke(main, ["-C", str(folder), *map(str, args)], prog_name="tuiboard")


def ok(folder: Path, *args: str | Path) -> str:
    result = tb(folder, *args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def new(folder: Path, name: str, *args: str) -> str:
    """`tuiboard new NAME ARGS` in ``folder``; the new customer's id."""
    return Path(ok(folder, "new", name, *args).strip()).stem


def data(folder: Path, cid: str) -> dict[str, Any]:
    """A customer file of ``folder`` as data."""
    return tomllib.loads((folder / "customers" / f"{cid}.toml").read_text(encoding="utf-8"))


def shared_customer(a: Path, b: Path, name: str = "杭州中联", *args: str) -> str:
    """A customer rep ``a`` creates and syncs, and rep ``b`` pulls; its id."""
    cid = new(a, name, *args)
    ok(a, "sync")
    ok(b, "sync")
    return cid


def conflict_on_next(
    a: Path,
    b: Path,
    cid: str,
    theirs: tuple[str, str] = ("A", "2026-12-01"),
    ours: tuple[str, str] = ("B", "2026-12-01"),
) -> None:
    """Both reps set ``cid``'s next action (and due date); ``a`` syncs first, so ``b``'s sync
    stops on the conflict (``ours`` is b's side, ``theirs`` a's)."""
    ok(a, "next", cid, theirs[0], "--due", theirs[1])
    ok(b, "next", cid, ours[0], "--due", ours[1])
    ok(a, "sync")
    result = tb(b, "sync")
    assert result.exit_code == 1 and "conflicts in" in result.output, result.output


def isolate_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git config of this machine's user leaks into the test."""
    config = tmp_path / "gitconfig"
    config.write_text(
        "[user]\n\tname = Rep\n\temail = rep@example.invalid\n[init]\n\tdefaultBranch = main\n"
        "[gc]\n\tauto = 0\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def make_team(tmp_path: Path, names: list[str]) -> tuple[Path, list[Path]]:
    """A bare ``origin.git`` holding an empty seven-stage pipeline, and one clone per name
    (each with its own git identity and `tuiboard git-setup`). Returns the remote and the
    pipeline folders."""
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    folders = []
    for i, name in enumerate(names):
        clone = tmp_path / f"rep{i}"
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        git(clone, "config", "user.name", name)
        git(clone, "config", "user.email", f"{name}@example.invalid")
        folder = clone / SALES
        if i == 0:
            git(clone, "symbolic-ref", "HEAD", "refs/heads/main")
            ok(tmp_path, "init", str(folder))
            git(clone, "add", "-A")
            git(clone, "commit", "-q", "-m", "pipeline")
            git(clone, "push", "-q", "-u", "origin", "main")
        else:
            ok(folder, "git-setup")
        folders.append(folder)
    return remote, folders


def head(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).stdout.strip()


def tree(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", f"{rev}^{{tree}}").stdout.strip()
