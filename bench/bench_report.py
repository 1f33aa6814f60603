"""Time `tuiboard report --chart all` as a whole process on a large demo pipeline (target: ≤ 2 s).

    .venv/bin/python bench/bench_report.py [--customers 10000] [--runs 5] [--folder DIR]

Writes the demo folder once (kept with --folder), then times: a cold run (no cache:
every file parsed), warm runs (the store's cache, as on a second run), `--json`, and an
in-process breakdown (load, frames, metrics, charts).
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
TARGET_SECONDS = 2.0


def command() -> list[str]:
    script = Path(sys.executable).with_name("tuiboard")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from tuiboard.cli import run; run()"]


def timed_run(folder: Path, *args: str) -> float:
    env = {**os.environ, "TUIBOARD_TODAY": TODAY.isoformat()}
    start = time.perf_counter()
    subprocess.run([*command(), "-C", str(folder), "report", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def breakdown(folder: Path) -> dict[str, float]:
    """Where the time goes, in this process (imports included in the first step that needs them)."""
    out: dict[str, float] = {}
    start = time.perf_counter()
    from pipeline.store import Store

    board = Store(folder).load()
    out["load (warm cache)"] = time.perf_counter() - start
    start = time.perf_counter()
    from pipeline.analytics import Analysis

    out["import analytics"] = time.perf_counter() - start
    start = time.perf_counter()
    analysis = Analysis(list(board.customers.values()), board.config, TODAY)
    out["frames"] = time.perf_counter() - start
    start = time.perf_counter()
    report = analysis.report()
    out["metrics"] = time.perf_counter() - start
    start = time.perf_counter()
    from tuiboard.textcharts import CHARTS, render

    for name in CHARTS:
        render(name, report, 120, 20)
    out["charts (plotext import included)"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="Keep (or reuse) the demo folder here.")
    args = parser.parse_args()

    tmp = None
    folder = args.folder
    if folder is None:
        tmp = tempfile.mkdtemp(prefix="bench-report-")
        folder = Path(tmp) / "demo"
    try:
        if not (folder / "pipeline.toml").exists():
            from pipeline.demo import write_demo

            start = time.perf_counter()
            write_demo(folder, args.customers, 7, TODAY)
            print(f"wrote {args.customers} demo customers in {time.perf_counter() - start:.1f} s")
        shutil.rmtree(folder / ".tuiboard", ignore_errors=True)
        cold = timed_run(folder, "--chart", "all", "--width", "120")
        warm = [timed_run(folder, "--chart", "all", "--width", "120") for _ in range(args.runs)]
        as_json = [timed_run(folder, "--json") for _ in range(args.runs)]
        median = statistics.median(warm)
        print(f"report --chart all, cold (no cache):  {cold:.2f} s")
        print(f"report --chart all, warm: median {median:.2f} s, min {min(warm):.2f} s over {args.runs} runs")
        print(f"report --json, warm:      median {statistics.median(as_json):.2f} s")
        for step, seconds in breakdown(folder).items():
            print(f"  {step:<34} {seconds * 1000:7.0f} ms")
        verdict = "within" if median <= TARGET_SECONDS else "OVER"
        print(f"{verdict} the {TARGET_SECONDS:.0f} s target (provisional: a shared machine is noisy)")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
