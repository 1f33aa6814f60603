"""Who is using the board: ``TUIBOARD_OWNER``, else ``git config user.name`` in the folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pipeline.problems import printable


def whoami(root: Path) -> str | None:
    owner = os.environ.get("TUIBOARD_OWNER", "").strip()
    if owner:
        return printable(owner)
    try:
        done = subprocess.run(
            ["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    name = done.stdout.strip() if done.returncode == 0 else ""
    return printable(name) if name else None
