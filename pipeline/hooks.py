"""User hooks, taskwarrior style: executables that see a customer after an action.

Hooks live in ``$XDG_CONFIG_HOME/tuiboard/hooks/`` (``~/.config/tuiboard/hooks/``), never in
a pipeline folder: a folder may be a clone from anyone, and cloning it must never bring code
that runs. A hooks folder that resolves to inside the pipeline folder is ignored.

``on-new``, ``on-move``, ``on-won``, ``on-lost`` and ``on-log`` run after the write, with the
customer as JSON on stdin; their exit code is reported, never undoes the write.
``pre-move`` runs before a move is written; a non-zero exit vetoes the move, and the hook's
first line of output is the reason. A hook is the file named for the event, or
``EVENT.anything`` for several (run in name order); it must be an executable regular file.
"""

from __future__ import annotations

import os
import subprocess
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


def find_hooks(event: str, root: Path, env: Mapping[str, str] | None = None) -> list[Path]:
    """The hooks for ``event``, in name order; none when the hooks folder is inside ``root``."""
    if event not in AFTER_EVENTS + VETO_EVENTS:
        raise ValueError(f"unknown hook event {event!r}")
    folder = hooks_dir(env)
    try:
        real = folder.resolve(strict=True)
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
