"""One child process timed: what a whole command costs, whatever else the machine runs."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from datetime import date

TODAY = date(2026, 11, 23)  # the benchmarks' day: demo folders and the commands agree on it


def child(*argv: str, check: bool = True) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``argv``: user + system time of the child
    (`resource.getrusage`), with TUIBOARD_TODAY pinned. ``check=False`` for a command whose
    exit code is an answer (`due` exits 1 when something is due)."""
    env = {**os.environ, "TUIBOARD_TODAY": TODAY.isoformat()}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=check, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall
