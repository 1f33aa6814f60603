"""Load times of a pipeline folder: cold (no cache), warm (cache, nothing changed), one file changed.

Folders are generated with ``pipeline.demo.write_demo`` in a temporary directory (not timed).
Every measurement runs in a fresh interpreter, as a real `tuiboard` start does; the figure is
the time of ``Store(root).load()`` inside it (imports excluded, reported apart), best of
``--repeat`` runs. Targets: 10,000 customers in <= 1.0 s cold and <= 0.3 s warm.

    .venv/bin/python bench/bench_load.py [--sizes 1000,10000,50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline.demo import write_demo
from pipeline.store import CACHE_DIR, CUSTOMERS_DIR

TARGETS = {10_000: (1.0, 0.3)}  # customers -> (cold, warm) seconds

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from pipeline.store import Store
t1 = time.perf_counter()
board = Store(sys.argv[1]).load()
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "customers": len(board.customers)}))
"""


def timed_load(root: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def best(root: Path, repeat: int, before_each: object) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        before_each()  # type: ignore[operator]
        runs.append(timed_load(root))
    return min(runs, key=lambda r: r["load"])


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

    cold = best(root, repeat, drop_cache)
    timed_load(root)  # make sure the cache is current
    warm = best(root, repeat, lambda: None)
    changed = best(root, repeat, touch_one)
    return {
        "customers": cold["customers"],
        "import": cold["import"],
        "cold": cold["load"],
        "warm": warm["load"],
        "changed": changed["load"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'customers':>9}  {'cold s':>7}  {'warm s':>7}  {'1 changed s':>11}  {'import s':>8}  target")
    with tempfile.TemporaryDirectory(prefix="tuiboard-bench-") as tmp:
        for n in sizes:
            root = Path(tmp) / f"p{n}"
            t = time.perf_counter()
            write_demo(root, n, 7, date(2026, 11, 23))
            gen = time.perf_counter() - t
            r = measure(root, args.repeat)
            target = TARGETS.get(n)
            verdict = ""
            if target:
                ok = r["cold"] <= target[0] and r["warm"] <= target[1]
                verdict = f"cold<={target[0]} warm<={target[1]}: {'ok' if ok else 'MISSED'}"
            print(
                f"{r['customers']:>9,}  {r['cold']:>7.3f}  {r['warm']:>7.3f}  {r['changed']:>11.3f}"
                f"  {r['import']:>8.3f}  {verdict}",
                flush=True,
            )
            print(f"{'':>9}  (generated in {gen:.1f} s, not counted)", file=sys.stderr)
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
