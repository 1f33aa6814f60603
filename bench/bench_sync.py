"""Time `tuiboard sync` and `tuiboard history` against plain git doing the same work.

    .venv/bin/python bench/bench_sync.py [--customers 10000] [--changed 50] [--commits 200] [--runs 3]

Sync: a 10,000-customer repository on a bare remote; a teammate changed 50 customers and
pushed; this rep changed 5, two of them also changed remotely (so the field-level driver
runs). `tuiboard sync` (commit, fetch, merge through the driver, push) is timed against
the floor: the same commands as plain git (`add`, `commit`, `fetch`, `merge`, `push`,
with the same driver) on an identical clone of an identical remote, in the same run.
Then the board's reload of the merged folder (warm cache) is timed: the issue's target is
the board usable again within 2 s after the fetch.

History: a customer with 200 commits by three reps. `History.timeline` (cold: a new
object; warm: the commit cache) and `tuiboard history` as a process, against two floors:
`git log --oneline` of that file (the least any git-backed timeline costs) and
`git log --follow -p`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 23)
ENV_KEYS = {"GIT_CONFIG_NOSYSTEM": "1", "TUIBOARD_TODAY": TODAY.isoformat()}


def tuiboard() -> list[str]:
    script = Path(sys.executable).with_name("tuiboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tuiboard"]


def run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)


def git(cwd: Path, *args: str) -> None:
    run(["git", "-c", "core.hooksPath=/dev/null", *args], cwd)


def timed(cmds: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for cmd in cmds:
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def append_log(path: Path, note: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f'\n[[log]]\ndate = 2026-11-23\nkind = "call"\nnote = "{note}"\n')


def set_owner(path: Path, owner: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = [ln for ln in text.split("\n") if not ln.startswith("owner = ")]
    lines.insert(1, f'owner = "{owner}"')
    path.write_text("\n".join(lines), encoding="utf-8")


def sync_case(work: Path, customers: int, changed: int, run_no: int) -> tuple[float, float, float]:
    """(tuiboard sync, plain git floor, board reload after the sync) in seconds."""
    from pipeline.demo import write_demo
    from pipeline.store import Store

    seed = work / "seed"
    write_demo(seed, customers, 7, TODAY)
    (seed / ".gitignore").write_text(".tuiboard/\n", encoding="utf-8")
    git(seed, "init", "-q", "-b", "main")
    run([*tuiboard(), "-C", str(seed), "git-setup"], seed)
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "pipeline")
    git(work, "clone", "-q", "--bare", str(seed), "origin.git")
    mate = work / "mate"
    git(work, "clone", "-q", "origin.git", str(mate))
    reps = {}
    for name in ("sync", "floor"):
        git(work, "clone", "-q", "origin.git", str(work / name))
        run([*tuiboard(), "-C", str(work / name), "git-setup"], work / name)
        Store(work / name).load()  # the board had the folder open: a warm cache
        reps[name] = work / name
    files = sorted(p.name for p in (mate / "customers").glob("*.toml"))
    for name in files[:changed]:
        append_log(mate / "customers" / name, f"mate {run_no}")
    git(mate, "commit", "-q", "-am", "mate: 50 customers")
    git(mate, "push", "-q", "origin", "main")
    shutil.copytree(work / "origin.git", work / "origin2.git")
    git(reps["floor"], "remote", "set-url", "origin", str(work / "origin2.git"))
    for folder in reps.values():  # 5 local changes, 2 of them in files the mate changed too
        for name in files[changed - 2 : changed + 3]:
            set_owner(folder / "customers" / name, "李")
    sync = timed([[*tuiboard(), "sync"]], reps["sync"])
    floor = timed(
        [
            ["git", "add", "-A"],
            ["git", "commit", "-q", "-m", "local"],
            ["git", "fetch", "-q", "origin"],
            ["git", "merge", "-q", "--no-edit", "origin/main"],
            ["git", "push", "-q", "origin", "HEAD:main"],
        ],
        reps["floor"],
    )
    start = time.perf_counter()
    board = Store(reps["sync"]).load()
    reload = time.perf_counter() - start
    assert len(board.customers) == customers and not board.errors, "the merged folder must load cleanly"
    return sync, floor, reload


def history_case(work: Path, commits: int) -> tuple[float, float, float, float, float]:
    """(timeline cold, timeline warm, `tuiboard history` process, `git log --oneline` and
    `git log --follow -p` floors)."""
    from pipeline.githistory import History
    from pipeline.gitrepo import Repo

    folder = work / "hist"
    work.mkdir(exist_ok=True)
    run([*tuiboard(), "init", str(folder)], work)
    git(folder, "init", "-q", "-b", "main")
    run([*tuiboard(), "-C", str(folder), "new", "杭州中联", "--amount", "100000"], folder)
    path = next((folder / "customers").glob("*.toml"))
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "new")
    for i in range(commits):
        who = ("wang.li", "zhang.wei", "chen.jing")[i % 3]
        if i % 2:
            append_log(path, f"第{i}次")
        else:
            text = path.read_text(encoding="utf-8").split("\n")
            text = [
                f"amount = {100000 + (i + 1) * 1000}" if ln.startswith("amount = ") else ln for ln in text
            ]
            path.write_text("\n".join(text), encoding="utf-8")
        git(folder, "-c", f"user.name={who}", "commit", "-q", "-am", f"edit {i}")
    repo = Repo(folder)
    rel = repo.rel(path)
    start = time.perf_counter()
    history = History(repo)
    changes = history.timeline(rel)
    cold = time.perf_counter() - start
    assert len(changes) >= commits, len(changes)
    start = time.perf_counter()
    history.timeline(rel)
    warm = time.perf_counter() - start
    process = timed([[*tuiboard(), "history", path.stem]], folder)
    oneline = timed([["git", "log", "--oneline", "--", rel]], folder)
    patches = timed([["git", "log", "--follow", "-p", "--", rel]], folder)
    return cold, warm, process, oneline, patches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--part", choices=("sync", "history", "all"), default="all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        config = work / "gitconfig"
        config.write_text("[user]\n\tname = bench\n\temail = bench@example.invalid\n[gc]\n\tauto = 0\n")
        os.environ.update(ENV_KEYS, GIT_CONFIG_GLOBAL=str(config))
        if args.part != "history":
            sync_figures(work, args)
        if args.part != "sync":
            history_figures(work, args)


def sync_figures(work: Path, args: argparse.Namespace) -> None:
    syncs, floors, reloads = [], [], []
    for n in range(args.runs):
        case = work / f"run{n}"
        case.mkdir()
        sync, floor, reload = sync_case(case, args.customers, args.changed, n)
        syncs.append(sync)
        floors.append(floor)
        reloads.append(reload)
        shutil.rmtree(case)
    s, f, r = (statistics.median(v) for v in (syncs, floors, reloads))
    print(f"sync, {args.customers} customers, {args.changed} changed remotely, 5 locally (2 both):")
    print(f"  tuiboard sync        {s:6.2f} s   {s / f:4.1f}x the floor")
    print(f"  plain git (floor)    {f:6.2f} s   add, commit, fetch, merge, push")
    print(f"  board reload after   {r:6.2f} s   (warm cache; target with the merge: 2 s)")


def history_figures(work: Path, args: argparse.Namespace) -> None:
    runs = [history_case(work / f"hist{n}", args.commits) for n in range(args.runs)]
    cold, warm, process, floor, patches = (statistics.median(v) for v in zip(*runs, strict=True))
    print(f"history of a customer with {args.commits} commits (median of {args.runs}):")
    print(f"  timeline, cold       {cold * 1000:6.0f} ms  {cold / floor:4.1f}x the floor (target 300 ms)")
    print(f"  timeline, cached     {warm * 1000:6.0f} ms  {warm / floor:4.1f}x the floor")
    print(f"  tuiboard history     {process * 1000:6.0f} ms  {process / floor:4.1f}x (a process)")
    print(f"  git log --oneline    {floor * 1000:6.0f} ms  (floor)")
    print(f"  git log --follow -p  {patches * 1000:6.0f} ms  {patches / floor:4.1f}x")


if __name__ == "__main__":
    main()
