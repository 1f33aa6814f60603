"""Concurrent writers on one customer: every write that was acknowledged is in the file.

Three real processes write to the same customer at once, round after round. A CLI writer
runs the whole `tuiboard log` command in-process each round (load, resolve, write), so
that a round costs milliseconds rather than an interpreter start; a board-style writer
(the import helper's path too) edits the customer it read and accepts a refusal. What is
checked is what a rep relies on: a write that said "done" is never lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY, write_customer

from pipeline.store import Store

ROUNDS = 60  # per writer; on the old code 3 CLI writers lost 1-2 of ~66 acknowledged writes
START = 'name = "Acme"\nstage = "target"\n\n[[history]]\ndate = 2026-11-01\nstage = "target"\n'


def cli_writer(root: str, tag: str, rounds: int) -> None:
    """`tuiboard log acme call TAG-N`, N = 0..rounds-1; prints ``ok NOTE`` or ``refused NOTE``."""
    from tuiboard.cli import main

    for n in range(rounds):
        note = f"{tag}-{n}"
        try:
            main(["-C", root, "log", "acme", "call", note], prog_name="tuiboard")
            code: object = 0
        except SystemExit as exc:
            code = exc.code
        print(f"{'ok' if code in (0, None) else 'refused'} {note}", flush=True)


def board_writer(root: str, tag: str, rounds: int) -> None:
    """What the board and import do: edit the customer as last read; a conflict is a refusal."""
    from pipeline import actions
    from pipeline.errors import ConflictError

    store = Store(Path(root))
    store.load()
    for n in range(rounds):
        note = f"{tag}-{n}"
        customer = store.reload([store.customers_dir / "acme.toml"]).board.customers["acme"]
        try:
            actions.log(store, customer, "call", note, TODAY)
            print(f"ok {note}", flush=True)
        except ConflictError:
            print(f"refused {note}", flush=True)


WRITERS = {"cli": cli_writer, "board": board_writer}


def run_writers(root: Path, kinds: list[str], rounds: int) -> tuple[list[str], list[str]]:
    """Start one process per kind, let them go at once; (acknowledged notes, refused notes)."""
    procs = []
    # The child runs this file as a script: its folder is on sys.path, the checkout (for the
    # `tests` package conftest imports) is not.
    paths = [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    for i, kind in enumerate(kinds):
        cmd = [sys.executable, __file__, kind, str(root), f"{kind}{i}", str(rounds)]
        with open(root.parent / f"{kind}{i}.stderr", "w") as err:  # refusals say why there
            procs.append(
                subprocess.Popen(
                    cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, env=env
                )
            )
    for proc in procs:  # each says "ready" once imported, then waits for one line
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    ok: list[str] = []
    refused: list[str] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, out
        for line in out.splitlines():  # the CLI's own "Acme: logged call" lines are skipped
            verdict, _, note = line.partition(" ")
            if verdict in ("ok", "refused"):
                (ok if verdict == "ok" else refused).append(note)
    return ok, refused


def notes_in_file(root: Path) -> list[str]:
    customer = Store(root, use_cache=False).load().customers["acme"]
    assert customer.problems == ()
    return [entry.note for entry in customer.log]


@pytest.mark.parametrize(
    ("kinds", "rounds"), [(["cli", "cli", "cli"], ROUNDS), (["cli", "board", "board"], 30)]
)
def test_no_acknowledged_write_is_lost(folder: Path, kinds: list[str], rounds: int) -> None:
    write_customer(folder, "acme", START)
    ok, refused = run_writers(folder, kinds, rounds)
    found = notes_in_file(folder)
    assert len(ok) + len(refused) == len(kinds) * rounds
    missing = sorted(set(ok) - set(found))
    assert missing == [], f"{len(missing)} of {len(ok)} acknowledged writes are missing"
    assert sorted(found) == sorted(ok)  # nothing refused was written, nothing twice
    cli_notes = [note for note in ok + refused if note.startswith("cli")]
    assert all(note in ok for note in cli_notes)  # the CLI re-reads and applies once more


if __name__ == "__main__":
    kind, root, tag, rounds = sys.argv[1:]
    os.environ.setdefault("TUIBOARD_TODAY", "2026-11-23")
    print("ready", flush=True)
    sys.stdin.readline()
    WRITERS[kind](root, tag, int(rounds))
