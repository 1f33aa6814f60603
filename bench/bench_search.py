"""Finding a customer at scale: `pipeline.search` over a demo board, as `/` and `g` use it.

A demo folder (not timed) is loaded; then, timed:

- warm: every customer's search keys (pinyin spellings included), as the app does in a
  thread after the load;
- one keystroke: the `/` filter over every customer for each query below (what each typed
  letter costs), and `g`'s ranked top 12.

Figures are reported as ratios to a floor measured in the same run: a fresh interpreter
importing ``textual.app`` (so a loaded machine slows both alike).

    .venv/bin/python bench/bench_search.py [--customers 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline import search
from pipeline.demo import write_demo
from pipeline.store import load_board

QUERIES = ("h", "hz", "hzzl", "hangzhou", "杭州", "acme", "acme logstics", "138 12")


def floor(repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        write_demo(root, args.customers, 7, date(2026, 11, 23))
        customers = list(load_board(root, use_cache=False).customers.values())
    base = floor(args.repeat)
    print(f"{len(customers)} customers; floor (python -c 'import textual.app'): {base:.3f} s")

    start = time.perf_counter()
    search.warm(customers)
    warm = time.perf_counter() - start
    print(f"warm every customer's keys: {warm:.3f} s = {warm / base:.2f} x floor")

    for text in QUERIES:
        filters, ranks = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            hits = sum(1 for c in customers if search.score(c, text) > 0)
            filters.append(time.perf_counter() - start)
            start = time.perf_counter()
            search.rank(customers, text, 12)
            ranks.append(time.perf_counter() - start)
        f, r = statistics.median(filters), statistics.median(ranks)
        print(
            f"{text!r:>16}: {hits:5d} hits; filter {f * 1000:6.1f} ms = {f / base:.3f} x floor;"
            f" rank {r * 1000:6.1f} ms = {r / base:.3f} x floor"
        )


if __name__ == "__main__":
    main()
