"""`tuiboard sync`: commit this rep's changes, fetch, merge (or rebase) through the driver, push.

One commit per sync, or one per customer changed (``git config tuiboard.commits
customer``), its message listing the actions read from the diff (``move 杭州中联 intent →
project``, ``log 杭州中联 call``). Files with errors or conflict markers are never
committed: the sync stops and names them. Without a remote the sync commits only; when the
remote cannot be reached it commits and says so. A push the remote refused because it
moved meanwhile is retried (fetch, merge, push), a few times.

The settings are each rep's own, so they live in the clone's git config, not in the
shared ``pipeline.toml``: ``tuiboard.rebase`` (rebase this rep's commits onto the remote's
instead of merging), ``tuiboard.commits`` (``sync`` or ``customer``) and
``tuiboard.autoCommit`` (`pipeline.autocommit`). They hold no code, so a folder that
brings its own ``.git/config`` can only change how history is shaped.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .config import Config, parse_config
from .consistency import conflict_markers
from .format import parse_customer
from .gitrepo import GitError, Repo, StatusEntry, Unmerged
from .layout import CONFIG_FILE, CUSTOMERS_DIR, STATE_DIR
from .problems import Problem, Severity, printable
from .sync_said import commit_message, describe_change, display_name
from .tomlread import data_of, read_file

ATTEMPTS = 4  # fetch-merge-push rounds before giving up on a remote that keeps moving


COMMITS = ("sync", "customer")  # one commit per sync, or one per customer changed


@dataclass(frozen=True, slots=True)
class Settings:
    rebase: bool = False
    commits: str = "sync"
    auto_commit: bool = False


def settings(repo: Repo) -> Settings:
    """This clone's sync settings from git config; an unknown value keeps the default."""
    commits = repo.setting("tuiboard.commits")
    return Settings(
        rebase=repo.setting("tuiboard.rebase", boolean=True) == "true",
        commits=commits if commits in COMMITS else "sync",
        auto_commit=repo.setting("tuiboard.autoCommit", boolean=True) == "true",
    )


@dataclass
class SyncResult:
    actions: list[str] = field(default_factory=list)  # what was (or would be) committed
    refused: list[Problem] = field(default_factory=list)  # why nothing was committed
    committed: str | None = None  # the last new commit
    commits: int = 0  # how many this sync made
    incoming: dict[str, set[str]] = field(default_factory=dict)  # author -> customer names
    conflicts: list[str] = field(default_factory=list)  # conflicted customer ids
    merged_problems: list[Problem] = field(default_factory=list)  # in files the merge brought in
    pushed: bool = False
    notes: list[str] = field(default_factory=list)  # what else a person should know

    @property
    def ok(self) -> bool:
        return not self.refused and not self.conflicts


def _load(raw: bytes | None) -> dict[str, Any] | None:
    """A side's data for describing a change: a file that is there but broken reads as {}."""
    return None if raw is None else data_of(raw) or {}


def customer_id(git_path: str) -> str | None:
    p = PurePosixPath(git_path)
    if p.parent.name == CUSTOMERS_DIR and p.suffix == ".toml":
        return p.stem
    return None


# -- checks before committing -------------------------------------------------------------


def file_problems(path: Path, config: Config, *, errors_only: bool = True) -> list[Problem]:
    """A file's problems; its errors keep it out of a commit (conflict markers above all)."""
    raw = read_file(path)
    if raw is None:
        if os.path.lexists(path) and not os.path.isdir(path):
            return [Problem(path, 0, 0, Severity.ERROR, "is not a regular file; not committed")]
        return []
    if path.name == CONFIG_FILE:
        _, problems = parse_config(raw.decode("utf-8", "replace"), path)
    elif path.parent.name == CUSTOMERS_DIR and path.suffix == ".toml":
        _, problems = parse_customer(raw, path, config)
    else:
        problems = conflict_markers(raw.decode("utf-8", "replace"), path)
    return [p for p in problems if p.is_error or not errors_only]


# -- the sync -----------------------------------------------------------------------------


