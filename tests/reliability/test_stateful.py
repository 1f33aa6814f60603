"""Model-based: board edits interleaved with outside edits, git checkouts and reloads.

The model is the disk itself plus what the board last read of each file. A board write
whose view is stale must be refused (ConflictError) and leave the outside bytes alone; a
write from a fresh view must land exactly. After a rescan the board equals a fresh load,
and every file holds exactly what its last writer (the board or the world) put there.
"""

from __future__ import annotations

import os
import random
import subprocess
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from pipeline import edit, rules
from pipeline.config import Config
from pipeline.demo import write_demo
from pipeline.store import Board, Store, is_customer_file
from tests.conftest import TODAY

from .conftest import HAND_WRITTEN
from .edit_loop import new_customer, random_changes

if TYPE_CHECKING:
    from .conftest import Level, Tally

BROKEN = b'name = "half a file\nstage = = \n'


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def make_repo(root: Path) -> None:
    """A folder in git with two branches that differ: a file changed, one added, one deleted."""
    write_demo(root, 8, 11, TODAY)
    (root / "customers" / "hand-written.toml").write_text(HAND_WRITTEN, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    git(root, "checkout", "-qb", "other")
    files = sorted((root / "customers").glob("*.toml"))
    files[0].write_bytes(files[0].read_bytes() + b"\n# changed on the other branch\n")
    files[1].unlink()
    (root / "customers" / "only-on-other.toml").write_text('name = "Other Co"\nstage = "target"\n')
    git(root, "add", "-A")
    git(root, "commit", "-qm", "other")
    git(root, "checkout", "-q", "main")


def view(board: Board) -> tuple[dict[str, Any], dict[Path, Any]]:
    """What a board shows, comparable: each file's data and digest, and every problem.

    A broken file's last good customer is only in a long-lived board, so customers with an
    error are left out (their problems are compared).
    """
    customers = {
        cid: (c.data, c.fingerprint.digest if c.fingerprint else None)
        for cid, c in board.customers.items()
        if not any(p.is_error for p in board.problems_for(cid))
    }
    return customers, dict(board.problems_by_file)


class BoardAgainstTheWorld(RuleBasedStateMachine):
    def __init__(self, root: Path, config: Config, tally: Tally) -> None:
        super().__init__()
        self.root, self.config, self.tally = root, config, tally
        self.folder = root / "customers"
        make_repo(root)
        self.branch = "main"  # make_repo leaves main checked out
        self.expected = self._disk()  # each file's bytes as its last writer left them
        self.store = Store(root)
        self.board = self.store.load()
        self.seen = dict(self.expected)  # what the store last read of each file
        self.undo: list[tuple[Path, bytes | None, bytes]] = []
        self.broken: dict[str, bytes] = {}
        self.rng = random.Random(0)
        self.serial = count()
        tally.add("stateful: runs")

    def _disk(self) -> dict[str, bytes]:
        """The customer files; git removes customers/ itself when a checkout empties it."""
        if not self.folder.exists():
            return {}
        return {p.name: p.read_bytes() for p in self.folder.iterdir() if is_customer_file(p.name)}

    def _did(self, what: str) -> None:
        self.tally.add("stateful: steps")
        self.tally.add(f"stateful: step {what}")

    def _pick(self, data: st.DataObject, names: Any) -> str:
        return data.draw(st.sampled_from(sorted(names)))

    def _outside_wrote(self, *names: str) -> None:
        """The world changed these files: from now on they must hold what it left."""
        disk = self._disk()
        for name in names:
            if name in disk:
                self.expected[name] = disk[name]
            else:
                self.expected.pop(name, None)

    # -- board operations -------------------------------------------------------------

    @precondition(lambda self: self.board.customers)
    @rule(data=st.data(), kind=st.sampled_from(["edit", "edit", "won", "lost"]))
    def board_edit(self, data: st.DataObject, kind: str) -> None:
        """move / next / log (or won / lost) on the card the board shows, stale or not."""
        customer = self.board.customers[self._pick(data, self.board.customers)]
        self.rng.seed(data.draw(st.integers(0, 2**16)))
        stage = self.config.won_stage if kind == "won" else self.config.lost_stage
        changes = None
        if kind == "edit":
            changes = random_changes(self.rng, customer, self.config)
        elif stage is not None and customer.stage != stage.id:
            try:
                changes = edit.move_changes(customer, self.config, stage.id, TODAY, "价格")
            except rules.TransitionError:
                changes = None
        if changes is None:  # a move the rules refuse: log a call instead
            changes = edit.log_changes("call", "聊了", TODAY)
        name = customer.path.name
        on_disk = self._disk().get(name)
        stale = on_disk != self.seen.get(name)
        try:
            result = edit.edit_customer(customer, self.config, changes)
        except edit.WriteError as exc:
            assert self._disk().get(name) == on_disk, "a refused write changed the file"
            if stale and not customer.has_errors:
                assert isinstance(exc, edit.ConflictError), exc
            self._did(f"board {kind}: refused{' (stale view)' if stale else ''}")
            return
        assert not stale, f"{name}: an outside edit was overwritten"
        assert result.before == on_disk
        self._wrote(name, result)
        self._did(f"board {kind}")

    @rule(data=st.data())
    def board_new(self, data: st.DataObject) -> None:
        self.rng.seed(data.draw(st.integers(0, 2**16)))
        existing = set(self._disk())
        result = edit.create_customer(self.root, self.config, new_customer(self.rng, self.config))
        assert result.customer.path.name not in existing
        self._wrote(result.customer.path.name, result)
        self._did("board new")

    def _wrote(self, name: str, result: edit.WriteResult) -> None:
        assert self._disk()[name] == result.after
        self.expected[name] = result.after
        self.store.note_written(result.customer)
        self.board = self.store.board()
        self.seen[name] = result.after
        self.undo.append((result.customer.path, result.before, result.after))

    @precondition(lambda self: self.undo)
    @rule()
    def board_undo(self) -> None:
        path, before, after = self.undo.pop()
        on_disk = self._disk().get(path.name)
        try:
            customer = edit.restore(path, before, after, self.config)
        except edit.ConflictError:
            assert on_disk != after, "undo refused although the file was as written"
            assert self._disk().get(path.name) == on_disk
            self._did("board undo: refused")
            return
        assert on_disk == after, "undo overwrote an outside edit"
        assert self._disk().get(path.name) == before
        if customer is None:
            self.board = self.store.reload([path]).board
            self.seen.pop(path.name, None)
            self.expected.pop(path.name)
        else:
            assert before is not None
            self.store.note_written(customer)
            self.board = self.store.board()
            self.seen[path.name] = self.expected[path.name] = before
        self._did("board undo")

    # -- the outside world ------------------------------------------------------------

    @precondition(lambda self: self._disk())
    @rule(data=st.data(), how=st.sampled_from(["in place", "vim"]))
    def outside_rewrite(self, data: st.DataObject, how: str) -> None:
        """A hand edit: a comment appended (the size always changes), saved in place or vim-style."""
        name = self._pick(data, self._disk())
        path = self.folder / name
        new = path.read_bytes() + f"\n# edited outside {next(self.serial)}\n".encode()
        if how == "in place":
            with open(path, "r+b") as fh:
                fh.write(new)
                fh.truncate()
        else:  # vim's default: write a new file, then rename it over the old one
            tmp = self.folder / f".{name}.swp"
            tmp.write_bytes(new)
            os.replace(tmp, path)
        self._outside_wrote(name)
        self._did(f"outside rewrite {how}")

    @precondition(lambda self: self._disk())
    @rule(data=st.data())
    def outside_delete(self, data: st.DataObject) -> None:
        name = self._pick(data, self._disk())
        (self.folder / name).unlink()
        self._outside_wrote(name)
        self._did("outside delete")

    @precondition(lambda self: self._disk())
    @rule(data=st.data())
    def outside_rename(self, data: st.DataObject) -> None:
        name = self._pick(data, self._disk())
        new = f"renamed-{next(self.serial)}.toml"
        os.rename(self.folder / name, self.folder / new)
        self._outside_wrote(name, new)
        self._did("outside rename")

    @rule()
    def outside_git_checkout(self) -> None:
        """Commit whatever is there, then switch to the other branch: many files change at once."""
        before = self._disk()
        git(self.root, "add", "-A")
        git(self.root, "commit", "-qm", "step", "--allow-empty")
        self.branch = "other" if self.branch == "main" else "main"
        git(self.root, "checkout", "-q", self.branch)
        after = self._disk()
        self._outside_wrote(*(n for n in before.keys() | after.keys() if before.get(n) != after.get(n)))
        self._did("outside git checkout")

    @precondition(lambda self: set(self._disk()) - set(self.broken))
    @rule(data=st.data())
    def outside_break(self, data: st.DataObject) -> None:
        name = self._pick(data, set(self._disk()) - set(self.broken))
        path = self.folder / name
        self.broken[name] = path.read_bytes()
        path.write_bytes(BROKEN)
        self._outside_wrote(name)
        self._did("outside break")

    @precondition(lambda self: self.broken)
    @rule(data=st.data())
    def outside_fix(self, data: st.DataObject) -> None:
        name = self._pick(data, self.broken)
        good = self.broken.pop(name) + f"\n# fixed {next(self.serial)}\n".encode()
        (self.folder / name).write_bytes(good)
        self._outside_wrote(name)
        self._did("outside fix")

    # -- reloads ----------------------------------------------------------------------

    @rule(data=st.data())
    def reload_some(self, data: st.DataObject) -> None:
        """What the watcher does: reload the paths it heard about (maybe not all of them)."""
        names = set(self._disk()) | set(self.seen)
        picked = data.draw(st.sets(st.sampled_from(sorted(names)), max_size=4)) if names else set()
        self.board = self.store.reload([self.folder / n for n in picked]).board
        disk = self._disk()
        for name in picked:
            if name in disk:
                self.seen[name] = disk[name]
            else:
                self.seen.pop(name, None)
        self._did("reload some")

    @rule()
    def settle(self) -> None:
        """The watcher's safety net: a rescan; then the board is what a fresh load shows."""
        self.board = self.store.rescan().board
        self.seen = self._disk()
        fresh = Store(self.root, use_cache=False).load()
        assert view(self.board) == view(fresh)
        assert view(Store(self.root).load()) == view(fresh), "the cache disagrees with the disk"
        self._did("settle (rescan)")

    @invariant()
    def every_file_holds_what_its_last_writer_left(self) -> None:
        """Files the board never wrote keep the world's bytes (the originals, if untouched)."""
        disk = self._disk()
        wrong = {n for n in disk.keys() | self.expected.keys() if disk.get(n) != self.expected.get(n)}
        assert not wrong, f"changed behind the last writer's back: {sorted(wrong)}"

    def teardown(self) -> None:
        self.settle()


@pytest.mark.long(10)
def test_board_against_the_world(level: Level, tmp_path: Path, tally: Tally, config: Config) -> None:
    """CI: 25 runs of 30 steps; `pytest -m soak`: 400 runs of 80 (`TUIBOARD_SOAK=N` multiplies
    the runs)."""
    runs = count()
    run_state_machine_as_test(
        lambda: BoardAgainstTheWorld(tmp_path / f"run{next(runs)}", config, tally),
        settings=settings(
            max_examples=level.machine_runs,
            stateful_step_count=level.machine_steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert next(runs) >= level.machine_runs
