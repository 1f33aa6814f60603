"""SIGKILL an editing process at random moments: no customer file is ever half-written.

The editors are forked by `edit_loop.py` (one process that imported everything once), so
hundreds of kills fit in seconds. After each kill the whole folder is checked against the
editor's journal: each file holds exactly what it held before the interrupted write or
exactly what that write meant to put there.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pytest

from pipeline.config import Config
from pipeline.demo import write_demo
from pipeline.format import parse_customer
from pipeline.model import Fingerprint
from pipeline.store import Store, is_customer_file
from tests.conftest import TODAY

from .conftest import HAND_WRITTEN
from .edit_loop import digest

if TYPE_CHECKING:
    from .conftest import Level, Tally

EDIT_LOOP = Path(__file__).with_name("edit_loop.py")
MAX_DELAY_S = 0.01  # after a write began, a kill within this lands mid-write often


def lines(stream: IO[str]) -> Iterator[str]:
    """The zygote's lines; a closed pipe means it died, which fails the test."""
    while line := stream.readline():
        yield line.rstrip("\n")
    raise AssertionError("the edit loop exited")


def journal_of_one_editor(out: Iterator[str], pid: int) -> list[list[str]]:
    """Every journal line the killed editor wrote, up to the zygote's ``reaped`` line."""
    entries = []
    for line in out:
        word, *rest = line.split(" ")
        assert word != "crashed", line  # the editor died of an exception, not of our kill
        if word == "reaped":
            assert rest == [str(pid), str(-signal.SIGKILL)], line
            return entries
        entries.append([word, *rest])
    raise AssertionError("unreachable")


def wait_for_writes(out: Iterator[str], writes: int, *, mid_write: bool) -> list[list[str]]:
    """Read the editor's journal until it has completed ``writes`` writes (and, with
    ``mid_write``, begun the next one); the lines read, for the journal."""
    seen: list[list[str]] = []
    done = 0
    while done < writes or (mid_write and (not seen or seen[-1][0] != "begin")):
        word, *rest = next(out).split(" ")
        assert word not in ("crashed", "reaped"), [word, *rest]
        seen.append([word, *rest])
        done += word == "done"
    return seen


def customer_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if is_customer_file(p.name)}


class Folder:
    """What each customer file may hold, learnt from the journal."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root, self.config = root, config
        self.folder = root / "customers"
        self.known = {name: digest(raw) for name, raw in customer_files(self.folder).items()}
        self.writes = self.torn_writes_possible = 0

    def check_after_kill(self, entries: list[list[str]]) -> None:
        pending: tuple[str, str, str] | None = None  # (name or "+", before, after)
        for word, name, *digests in entries[1:]:  # entries[0] is "editor PID"
            if word == "begin":
                assert pending is None, entries
                pending = (name, *digests)  # type: ignore[assignment]
            else:
                assert pending is not None and pending[0] in (name, "+"), entries
                self.known[name] = pending[2]
                pending = None
                self.writes += 1
        files = customer_files(self.folder)
        now = {name: digest(raw) for name, raw in files.items()}
        for name, raw in files.items():  # every customer file parses, without an error
            customer, problems = parse_customer(raw, self.folder / name, self.config)
            assert customer is not None and not any(p.is_error for p in problems), (name, problems)
        if pending is not None:
            self.torn_writes_possible += 1
            name, before, after = pending
            if name == "+":  # a new file: absent, or complete
                new = set(now) - set(self.known)
                assert len(new) <= 1 and all(now[n] == after for n in new), (new, pending)
                self.known.update({n: now[n] for n in new})
            else:
                assert now[name] in (before, after), f"{name} is neither before nor after the write"
                self.known[name] = now[name]
        assert now == self.known, "a file changed that the editor was not writing"
        self.check_store(files)

    def check_store(self, files: dict[str, bytes]) -> None:
        """The store (through the cache the editors kept) sees exactly the customer files."""
        board = Store(self.root).load()
        assert not board.errors, board.errors
        assert {c.path.name for c in board.customers.values()} == set(files)
        for customer in board.customers.values():
            fp, on_disk = customer.fingerprint, Fingerprint.of(files[customer.path.name], 0)
            assert fp is not None and (fp.size, fp.digest) == (on_disk.size, on_disk.digest)

    def leftover_temp_files(self) -> int:
        return sum(1 for p in self.folder.iterdir() if not is_customer_file(p.name))


@pytest.mark.long(13)
def test_sigkill_mid_edit_never_leaves_a_torn_file(
    level: Level, tmp_path: Path, tally: Tally, config: Config
) -> None:
    root = tmp_path / "pipe"
    write_demo(root, 24, 5, TODAY)
    (root / "customers" / "hand-written.toml").write_text(HAND_WRITTEN, encoding="utf-8")
    state = Folder(root, config)
    rng = random.Random(level.name)
    zygote = subprocess.Popen(
        [sys.executable, str(EDIT_LOOP), str(root), str(tmp_path / "scratch")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    out = lines(zygote.stdout)
    editor: int | None = None  # forked and not yet reaped
    least_writes = 0  # the writes the kills waited for: the editors wrote at least these
    try:
        assert next(out) == "ready"
        for seed in range(level.kills):
            zygote.stdin.write(f"go {seed}\n")
            zygote.stdin.flush()
            word, pid = next(out).split(" ")
            assert word == "editor"
            editor = int(pid)
            # The moment of the crash, counted in the editor's own steps rather than in
            # seconds (a loaded machine is slow, not wrong): after a few completed writes,
            # and for half the kills right after a write began.
            completed = rng.randrange(3)
            seen = wait_for_writes(out, completed, mid_write=rng.random() < 0.5)
            time.sleep(rng.uniform(0, MAX_DELAY_S))
            os.kill(editor, signal.SIGKILL)
            journal = seen + journal_of_one_editor(out, editor)
            editor = None
            state.check_after_kill([[word, pid], *journal])
            least_writes += completed
    finally:  # on a failure too: no editor or zygote outlives the test
        if editor is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(editor, signal.SIGKILL)
        zygote.stdin.close()
        zygote.wait(timeout=30)
    assert state.writes >= least_writes > level.kills // 2, "the journal lost completed writes"
    assert state.torn_writes_possible > level.kills // 4, "few kills landed during a write"
    tally.add("crash: editors SIGKILLed, folder intact", level.kills)
    tally.add("crash: kills during a write", state.torn_writes_possible)
    tally.add("crash: writes completed", state.writes)
    tally.add("crash: temp files left by kills, ignored", state.leftover_temp_files())
