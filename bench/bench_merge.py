"""The git merge driver on big customer files, as ratios to floors measured in the same run.

Each case is one customer whose two sides each appended N ``[[log]]`` entries since the
base (dates interleaved, so theirs go between ours), while theirs also corrected one old
entry and deleted another and ours changed a field. Figures:

- ``merge``: `pipeline.merge.merge_customer` (the driver's engine), median of ``--repeat``;
- ``driver``: the real ``python -I -m tuiboard merge-file`` process on files, once
  (includes the interpreter's start);
- floors: ``tomllib`` parsing the three texts, and ``tomlkit`` parsing and writing ours
  (the merge edits ours with tomlkit to keep its comments, so it cannot beat that).

    .venv/bin/python bench/bench_merge.py [--sizes 2000,6000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import tomlkit

from pipeline.merge import merge_customer

HEAD = """\
# 苏州华东: key account
name = "苏州华东精密机械有限公司"
stage = "intent"
tier = "B"
owner = "wang.li"
amount = 180000  # 预计合同额

[contact]
name = "张伟"
"""
DAY0 = date(2024, 1, 1)


def entry(day: int, kind: str, note: str) -> str:
    return f'\n[[log]]\ndate = {DAY0 + timedelta(days=day)}\nkind = "{kind}"\nnote = "{note}"\n'


def sides(n: int, old: int = 50) -> tuple[bytes, bytes, bytes]:
    """Base with ``old`` entries; ours and theirs each append ``n`` more, interleaved by date."""
    base = HEAD + "".join(entry(i, "visit", f"旧记录 {i}") for i in range(old))
    ours = base.replace("amount = 180000", "amount = 250000") + "".join(
        entry(old + 2 * i, "call", f"我方 {i}") for i in range(n)
    )
    corrected = base.replace('note = "旧记录 3"', 'note = "旧记录 3 (更正)"')
    theirs = corrected.replace(entry(7, "visit", "旧记录 7"), "") + "".join(
        entry(old + 2 * i + 1, "email", f"对方 {i}") for i in range(n)
    )
    return base.encode(), ours.encode(), theirs.encode()


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def driver(base: bytes, ours: bytes, theirs: bytes) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="tuiboard-bench-") as tmp:
        paths = [Path(tmp, name) for name in ("base", "ours", "theirs")]
        for path, data in zip(paths, (base, ours, theirs), strict=True):
            path.write_bytes(data)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-I", "-m", "tuiboard", "merge-file", *map(str, paths)])
        return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="2000,6000", help="entries each side appends")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-driver", action="store_true", help="skip the driver process")
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        base, ours, theirs = sides(n)
        texts = [raw.decode() for raw in (base, ours, theirs)]
        parse = timed(lambda texts=texts: [tomllib.loads(t) for t in texts], args.repeat)
        keep = timed(lambda t=texts[1]: tomlkit.dumps(tomlkit.parse(t)), args.repeat)
        result = merge_customer(base, ours, theirs)
        assert result.clean, result.conflicts
        data = tomllib.loads(result.data.decode())
        assert len(data["log"]) == 50 - 1 + 2 * n and data["amount"] == 250000
        merge = timed(lambda b=base, o=ours, t=theirs: merge_customer(b, o, t), args.repeat)
        print(
            f"{n:>6,}+{n:,} entries ({len(ours) // 1024:,} KB a side): merge {merge:7.3f} s"
            f" = {merge / parse:6.1f}x tomllib floor ({parse * 1000:6.1f} ms),"
            f" {merge / keep:5.1f}x tomlkit parse+dump ({keep * 1000:6.1f} ms)"
        )
        if not args.no_driver:
            took, code = driver(base, ours, theirs)
            print(f"{'':>16}driver process {took:7.3f} s (exit {code})")


if __name__ == "__main__":
    main()
