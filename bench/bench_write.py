"""The write path: what the folder's write lock costs per write, and what concurrent writers keep.

Figures, each a median over ``--repeat`` runs, and as a ratio to a floor measured in the
same run (``python -c "import textual.app"``, a whole process):

- lock: taking and releasing ``.tuiboard/write.lock`` alone (open without following
  links, flock, close), uncontended;
- write: one ``pipeline.actions.log`` on a demo customer, from the call to the file
  renamed into place and noted in the store (the board's "key to file written" minus the
  dialog), with the lock and with the lock replaced by a no-op;
- concurrency: three processes writing ``tuiboard log`` to one customer ``--rounds``
  times each (tests/test_concurrency.py's writers): writes attempted, acknowledged (exit
  0) and found in the file afterwards.

    .venv/bin/python bench/bench_write.py [--repeat 200] [--rounds 60]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pipeline.actions
import pipeline.edit
from pipeline import actions
from pipeline.demo import write_demo
from pipeline.lock import write_lock
from pipeline.store import Store

TESTS = Path(__file__).resolve().parents[1] / "tests"
TODAY = date(2026, 11, 23)


def median_ms(fn: Callable[[int], object], repeat: int) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def floor_ms(repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


@contextlib.contextmanager
def no_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    yield


def writes(root: Path, repeat: int) -> tuple[float, float]:
    """(ms per write with the lock, without it), interleaved so that the machine's drift
    falls on both alike; customers alternate so that files stay small."""
    store = Store(root)
    board = store.load()
    ids = sorted(board.customers)[:50]
    real = pipeline.edit.file_lock, pipeline.actions.write_lock
    times: dict[bool, list[float]] = {True: [], False: []}
    try:
        for i in range(2 * repeat):
            locked = i % 2 == 0
            fake = real if locked else (no_lock, no_lock)
            pipeline.edit.file_lock, pipeline.actions.write_lock = fake  # type: ignore[assignment]
            customer = store.board().customers[ids[i % len(ids)]]
            start = time.perf_counter()
            actions.log(store, customer, "call", f"bench {i}", TODAY)
            times[locked].append(time.perf_counter() - start)
    finally:
        pipeline.edit.file_lock, pipeline.actions.write_lock = real
    return statistics.median(times[True]) * 1000, statistics.median(times[False]) * 1000


def concurrency(root: Path, rounds: int) -> tuple[int, int, int]:
    sys.path.insert(0, str(TESTS))
    from test_concurrency import START, notes_in_file, run_writers

    (root / "customers" / "acme.toml").write_text(START, encoding="utf-8")
    ok, refused = run_writers(root, ["cli", "cli", "cli"], rounds)
    found = set(notes_in_file(root))
    return len(ok) + len(refused), len(ok), len(found & set(ok))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pipe"
        write_demo(root, 200, 7, TODAY)
        floor = floor_ms()
        lock = median_ms(lambda _: _lock_once(root), args.repeat)
        locked, unlocked = writes(root, args.repeat)
        attempted, acknowledged, found = concurrency(root, args.rounds)
    print(f"floor (python -c 'import textual.app'): {floor:.1f} ms")
    print(f"lock taken and released:  {lock:.3f} ms  ({lock / floor:.2e} x floor)")
    print(f"write with the lock:      {locked:.2f} ms  ({locked / floor:.3f} x floor)")
    print(f"write without the lock:   {unlocked:.2f} ms  ({unlocked / floor:.3f} x floor)")
    print(f"the lock alone / a write: {lock / locked:.1%}")
    print(
        f"3 CLI writers x {args.rounds} rounds: {attempted} attempted, "
        f"{acknowledged} acknowledged, {found} found"
    )


def _lock_once(root: Path) -> None:
    with write_lock(root):
        pass


if __name__ == "__main__":
    main()
