"""Time `tuiboard due`, `today` and `ics` as whole processes on a large demo pipeline.

    .venv/bin/python bench/bench_due.py [--customers 10000] [--runs 5] [--folder DIR]

These are the commands a shell prompt or cron runs (target: `due` ≤ 0.3 s at 10k on a
quiet machine). Each figure is also given as a ratio to a floor measured in the same run,
`python -c "import textual.app"`, so figures from a loaded, shared machine compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 23)


def timed(args: list[str]) -> float:
    env = {**os.environ, "TUIBOARD_TODAY": TODAY.isoformat()}
    start = time.perf_counter()
    subprocess.run(args, env=env, check=False, capture_output=True)
    return time.perf_counter() - start


def median(args: list[str], runs: int) -> float:
    return statistics.median(timed(args) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="Keep the demo folder here (reused if present).")
    opts = parser.parse_args()
    tmp = None
    folder = opts.folder
    if folder is None:
        tmp = tempfile.mkdtemp(prefix="bench-due-")
        folder = Path(tmp) / "pipe"
    try:
        if not (folder / "pipeline.toml").exists():
            from pipeline.demo import write_demo

            write_demo(folder, opts.customers, 7, TODAY)
        tb = [sys.executable, "-m", "tuiboard", "-C", str(folder)]
        timed([*tb, "due"])  # fills the store's cache, as any earlier command would
        floor = median([sys.executable, "-c", "import textual.app"], opts.runs)
        print(f"floor (import textual.app): {floor:.3f} s")
        for name, args in (
            ("due", [*tb, "due"]),
            ("today", [*tb, "today"]),
            ("due --json", [*tb, "due", "--json"]),
            ("ics", [*tb, "ics"]),
        ):
            t = median(args, opts.runs)
            print(f"{name:<12} {t:.3f} s  ({t / floor:.2f}x floor)")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