def sync(
    repo: Repo,
    config: Config,
    *,
    dry_run: bool = False,
    rebase: bool | None = None,
    attempts: int = ATTEMPTS,
    before_push: Callable[[], None] | None = None,
) -> SyncResult:
    """Commit, fetch, merge (or rebase: ``rebase``, else the clone's setting), push.
    ``before_push`` runs just before each push (for tests: a teammate pushing meanwhile)."""
    result = SyncResult()
    if stuck := repo.unmerged(repo.scope):
        result.conflicts = _ids(stuck)
        return result
    chosen = settings(repo)
    rebase = chosen.rebase if rebase is None else rebase
    merging = repo.merging()
    rebasing = repo.rebasing()
    changes = [e for e in repo.status(repo.scope) if not _is_state(e.path)]
    for entry in changes:
        if entry.code[1] != "D" and entry.code[0] != "D":
            result.refused += file_problems(repo.local(entry.path), config)
    if result.refused:
        return result
    groups = change_groups(repo, changes)
    result.actions = [a for _, actions in groups for a in actions]
    if dry_run:
        _dry_run(repo, result, merging or rebasing)
        return result
    if rebasing:
        if not _continue_rebase(repo, result):
            return result
    elif changes or merging:
        _commit(repo, result, merging, groups if chosen.commits == "customer" else None)
    upstream = repo.upstream()
    if upstream is None:
        result.notes.append("no remote: committed locally only" if result.committed else "no remote")
        return result
    if not merge_attribute_set(repo):
        result.notes.append("merges need the field-level driver: run `tuiboard git-setup` once, then sync")
        return result
    _exchange(repo, config, result, *upstream, rebase=rebase, attempts=attempts, before_push=before_push)
    return result


def _is_state(git_path: str) -> bool:
    return STATE_DIR in PurePosixPath(git_path).parts


Group = tuple[list[str], list[str]]  # (git paths, the actions their change stands for)


def change_groups(repo: Repo, changes: list[StatusEntry]) -> list[Group]:
    """One group per customer file changed, then one for every other file."""
    customers = [(e, cid) for e in changes if (cid := customer_id(e.path))]
    befores = repo.blobs([f"HEAD:{e.orig or e.path}" for e, _ in customers]) if repo.head() else []
    groups: list[Group] = []
    for i, (entry, cid) in enumerate(customers):
        after = _load(read_file(repo.local(entry.path)))
        paths = [entry.path, *([entry.orig] if entry.orig else [])]
        groups.append((paths, describe_change(cid, _load(befores[i]) if befores else None, after)))
    others = [e for e in changes if not customer_id(e.path)]
    if others:
        names = ", ".join(printable(PurePosixPath(e.path).name) for e in others)
        groups.append(
            ([p for e in others for p in (e.path, *([e.orig] if e.orig else []))], [f"edit {names}"])
        )
    return groups


def _commit(repo: Repo, result: SyncResult, merging: bool, groups: list[Group] | None) -> None:
    """Commit everything in the folder: concluding a merge, in one commit, or one per group."""
    if merging:
        repo.run("add", "-A", "--", repo.scope)
        repo.run("commit", "-q", "--no-edit", "--no-verify")
        result.notes.append("concluded the merge")
        result.committed, result.commits = repo.head(), 1
        return
    if groups is None:
        groups = [([repo.scope], result.actions)]
    for paths, actions in groups:
        if commit_paths(repo, paths, actions):
            result.committed = repo.head()
            result.commits += 1


def commit_paths(repo: Repo, paths: list[str], actions: list[str]) -> bool:
    """Stage ``paths`` as they are and commit only them; False when nothing changed."""
    repo.run("add", "-A", "--", *paths)
    done = repo.run("commit", "-q", "--no-verify", "-m", commit_message(actions), "--", *paths, check=False)
    if done.returncode:
        if b"nothing to commit" in done.stdout + done.stderr or b"no changes added" in done.stdout:
            return False
        raise GitError(["commit"], done.returncode, done.stderr.decode("utf-8", "replace"))
    return True


def _continue_rebase(repo: Repo, result: SyncResult) -> bool:
    """Go on with a rebase stopped on a conflict this rep has settled; False when the next
    commit conflicts too (or git refuses)."""
    repo.run("add", "-A", "--", repo.scope)
    done = repo.run("rebase", "--continue", check=False)
    if repo.rebasing() or done.returncode:
        return _stopped(repo, result, "rebase", done)
    result.notes.append("concluded the rebase")
    result.committed = repo.head()
    return True


def _dry_run(repo: Repo, result: SyncResult, merging: bool) -> None:
    if merging:
        result.notes.append("would conclude the merge")
    upstream = repo.upstream()
    if upstream is None:
        result.notes.append("no remote: would commit locally only")
        return
    remote, branch = upstream
    ref = f"refs/remotes/{remote}/{branch}"
    if counts := repo.ahead_behind(ref):
        ahead, behind = counts
        result.notes.append(
            f"as of the last fetch: {ahead} commits to push, {behind} to merge from {remote}/{branch}"
        )
    result.notes.append(f"would fetch {remote}/{branch}, merge, and push")


