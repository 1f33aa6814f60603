"""User hooks, taskwarrior style: executables that see a customer after an action.

Hooks live in ``$XDG_CONFIG_HOME/tuiboard/hooks/`` (``~/.config/tuiboard/hooks/``) and in
the folder git config names as ``tuiboard.hooksPath``, never in a pipeline folder: a folder
may be a clone (or a tarball, with its own ``.git/config``) from anyone, and it must never
bring code that runs. So a configured path counts only when it is absolute, outside the
pipeline folder and its repository, owned by this user and not writable by group or others
(git's safe.directory reasoning); otherwise it is ignored with a one-line warning on stderr.
A hooks folder that resolves to inside the pipeline folder is ignored.

``on-new``, ``on-move``, ``on-won``, ``on-lost`` and ``on-log`` run after the write, with the
customer as JSON on stdin; their exit code is reported, never undoes the write.
``pre-move`` runs before a move is written; a non-zero exit vetoes the move, and the hook's
first line of output is the reason. A hook is the file named for the event, or
``EVENT.anything`` for several (run in name order); it must be an executable regular file.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

AFTER_EVENTS = ("on-new", "on-move", "on-won", "on-lost", "on-log")
VETO_EVENTS = ("pre-move",)
TIMEOUT = 10.0  # seconds per hook: a hung hook must not hang the command
MAX_OUTPUT = 4096  # characters of a hook's output kept for the message


@dataclass(frozen=True, slots=True)
class HookRun:
    hook: Path
    code: int  # the exit code; -1 when the hook could not run or timed out
    output: str  # stdout then stderr, bounded

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def first_line(self) -> str:
        return next((line for line in self.output.split("\n") if line.strip()), "").strip()


def hooks_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    config = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return config / "tuiboard" / "hooks"


CONFIG_KEY = "tuiboard.hooksPath"
_warned: set[str] = set()  # each ignored configured path is warned about once per process


def configured_dir(root: Path) -> Path | None:
    """The hooks folder git config names (``git config tuiboard.hooksPath DIR``), when it is
    safe to run code from; None (and a warning on stderr) when it is not."""
    from .gitrepo import GitError, Repo, git_binary, safe_env

    git = git_binary()
    if git is None:
        return None
    done = subprocess.run(
        [git, "-c", "core.hooksPath=/dev/null", "config", "--get", CONFIG_KEY],
        cwd=root,
        env=safe_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    value = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode or not value:
        return None
    places = [root.resolve()]
    try:
        repo = Repo(root)
        places += [repo.top.resolve(), repo.git_dir.resolve()]
    except (GitError, OSError):
        pass
    why = _unsafe(Path(value), places)
    if why is None:
        return Path(value)
    if value not in _warned:
        _warned.add(value)
        from .problems import printable

        print(f"tuiboard: ignored {CONFIG_KEY} {printable(value)}: {why}", file=sys.stderr)
    return None


def _unsafe(folder: Path, inside: list[Path]) -> str | None:
    """Why code from ``folder`` must not run, or None."""
    if not folder.is_absolute():
        return "not an absolute path"
    try:
        real = folder.resolve(strict=True)
        st = os.stat(real)
    except OSError:
        return "not found"
    if not stat.S_ISDIR(st.st_mode):
        return "not a folder"
    if any(real.is_relative_to(place) for place in inside):
        return "inside the pipeline folder or its repository"
    if st.st_uid != os.getuid():
        return "owned by another user"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable by group or others"
    return None


def hook_dirs(root: Path, env: Mapping[str, str] | None = None) -> list[Path]:
    """Where hooks are looked for: the configured folder when it is safe, then the default."""
    configured = configured_dir(root)
    return [*([configured] if configured else []), hooks_dir(env)]


def find_hooks(event: str, root: Path, env: Mapping[str, str] | None = None) -> list[Path]:
    """The hooks for ``event``: each hooks folder's in name order; none from a folder inside
    ``root``."""
    if event not in AFTER_EVENTS + VETO_EVENTS:
        raise ValueError(f"unknown hook event {event!r}")
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in hook_dirs(root, env):
        try:
            real = folder.resolve(strict=True)
        except OSError:
            continue
        if real not in seen:
            seen.add(real)
            found += _hooks_in(real, event, root)
    return found


def _hooks_in(real: Path, event: str, root: Path) -> list[Path]:
    try:
        names = sorted(os.listdir(real))
    except OSError:
        return []
    if real.is_relative_to(root.resolve()):
        return []
    found = []
    for name in names:
        if name != event and not name.startswith(event + "."):
            continue
        path = real / name
        try:
            target = path.resolve(strict=True)
        except OSError:
            continue
        if target.is_relative_to(root.resolve()) or not target.is_file() or not os.access(target, os.X_OK):
            continue
        found.append(path)
    return found


def run_hooks(
    event: str, customer_json: str, *, root: Path, env: Mapping[str, str] | None = None
) -> list[HookRun]:
    """Run every hook for ``event`` with ``customer_json`` on stdin; never raises."""
    runs = []
    for hook in find_hooks(event, root, env):
        runs.append(_run(hook, event, customer_json, root, env))
    return runs


def veto(
    event: str, customer_json: str, *, root: Path, env: Mapping[str, str] | None = None
) -> HookRun | None:
    """The first ``pre-*`` hook that refuses (exits non-zero), or None when all agree."""
    if event not in VETO_EVENTS:
        raise ValueError(f"{event!r} cannot veto (only {', '.join(VETO_EVENTS)})")
    for hook in find_hooks(event, root, env):
        run = _run(hook, event, customer_json, root, env)
        if not run.ok:
            return run
    return None


def _run(hook: Path, event: str, payload: str, root: Path, env: Mapping[str, str] | None) -> HookRun:
    child_env = dict(os.environ if env is None else env)
    child_env.update({"TUIBOARD_EVENT": event, "TUIBOARD_ROOT": str(root)})
    try:
        done = subprocess.run(
            [str(hook)],
            input=payload.encode("utf-8"),
            capture_output=True,
            cwd=root,
            env=child_env,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return HookRun(hook, -1, f"timed out after {TIMEOUT:g} s")
    except OSError as exc:
        return HookRun(hook, -1, exc.strerror or str(exc))
    output = (done.stdout + done.stderr).decode("utf-8", "replace")[:MAX_OUTPUT]
    return HookRun(hook, done.returncode, output)
