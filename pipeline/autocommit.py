"""Auto-commit: each change a person makes through the board or the CLI commits at once.

Off by default; on with ``git config tuiboard.autoCommit true`` in the clone (a rep's own
choice, so not in the shared ``pipeline.toml``). The commit holds only the changed file,
with the message `tuiboard sync` would write for it (``move 杭州中联 intent → project``),
so the git timeline is exact. Undoing a change that is still the last commit makes the
commit ``git revert`` would make (``Revert "move …"``, the same tree); the file itself is
put back by the verified write path, as always. Nothing is committed while a merge or
rebase waits to be settled, or when the file has errors: `sync` picks the change up later.
A failed commit never undoes or fails the write.
"""

from __future__ import annotations

from pathlib import Path

from .config import Config
from .gitrepo import GitError, Repo, says_true
from .sync import change_groups, commit_paths, file_problems

SETTING = "tuiboard.autoCommit"


def enabled(root: Path) -> bool:
    """Is auto-commit on for this folder? One `git config` call; False outside git."""
    return says_true(root, "config", "--type=bool", "--get", SETTING)


def commit_file(root: Path, path: Path, config: Config, *, undo: bool = False) -> str | None:
    """Commit this one file's change when auto-commit is on; the new commit, or None.
    ``undo``: the change puts back what the last commit changed, so it is that commit's revert."""
    if not enabled(root):
        return None
    try:
        repo = Repo(root)
        if repo.merging() or repo.rebasing() or repo.unmerged(repo.scope):
            return None
        if any(p.is_error for p in file_problems(path, config)):
            return None
        git_path = repo.rel(path)
        changes = repo.status(git_path)
        if not changes:
            return None
        groups = change_groups(repo, changes)
        paths = [p for ps, _ in groups for p in ps]
        actions = [a for _, acts in groups for a in acts]
        message = _revert_message(repo, git_path) if undo else None
        if not commit_paths(repo, paths, [message] if message else actions):
            return None
        return repo.head()
    except (GitError, OSError, ValueError):
        return None


def _revert_message(repo: Repo, git_path: str) -> str | None:
    """``Revert "…"`` when the working file equals the file before the last commit, and that
    commit changed this file alone: then committing it is exactly ``git revert HEAD``."""
    head = repo.head()
    if head is None:
        return None
    touched = repo.text("diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--root", head)
    if [p for p in touched.split("\0") if p] != [git_path]:
        return None
    before = repo.show(f"{head}^", git_path) if repo.ok("rev-parse", "-q", "--verify", f"{head}^") else None
    now = repo.local(git_path).read_bytes() if repo.local(git_path).exists() else None
    if before != now:
        return None
    subject = repo.text("log", "-1", "--format=%s", head).strip()
    return f'Revert "{subject}"\n\nThis reverts commit {head}.'
