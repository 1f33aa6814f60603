"""The child of the crash test: a zygote that forks editors, which edit a board until killed.

Run as ``python edit_loop.py ROOT SCRATCH`` (SCRATCH: a folder for the editors' dry runs).
It imports everything once and prints ``ready``; then each line ``go SEED`` on stdin forks
an editor. The editor loads the folder as the board does and edits it through
`pipeline.edit` in a loop, journalling every write on stdout:

    editor PID                      loaded, about to write
    begin NAME BEFORE AFTER         about to write NAME (digests; BEFORE is "-" for a new file)
    done NAME                       the write returned

The test SIGKILLs the editor at a random moment; the zygote reaps it and prints
``reaped PID EXITCODE``, after which the journal is complete. A journal line is one ``os.write`` of
under PIPE_BUF bytes, so a kill never tears one.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sys
import traceback
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline import edit, rules
from pipeline.canonical import dump_customer
from pipeline.config import Config
from pipeline.model import LOG_KINDS, Customer
from pipeline.store import Store

TODAY = date(2026, 11, 23)
NOTES = ("聊了预算", "sent the quote # not a comment", '客户说："下周再谈"', "多行\n备注", "")


def digest(raw: bytes | None) -> str:
    return "-" if raw is None else hashlib.blake2b(raw, digest_size=12).hexdigest()


def random_changes(rng: random.Random, customer: Customer, config: Config) -> list[edit.Change] | None:
    """A move, next action or log entry for ``customer``, as the board makes them; None if the
    drawn move is not allowed."""
    kind = rng.choice(("move", "next", "log"))
    if kind == "next":
        return edit.next_changes(rng.choice(("回访", "send the contract", "约见决策人")), TODAY)
    if kind == "log":
        return edit.log_changes(rng.choice(LOG_KINDS), rng.choice(NOTES), TODAY)
    target = rng.choice(config.stage_ids)
    reason = rng.choice(config.lost_reasons) if config.lost_reasons else "价格"
    try:
        return edit.move_changes(customer, config, target, TODAY, reason)
    except rules.TransitionError:
        return None


def new_customer(rng: random.Random, config: Config) -> dict[str, Any]:
    stage = rng.choice([s.id for s in config.open_stages])
    return {
        "name": f"新客户 {rng.randrange(10**6)}",
        "stage": stage,
        "amount": rng.randrange(1, 500) * 1000,
        "created": TODAY,
        "next": {"action": "首次拜访", "due": TODAY + timedelta(days=rng.randrange(1, 30))},
        "history": [{"date": TODAY, "stage": stage}],
    }


def dry_run(customer: Customer, config: Config, changes: list[edit.Change], scratch: Path) -> bytes:
    """The bytes this edit will write, from the same edit applied to a private copy."""
    copy = scratch / customer.path.name
    shutil.copyfile(customer.path, copy)
    return edit.edit_customer(replace(customer, path=copy), config, changes).after


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def edit_forever(root: Path, scratch_root: Path, seed: int) -> None:
    """One editor: load as the board does, then write until killed."""
    rng = random.Random(seed)
    store = Store(root)
    store.load()
    config = store.config
    scratch = scratch_root / f"editor-{seed}"
    scratch.mkdir(parents=True)
    say(f"editor {os.getpid()}")
    while True:
        board = store.board()
        if rng.random() < 0.1:
            data = new_customer(rng, config)
            say(f"begin + - {digest(dump_customer(data).encode())}")
            result = edit.create_customer(root, config, data)
        else:
            customer = board.customers[rng.choice(sorted(board.customers))]
            changes = random_changes(rng, customer, config)
            if changes is None:
                continue
            after = dry_run(customer, config, changes, scratch)
            say(f"begin {customer.path.name} {digest(customer.path.read_bytes())} {digest(after)}")
            result = edit.edit_customer(customer, config, changes)
        store.note_written(result.customer)
        say(f"done {result.customer.path.name}")


def serve(root: Path, scratch: Path) -> None:
    say("ready")
    for line in sys.stdin:
        _, seed = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                edit_forever(root, scratch, int(seed))
            except BaseException:
                say("crashed " + traceback.format_exc().replace("\n", " | ")[-3000:])
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        say(f"reaped {pid} {os.waitstatus_to_exitcode(status)}")


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))
