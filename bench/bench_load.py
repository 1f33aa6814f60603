"""Load times of a pipeline folder: cold (no cache), warm (cache, nothing changed), one file
changed, next to the floors measured in the same run.

Folders are generated with ``pipeline.demo.write_demo`` in a temporary directory (not timed).
Every measurement runs in a fresh interpreter, as a real `tuiboard` start does; the figure is
the wall time of ``Store(root).load()`` inside it (imports excluded, reported apart), the
median of ``--repeat`` runs. The CPU column is the cold load's CPU time, pool workers
included: on a busy machine it shows what the wall time would be on an idle one.

The floors: ``stat`` lists and stats every customer file and reads the cache file's bytes
(what any warm load must do); ``textual`` is the whole process ``python -c "import
textual.app"`` (what any board start must do). Warm and cold are also shown as ratios to
the stat floor, which a loaded machine slows down alike; "CPU ratio" is warm CPU time over
the floor's CPU time, the steadiest figure on a shared machine.

``--source DIR`` loads ``pipeline`` from another checkout (e.g. ``git archive main pipeline
tuiboard | tar -x -C DIR``), to compare two versions in one run.

    .venv/bin/python bench/bench_load.py [--sizes 1000,10000,50000] [--repeat 5] [--source DIR]
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
from pipeline.layout import CUSTOMERS_DIR
from pipeline.layout import STATE_DIR as CACHE_DIR

RACY_S = 3.1  # `pipeline.cache.RACY_NS`: a file read sooner after its write is hashed again next load
TARGETS = {10_000: (1.0, 0.15)}  # customers -> (cold, warm) seconds on an idle machine

_CHILD = """
import json, os, resource, sys, time
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
t0 = time.perf_counter()
from pipeline.store import Store
t1 = time.perf_counter()
c0 = time.process_time()
board = Store(sys.argv[1]).load()
t2 = time.perf_counter()
cpu = time.process_time() - c0 + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "cpu": cpu, "customers": len(board.customers)}))
"""

_FLOOR = """
import json, os, sys, time
t0, c0 = time.perf_counter(), time.process_time()
with os.scandir(os.path.join(sys.argv[1], "customers")) as entries:
    for entry in entries:
        entry.stat()
for name in os.listdir(os.path.join(sys.argv[1], ".tuiboard")):
    if name.startswith("cache"):
        with open(os.path.join(sys.argv[1], ".tuiboard", name), "rb") as fh:
            fh.read()
print(json.dumps({"stat": time.perf_counter() - t0, "cpu": time.process_time() - c0}))
"""


def child(code: str, root: Path, source: str = "") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(root), source], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def median_of(
    repeat: int, run: Callable[[], dict[str, float]], before_each: Callable[[], None]
) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        before_each()
        runs.append(run())
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def textual_floor(repeat: int) -> float:
    def once() -> dict[str, float]:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
        return {"s": time.perf_counter() - t}

    return median_of(repeat, once, lambda: None)["s"]


def cache_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / CACHE_DIR).glob("cache*"))


def measure(root: Path, repeat: int, source: str) -> dict[str, float]:
    files = sorted((root / CUSTOMERS_DIR).iterdir())
    target = files[len(files) // 2]
    counter = iter(range(1_000_000))

    def drop_cache() -> None:
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)

    def touch_one() -> None:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"# bench edit {next(counter)}\n")

    def load() -> dict[str, float]:
        return child(_CHILD, root, source)

    cold = median_of(repeat, load, drop_cache)
    load()  # the cache is current before the warm runs
    warm = median_of(repeat, load, lambda: None)
    floor = median_of(repeat, lambda: child(_FLOOR, root), lambda: None)
    size = cache_bytes(root)
    changed = median_of(repeat, load, touch_one)
    return {
        "customers": cold["customers"],
        "import": cold["import"],
        "cold": cold["load"],
        "cold_cpu": cold["cpu"],
        "warm": warm["load"],
        "warm_cpu": warm["cpu"],
        "changed": changed["load"],
        "stat": floor["stat"],
        "stat_cpu": floor["cpu"],
        "cache_mb": size / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated customer counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is shown")
    parser.add_argument("--source", default="", help="load `pipeline` from this checkout instead")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"floor: python -c 'import textual.app' {textual_floor(args.repeat):.3f} s", flush=True)
    columns = ("customers", "cold s", "cold CPU s", "warm s", "warm CPU s", "1 changed s", "import s")
    columns += ("floor s", "floor CPU s", "warm/floor", "CPU ratio", "cold/floor", "cache MB")
    print("  ".join(f"{c:>10}" for c in columns) + "  target", flush=True)
    with tempfile.TemporaryDirectory(prefix="tuiboard-bench-") as tmp:
        for n in sizes:
            root = Path(tmp) / f"p{n}"
            t = time.perf_counter()
            write_demo(root, n, 7, date(2026, 11, 23))
            time.sleep(RACY_S)  # files older than the racy window, as in a folder in use
            print(
                f"  (generated {n:,} customers in {time.perf_counter() - t:.1f} s, not counted)",
                file=sys.stderr,
            )
            r = measure(root, args.repeat, args.source)
            target = TARGETS.get(n)
            verdict = f"cold<={target[0]} warm<={target[1]} on an idle machine" if target else ""
            figures = (r["cold"], r["cold_cpu"], r["warm"], r["warm_cpu"], r["changed"], r["import"])
            figures += (r["stat"], r["stat_cpu"])
            ratios = (r["warm"] / r["stat"], r["warm_cpu"] / r["stat_cpu"], r["cold"] / r["stat"])
            print(
                f"{r['customers']:>10,}  "
                + "  ".join(f"{x:>10.3f}" for x in figures)
                + "  "
                + "  ".join(f"{x:>10.1f}" for x in ratios)
                + f"  {r['cache_mb']:>10.1f}  {verdict}",
                flush=True,
            )
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
