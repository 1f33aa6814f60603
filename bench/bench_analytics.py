"""The report's cost as ratios to floors measured in the same run (issue 12 and 13).

    .venv/bin/python bench/bench_analytics.py [--sizes 1000,10000] [--runs 5]

In process: `Analysis(...).report()` (CPU) against one pass of `rules.weighted_amount` over
the same customers (the least a per-customer metric can cost). Whole process, warm cache:
`report --json` and `report --chart all` (CPU of the child, and wall) against
`python -c pass` and `python -c "import textual.app"`. On a shared machine compare the
ratios and CPU times, not wall seconds. Demo folders are written to a temporary folder and
removed afterwards.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import TODAY, child


def medians(runs: int, *argv: str) -> tuple[float, float]:
    got = [child(*argv) for _ in range(runs)]
    return statistics.median(c for c, _ in got), statistics.median(w for _, w in got)


def in_process(folder: Path, runs: int) -> tuple[float, float]:
    """(report CPU, floor CPU): medians over ``runs``."""
    from pipeline import rules
    from pipeline.analytics import Analysis
    from pipeline.store import load_board

    board = load_board(folder)
    customers = list(board.customers.values())
    report, floor = [], []
    for _ in range(runs):
        start = time.process_time()
        Analysis(customers, board.config, TODAY).report()
        report.append(time.process_time() - start)
        start = time.process_time()
        sum(rules.weighted_amount(c, board.config) for c in customers)
        floor.append(time.process_time() - start)
    return statistics.median(report), statistics.median(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from pipeline.demo import write_demo

    py = sys.executable
    tb = [py, "-m", "tuiboard"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    try:
        bare, bare_wall = medians(args.runs, py, "-c", "pass")
        textual, textual_wall = medians(args.runs, py, "-c", "import textual.app")
        print(f"floor python -c pass:               CPU {bare:.3f} s  wall {bare_wall:.3f} s")
        print(f"floor python -c 'import textual.app': CPU {textual:.3f} s  wall {textual_wall:.3f} s")
        for n in (int(s) for s in args.sizes.split(",")):
            folder = tmp / f"demo{n}"
            write_demo(folder, n, 7, TODAY)
            child(*tb, "-C", str(folder), "list", "--json")  # warm the cache
            metrics, floor = in_process(folder, args.runs)
            print(f"\n{n:,} customers")
            print(
                f"  metrics in process: CPU {metrics * 1000:.0f} ms = {metrics / floor:.1f}x one rules pass"
            )
            for label, extra in (("report --json", ["--json"]), ("report --chart all", ["--width", "120"])):
                cpu, wall = medians(args.runs, *tb, "-C", str(folder), "report", *extra)
                print(
                    f"  {label:<19} CPU {cpu:.3f} s ({cpu / textual:.2f}x import textual.app,"
                    f" {cpu / bare:.1f}x python)  wall {wall:.3f} s ({wall / textual_wall:.2f}x)"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
