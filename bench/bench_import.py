"""`tuiboard import` of a generated spreadsheet: every row a new customer, then the same file again.

For each size an XLSX (or CSV) of that many rows is generated in a temporary directory (not
timed, removed afterwards) and imported into an empty folder, then imported again (every row
unchanged). Each run is a fresh interpreter, as a real `tuiboard import` is. The floor is
reading the same file alone in a fresh interpreter (openpyxl read-only, or the csv module).
The ratios are of CPU time (the children's user + system), which a busy machine shares out
but does not change, and say how much the import adds to reading the file. An import that
is linear keeps its CPU per row as the size grows.

    .venv/bin/python bench/bench_import.py [--sizes 4000,100000] [--format xlsx|csv]

``--code DIR`` runs the import from another checkout (e.g. ``git archive main``) to compare
with the code before a change. ``--tmp DIR`` puts the files elsewhere: every new customer
file costs two fsyncs (file and folder), about 8 ms on the 2-core test machine's disk, so
on ``/dev/shm`` (where fsync returns at once) the figures are the import's own work.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.config import preset_text

_FLOOR = {
    "xlsx": """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
""",
    "csv": """
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as fh:
    rows = list(csv.reader(fh))
""",
}
_IMPORT = "import sys; from tuiboard.cli import main; sys.argv[0] = 'tuiboard'; main()"
HEADER = [
    "name",
    "stage",
    "tier",
    "owner",
    "amount",
    "probability",
    "contact.phone",
    "next.action",
    "next.due",
]
STAGES = ["target", "potential", "intent", "project"]


def rows(n: int) -> list[list[object]]:
    rng = random.Random(n)
    return [
        [
            f"测试客户{i:06d}有限公司",
            rng.choice(STAGES),
            rng.choice("ABC"),
            rng.choice(["li.na", "wang.wei", "zhang.min"]),
            rng.randrange(1, 500) * 1000,
            rng.choice([10, 30, 50, 70]),
            f"0512-{rng.randrange(10**7, 10**8)}",
            "电话回访",
            f"2026-12-{rng.randrange(1, 29):02d}",
        ]
        for i in range(n)
    ]


def write_table(path: Path, n: int) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows(n))
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("customers")
    sheet.append(HEADER)
    for row in rows(n):
        sheet.append(row)
    book.save(path)


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of a child, and its last line of output."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    # run where the files are: with -c the current directory comes first on sys.path, and a
    # checkout's own folder there would win over --code
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, (done.stdout.strip().splitlines() or [""])[-1]


def bench(n: int, fmt: str, code: Path | None, work: Path) -> dict[str, object]:
    table = work / f"rows-{n}.{fmt}"
    write_table(table, n)
    root = work / f"folder-{n}"
    (root / "customers").mkdir(parents=True)
    (root / "pipeline.toml").write_text(preset_text("seven-stage"), encoding="utf-8")
    env = dict(os.environ, TUIBOARD_TODAY="2026-11-23")
    if code is not None:
        env["PYTHONPATH"] = str(code)
    floor = timed([sys.executable, "-c", _FLOOR[fmt], str(table)], env, work)
    first = timed([sys.executable, "-c", _IMPORT, "-C", str(root), "import", str(table)], env, work)
    assert first[2].startswith(f"{n} created"), first[2]
    again = timed([sys.executable, "-c", _IMPORT, "-C", str(root), "import", str(table)], env, work)
    assert f"{n} unchanged" in again[2], again[2]
    return {"floor": floor[:2], "create": first[:2], "unchanged": again[:2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="4000,100000")
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--code", type=Path, help="import the code from this checkout instead")
    parser.add_argument("--tmp", type=Path, help="the temporary directory's parent (default: the system's)")
    args = parser.parse_args()
    print("seconds as wall / CPU (user + system); ratios are CPU over the floor's CPU")
    heads = ("rows", "floor", "create", "×floor", "again", "×floor", "CPU ms/row")
    widths = (8, 12, 13, 7, 12, 7, 10)
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True)))
    with tempfile.TemporaryDirectory(prefix="bench-import-", dir=args.tmp) as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            r = bench(n, args.format, args.code, Path(tmp))
            (_, floor), (_, create), (_, again) = r["floor"], r["create"], r["unchanged"]
            cells = [
                str(n),
                "{:.2f}/{:.2f}".format(*r["floor"]),
                "{:.2f}/{:.2f}".format(*r["create"]),
                f"{create / floor:.1f}",
                "{:.2f}/{:.2f}".format(*r["unchanged"]),
                f"{again / floor:.1f}",
                f"{create / n * 1000:.2f}",
            ]
            print(" ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)), flush=True)


if __name__ == "__main__":
    main()
