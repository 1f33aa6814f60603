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
from pipeline.sync import MAX_LISTED, customer_id, sync

from .cli.team import driver_config
from .screens.conflicts import Conflicted


@dataclass(frozen=True, slots=True)
class Said:
    message: str
    severity: SeverityLevel = "information"  # as the board's toasts


def _t(english: bool, zh: str, en: str) -> str:
    return en if english else zh


def repo_for(root: Path) -> Repo | None:
    try:
        return Repo(root, extra_config=driver_config())
    except (GitError, OSError):
        return None


def sync_board(root: Path, config: Config, english: bool) -> Said:
    """`tuiboard sync` from the board: what came in, or what stopped it."""
    repo = repo_for(root)
    if repo is None:
        return Said(
            _t(english, "这个文件夹不在 git 仓库里，无法同步", "not in a git repository: nothing to sync"),
            "error",
        )
    try:
        result = sync(repo, config)
    except GitError as exc:
        return Said(f"git: {printable(str(exc))}", "error")
    if result.refused:
        first = printable(result.refused[0].headline(root))
        more = len(result.refused) - 1
        extra = _t(english, f"（另有 {more} 处）", f" (and {more} more)") if more else ""
        return Said(
            _t(english, "未提交，请先修正：", "nothing committed, fix first: ") + first + extra, "error"
        )
    if result.conflicts:
        n = len(result.conflicts)
        return Said(
            _t(
                english,
                f"{n} 个客户有冲突：按 C 查看并逐字段解决，再按 S 同步",
                f"conflicts in {n} customer{'s' if n != 1 else ''}: press C to settle them, then S",
            ),
            "warning",
        )
    lines = [incoming_line(author, names, english) for author, names in sorted(result.incoming.items())]
    if result.pushed:
        lines.append(_t(english, "已推送", "pushed"))
    elif result.committed:
        lines.append(_t(english, "已提交", "committed"))
    lines += [printable(n) for n in result.notes]
    return Said("\n".join(lines) or _t(english, "已是最新", "up to date"))


def incoming_line(author: str, names: set[str], english: bool) -> str:
    shown = ", ".join(sorted(names)[:MAX_LISTED]) + (", …" if len(names) > MAX_LISTED else "")
    n, who = len(names), printable(author)
    noun = "customer" if n == 1 else "customers"
    return _t(english, f"{who} 改了 {n} 个客户（{shown}）", f"{n} {noun} changed by {who} ({shown})")


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
    root: Path, config: Config, item: Conflicted, picks: Mapping[str, Pick], english: bool
) -> Said:
    """Settle one customer with the picks, through the verified write, and `git add` it."""
    repo = repo_for(root)
    if repo is None:
        return Said(_t(english, "不在 git 仓库里", "not in a git repository"), "error")
    git_path = conflicted(repo).get(item.customer_id)
    if git_path is None:
        return Said(_t(english, "这个客户已经没有冲突了", "this customer is no longer conflicted"), "warning")
    try:
        data = settle(load_conflict(repo, git_path), picks)
        write_settled(repo, config, root, git_path, data)
    except (SettleError, WriteError, GitError) as exc:
        return Said(printable(str(exc)), "error")
    name = printable(item.name)
    return Said(_t(english, f"{name} 已解决并暂存，按 S 同步", f"{name} settled and staged: press S to sync"))


def refusal(name: str, english: bool) -> str:
    """Why an action on a conflicted customer does not open its dialog, and what to do."""
    who = printable(name)
    return _t(
        english,
        f"{who} 有合并冲突，先解决：按 C 打开冲突列表（或运行 tuiboard resolve）",
        f"{who} is conflicted: settle it first (C opens the conflicts, or `tuiboard resolve`)",
    )


def conflicted_ids(paths: tuple[str, ...]) -> frozenset[str]:
    """Customer ids among git's conflicted paths (`LocalState.conflicted`)."""
    return frozenset(cid for p in paths if (cid := customer_id(p)))
