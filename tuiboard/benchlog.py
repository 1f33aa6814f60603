"""Timestamps for the benchmarks: with TUIBOARD_BENCH_LOG=path, the board appends events to it.

bench/bench_board.py reads ``first-paint``, ``batch``, ``written`` and ``repainted``;
bench/bench_all.py the longest ``gc-GENERATION-SECONDS`` after the first paint.
"""

from __future__ import annotations

import gc
import os
import time


def bench_mark(event: str) -> None:
    """Append ``event <time.monotonic()>`` to $TUIBOARD_BENCH_LOG, if set."""
    log = os.environ.get("TUIBOARD_BENCH_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{event} {time.monotonic():.6f}\n")


def log_gc_pauses() -> None:
    """With TUIBOARD_BENCH_LOG=path, append ``gc-GENERATION-SECONDS <end time>`` for every
    collection over a millisecond."""
    log = os.environ.get("TUIBOARD_BENCH_LOG")
    if not log:
        return
    started = 0.0

    def on_gc(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        now = time.monotonic()
        if phase == "start":
            started = now
        elif now - started >= 0.001:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"gc-{info['generation']}-{now - started:.4f} {now:.6f}\n")

    gc.callbacks.append(on_gc)