def _exchange(
    repo: Repo,
    config: Config,
    result: SyncResult,
    remote: str,
    branch: str,
    *,
    rebase: bool,
    attempts: int,
    before_push: Callable[[], None] | None,
) -> None:
    ref = f"refs/remotes/{remote}/{branch}"
    where = printable(f"{remote}/{branch}")
    for _ in range(max(1, attempts)):
        # every branch: teammates' work in flight is seen too (`in_flight`); --prune drops
        # the branches the remote deleted, this one too when the remote is empty again
        everything = f"+refs/heads/*:refs/remotes/{remote}/*"
        fetched = repo.run("fetch", "-q", "--no-tags", "--prune", remote, everything, check=False)
        if fetched.returncode:
            result.notes.append(f"could not reach {printable(remote)} (offline?): committed locally only")
            return
        counts = repo.ahead_behind(ref)
        if counts and counts[1]:
            paths = _incoming(repo, result, ref)
            if not (_rebase(repo, result, ref) if rebase else _merge(repo, result, ref, where)):
                return
            for p in paths:
                result.merged_problems += file_problems(repo.local(p), config, errors_only=False)
            counts = repo.ahead_behind(ref)
        ahead = counts[0] if counts else 1 if repo.head() else 0
        if not ahead:
            if not result.incoming and not result.committed:
                result.notes.append(f"up to date with {where}")
            return
        if before_push is not None:
            before_push()
        pushed = repo.run("push", "-q", "--no-verify", remote, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            repo.run("update-ref", ref, "HEAD", check=False)
            result.pushed = True
            return
        err = pushed.stderr.decode("utf-8", "replace")
        if not any(s in err for s in ("rejected", "fetch first", "non-fast-forward")):
            last = err.strip().splitlines()[-1] if err.strip() else "?"
            result.notes.append(f"could not push to {printable(remote)}: {printable(last)}")
            return
    result.notes.append(f"{where} kept moving; gave up after {attempts} tries: run sync again")


def _incoming(repo: Repo, result: SyncResult, ref: str) -> list[str]:
    """Who changed which customers in ``ref``; the paths of those customer files."""
    commits = repo.commits(f"HEAD..{ref}", repo.scope)
    paths = {p for _, ps in commits for p in ps if customer_id(p)}
    names = dict(zip(sorted(paths), repo.blobs([f"{ref}:{p}" for p in sorted(paths)]), strict=True))
    for commit, changed in commits:
        for p in changed:
            if cid := customer_id(p):
                data = _load(names.get(p))
                result.incoming.setdefault(commit.author, set()).add(display_name(cid, data))
    return sorted(paths)


def _merge(repo: Repo, result: SyncResult, ref: str, where: str) -> bool:
    """Merge ``ref`` through the driver; False when conflicts (or an error) stop the sync."""
    merged = repo.run(
        "merge", "-q", "--no-edit", "--no-verify", "-m", f"sync: merge {where}", ref, check=False
    )
    return merged.returncode == 0 or _stopped(repo, result, "merge", merged)


def _rebase(repo: Repo, result: SyncResult, ref: str) -> bool:
    """Replay this rep's commits onto ``ref`` (the driver merges each); False on conflicts."""
    done = repo.run("rebase", "-q", ref, check=False)
    return (done.returncode == 0 and not repo.rebasing()) or _stopped(repo, result, "rebase", done)


def _stopped(repo: Repo, result: SyncResult, command: str, done: subprocess.CompletedProcess[bytes]) -> bool:
    """A merge or rebase that did not finish: False with the conflicted customers noted, or,
    when nothing is conflicted, the git error."""
    stuck = repo.unmerged(repo.scope)
    if not stuck:
        raise GitError([command], done.returncode, done.stderr.decode("utf-8", "replace"))
    result.conflicts = _ids(stuck)
    return False


def _ids(unmerged: list[Unmerged]) -> list[str]:
    """The conflicted customers, by id (a path where the name is not a customer file's)."""
    return [customer_id(u.path) or u.path for u in unmerged]


def merge_attribute_set(repo: Repo) -> bool:
    """Does git merge customer files with the tuiboard driver here (`tuiboard git-setup`)?"""
    out = repo.text("check-attr", "merge", "--", f"{repo.prefix}{CUSTOMERS_DIR}/x.toml", check=False)
    return out.strip().endswith(": tuiboard")


MAX_BRANCHES = 50  # remote branches looked at for work in flight


def in_flight(repo: Repo) -> dict[str, set[str]]:
    """Customers changed on the remote's other branches and not merged here yet: customer
    id -> ``origin/branch (author)``. Reads the last fetch, never the network."""
    upstream = repo.upstream()
    own = f"refs/remotes/{upstream[0]}/{upstream[1]}" if upstream else None
    refs = repo.text("for-each-ref", "--format=%(refname)", "refs/remotes").split("\n")
    refs = [r for r in refs if r and r != own and not r.endswith("/HEAD")][:MAX_BRANCHES]
    out: dict[str, set[str]] = {}
    for ref in refs:
        branch = ref.removeprefix("refs/remotes/")
        for commit, paths in repo.commits(f"HEAD..{ref}", repo.scope):
            for p in paths:
                if cid := customer_id(p):
                    out.setdefault(cid, set()).add(f"{printable(branch)} ({printable(commit.author)})")
    return out
