"""The board's side of working as a team: sync, the conflicted customers, settling one.

These run on the board's store thread (git may take a while; the UI never waits on it)
and return what the board says, in its language. The CLI's `sync` and `resolve` share
the same pipeline code (`pipeline.sync`, `pipeline.settle`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.notifications import SeverityLevel

from pipeline.config import Config
from pipeline.edit import WriteError
from pipeline.gitrepo import GitError, Repo
from pipeline.problems import printable
from pipeline.settle import Pick, SettleError, conflicted, load_conflict, settle, write_settled
from pipeline.sync import customer_id, sync
from pipeline.sync_said import MAX_LISTED

from .cli.team import driver_config
from .labels import Labels
from .screens.conflicts import Conflicted


@dataclass(frozen=True, slots=True)
class Said:
    message: str
    severity: SeverityLevel = "information"  # as the board's toasts


def repo_for(root: Path) -> Repo | None:
    try:
        return Repo(root, extra_config=driver_config())
    except (GitError, OSError):
        return None


def sync_board(root: Path, config: Config, words: Labels) -> Said:
    """`tuiboard sync` from the board: what came in, or what stopped it."""
    repo = repo_for(root)
    if repo is None:
        return Said(words("team.sync_no_git"), "error")
    try:
        result = sync(repo, config)
    except GitError as exc:
        return Said(f"git: {printable(str(exc))}", "error")
    if result.refused:
        first = printable(result.refused[0].headline(root))
        more = len(result.refused) - 1
        extra = words("team.and_more", count=more) if more else ""
        return Said(words("team.fix_first") + first + extra, "error")
    if result.conflicts:
        n = len(result.conflicts)
        return Said(words("team.conflicts_one" if n == 1 else "team.conflicts", count=n), "warning")
    lines = [incoming_line(author, names, words) for author, names in sorted(result.incoming.items())]
    if result.pushed:
        lines.append(words("team.pushed"))
    elif result.committed:
        lines.append(words("team.committed"))
    lines += [printable(n) for n in result.notes]
    return Said("\n".join(lines) or words("team.up_to_date"))


def incoming_line(author: str, names: set[str], words: Labels) -> str:
    shown = ", ".join(sorted(names)[:MAX_LISTED]) + (", …" if len(names) > MAX_LISTED else "")
    key = "team.incoming_one" if len(names) == 1 else "team.incoming"
    return words(key, count=len(names), who=printable(author), names=shown)


def conflicts(root: Path) -> list[Conflicted]:
    """Every conflicted customer with its conflict, named from this rep's side."""
    repo = repo_for(root)
    if repo is None:
        return []
    out = []
    for cid, git_path in sorted(conflicted(repo).items()):
        conflict = load_conflict(repo, git_path)
        name = _name(conflict.ours or conflict.theirs, cid)
        out.append(Conflicted(cid, name, repo.local(git_path), conflict))
    return out


def _name(raw: bytes | None, cid: str) -> str:
    try:
        name = tomllib.loads((raw or b"").decode("utf-8-sig")).get("name")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return cid
    return name if isinstance(name, str) and name.strip() else cid


def settle_board(
    root: Path, config: Config, item: Conflicted, picks: Mapping[str, Pick], words: Labels
) -> Said:
    """Settle one customer with the picks, through the verified write, and `git add` it."""
    repo = repo_for(root)
    if repo is None:
        return Said(words("team.no_git"), "error")
    git_path = conflicted(repo).get(item.customer_id)
    if git_path is None:
        return Said(words("team.no_longer_conflicted"), "warning")
    try:
        data = settle(load_conflict(repo, git_path), picks)
        write_settled(repo, config, root, git_path, data)
    except (SettleError, WriteError, GitError) as exc:
        return Said(words("team.not_settled", why=printable(words.reason(exc))), "error")
    return Said(words("team.settled", name=printable(item.name)))


def refusal(name: str, words: Labels) -> str:
    """Why an action on a conflicted customer does not open its dialog, and what to do."""
    return words("team.refusal", name=printable(name))


def conflicted_ids(paths: tuple[str, ...]) -> frozenset[str]:
    """Customer ids among git's conflicted paths (`LocalState.conflicted`)."""
    return frozenset(cid for p in paths if (cid := customer_id(p)))
