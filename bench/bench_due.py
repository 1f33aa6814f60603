"""Time `tuiboard due`, `today`, `list --json` and `ics` as whole processes on a large demo pipeline.

    .venv/bin/python bench/bench_due.py [--customers 10000] [--runs 5] [--folder DIR]

These are the commands a shell prompt or cron runs (target: `due` ≤ 0.3 s at 10k on a
quiet machine). Each figure is the median wall time and the median CPU time (user + system,
`resource.getrusage` of the children: what the command costs whatever else runs), and the
CPU time as a ratio to a floor measured in the same run, `python -c "import textual.app"`,
so figures from a loaded, shared machine compare. The commands and the floor take turns.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import TODAY, child


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
        child(*tb, "due", check=False)  # fills the store's cache, as any earlier command would
        commands = {
            "floor": [sys.executable, "-c", "import textual.app"],
            "due": [*tb, "due"],
            "today": [*tb, "today"],
            "due --json": [*tb, "due", "--json"],
            "list --json": [*tb, "list", "--json"],
            "ics": [*tb, "ics"],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(opts.runs):
            for name, args in commands.items():
                cpu, wall = child(*args, check=False)
                runs[name].append((wall, cpu))
        floor = statistics.median(cpu for _, cpu in runs["floor"])
        for name, samples in runs.items():
            wall = statistics.median(w for w, _ in samples)
            cpu = statistics.median(c for _, c in samples)
            print(f"{name:<12} {wall:.3f} s wall  {cpu:.3f} s CPU  ({cpu / floor:.2f}x the floor's CPU)")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
