"""Load times of a pipeline folder: cold (no cache), warm (cache, nothing changed), one file changed.

Folders are generated with ``pipeline.demo.write_demo`` in a temporary directory (not timed).
Every measurement runs in a fresh interpreter, as a real `tuiboard` start does; the figure is
the wall time of ``Store(root).load()`` inside it (imports excluded, reported apart), the
median of ``--repeat`` runs. The CPU column is the cold load's CPU time, pool workers
included: on a busy machine it shows what the wall time would be on an idle one.
Targets: 10,000 customers in <= 1.0 s cold and <= 0.3 s warm.

    .venv/bin/python bench/bench_load.py [--sizes 1000,10000,50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipeline.demo import write_demo
from pipeline.store import CACHE_DIR, CUSTOMERS_DIR

TARGETS = {10_000: (1.0, 0.3)}  # customers -> (cold, warm) seconds
WIDTHS = (9, 7, 10, 7, 11, 8)

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from pipeline.store import Store
t1 = time.perf_counter()
c0 = time.process_time()
board = Store(sys.argv[1]).load()
t2 = time.perf_counter()
cpu = time.process_time() - c0 + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "cpu": cpu, "customers": len(board.customers)}))
"""


def timed_load(root: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def median_of(root: Path, repeat: int, before_each: Callable[[], None]) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        before_each()
        runs.append(timed_load(root))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def measure(root: Path, repeat: int) -> dict[str, float]:
    cache = root / CACHE_DIR
    files = sorted((root / CUSTOMERS_DIR).iterdir())
    target = files[len(files) // 2]
    counter = iter(range(1_000_000))

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def touch_one() -> None:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"# bench edit {next(counter)}\n")

    cold = median_of(root, repeat, drop_cache)
    timed_load(root)  # make sure the cache is current
    warm = median_of(root, repeat, lambda: None)
    changed = median_of(root, repeat, touch_one)
    return {
        "customers": cold["customers"],
        "import": cold["import"],
        "cold": cold["load"],
        "cold_cpu": cold["cpu"],
        "warm": warm["load"],
        "changed": changed["load"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated customer counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is shown")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    columns = ("customers", "cold s", "cold CPU s", "warm s", "1 changed s", "import s")
    print("  ".join(f"{c:>{w}}" for c, w in zip(columns, WIDTHS, strict=True)) + "  target", flush=True)
    with tempfile.TemporaryDirectory(prefix="tuiboard-bench-") as tmp:
        for n in sizes:
            root = Path(tmp) / f"p{n}"
            t = time.perf_counter()
            write_demo(root, n, 7, date(2026, 11, 23))
            print(
                f"  (generated {n:,} customers in {time.perf_counter() - t:.1f} s, not counted)",
                file=sys.stderr,
            )
            r = measure(root, args.repeat)
            target = TARGETS.get(n)
            verdict = ""
            if target:
                ok = r["cold"] <= target[0] and r["warm"] <= target[1]
                verdict = f"cold<={target[0]} warm<={target[1]}: {'ok' if ok else 'MISSED'}"
            print(
                f"{r['customers']:>9,}  {r['cold']:>7.3f}  {r['cold_cpu']:>10.3f}  {r['warm']:>7.3f}"
                f"  {r['changed']:>11.3f}  {r['import']:>8.3f}  {verdict}",
                flush=True,
            )
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
