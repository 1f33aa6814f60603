"""Live reload at scale: time from a file change on disk to ``Store.reload`` done.

A demo folder (not timed) is loaded once, then a real ``FolderWatcher`` feeds
``Store.reload`` (or ``Store.rescan`` for a rescan batch), as the app does. Figures:

- one file edited: from the write to the reload done, and the reload alone;
- a burst of 500 files rewritten (a git checkout's worth): from the last write to the
  reload done, and the reload alone;
- the periodic safety rescan when nothing changed.

The end-to-end figures include the debounce (``--debounce``, 0.25 s by default).

    .venv/bin/python bench/bench_reload.py [--customers 10000] [--repeat 5] [--debounce 0.25]
"""

from __future__ import annotations

import argparse
import queue
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline.demo import write_demo
from pipeline.store import CUSTOMERS_DIR, Store
from pipeline.watch import Batch, FolderWatcher


class Reloader:
    """The app's side of the watcher: reload, and say when and how long it took."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.done: queue.Queue[tuple[float, float, int]] = queue.Queue()  # (finished at, took, changed)

    def __call__(self, batch: Batch) -> None:
        start = time.perf_counter()
        result = self.store.rescan() if batch.rescan else self.store.reload(batch.paths)
        end = time.perf_counter()
        self.done.put((end, end - start, len(result.changed) + len(result.removed)))


def touch(path: Path, n: int) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"# bench edit {n}\n")


def one_file(files: list[Path], reloader: Reloader, repeat: int) -> tuple[list[float], list[float]]:
    ends, reloads = [], []
    for i in range(repeat):
        start = time.perf_counter()
        touch(files[(i * 997) % len(files)], i)
        finished, took, changed = reloader.done.get(timeout=30)
        assert changed == 1, changed
        ends.append(finished - start)
        reloads.append(took)
    return ends, reloads


def burst(files: list[Path], reloader: Reloader, repeat: int, size: int) -> tuple[list[float], list[float]]:
    ends, reloads = [], []
    for i in range(repeat):
        chosen = files[i * size : (i + 1) * size]
        for path in chosen:
            touch(path, i)
        last_write = time.perf_counter()
        finished, took, changed = reloader.done.get(timeout=60)
        assert changed == len(chosen), (changed, len(chosen))
        ends.append(finished - last_write)
        reloads.append(took)
    return ends, reloads


def show(label: str, ends: list[float], reloads: list[float]) -> None:
    print(
        f"{label:<22} change->reloaded median {statistics.median(ends) * 1000:7.1f} ms"
        f" (min {min(ends) * 1000:7.1f})   reload alone median {statistics.median(reloads) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--debounce", type=float, default=0.25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tuiboard-bench-") as tmp:
        root = Path(tmp) / "pipe"
        write_demo(root, args.customers, 7, date(2026, 11, 23))
        store = Store(root)
        board = store.load()
        files = sorted((root / CUSTOMERS_DIR).iterdir())
        print(f"{len(board.customers):,} customers, debounce {args.debounce * 1000:.0f} ms")
        reloader = Reloader(store)
        watcher = FolderWatcher(root, reloader, debounce=args.debounce, rescan_every=3600)
        watcher.start()
        try:
            show("one file edited", *one_file(files, reloader, args.repeat))
            show("500 files rewritten", *burst(files, reloader, args.repeat, 500))
        finally:
            watcher.stop()
        rescans = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            store.rescan()
            rescans.append(time.perf_counter() - start)
        print(f"{'safety rescan':<22} nothing changed: median {statistics.median(rescans) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
