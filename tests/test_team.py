"""A team on one remote: reps edit at random through the CLI and sync in random order.

A model predicts every sync: a field one side changed since the last sync takes that
side's value, log and history entries are the union, the stage follows the latest history
entry, and a field both sides changed is a true conflict that `sync` must stop on. The
test settles each conflict with `tuiboard resolve` (a random side per field) and then
checks, after every sync, that the clone holds exactly what the model says: no log entry,
move or value lost, nothing picked silently. At the end every clone equals the remote.

Every other rep rebases (`git config tuiboard.rebase true`) instead of merging; the model is
the same, and "ours" stays the rep's own side in a rebase's conflicts.

CI runs 5 reps x 40 rounds; `pytest -m soak` runs more reps, rounds and seeds
(`TUIBOARD_SOAK=N` multiplies the rounds).
"""

from __future__ import annotations

import os
import random
import time
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_preset
from pipeline.edit import SetKey, edit_customer
from pipeline.gitrepo import Repo
from pipeline.model import LOG_KINDS
from pipeline.settle import load_conflict
from pipeline.store import Store
from tests.gitteam import git, make_team, ok, tb, tree

FIELDS = ("amount", "next.action", "next.due")
AFTER_SALES = load_preset("seven-stage").after_sales[0]  # what a win makes the next action
STAGES = ("target", "potential", "intent", "project", "approved", "negotiation", "won", "lost")
FIRST_MOVE = date(2026, 12, 1)  # the reps' days (`Team.day`) start after the pinned today


@dataclass(frozen=True)
class Cust:
    name: str
    fields: dict[str, Any]  # FIELDS -> value (missing: unset)
    logs: frozenset[str]  # notes, each written once by one rep
    history: frozenset[tuple[str, str]]  # (date, stage)

    @property
    def stage(self) -> str:
        return max(self.history)[1]


State = dict[str, Cust]


def read(folder: Path) -> State:
    """A clone's customers as the model sees them; entries must be there exactly once."""
    out: State = {}
    for path in sorted((folder / "customers").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        nxt = data.get("next", {})
        values = {"amount": data.get("amount"), "next.action": nxt.get("action"), "next.due": nxt.get("due")}
        notes = [e["note"] for e in data.get("log", [])]
        moves = [(e["date"].isoformat(), e["stage"]) for e in data.get("history", [])]
        assert len(notes) == len(set(notes)), f"{path.name}: a log entry twice"
        assert len(moves) == len(set(moves)), f"{path.name}: a history entry twice"
        cust = Cust(
            data["name"],
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v is not None},
            frozenset(notes),
            frozenset(moves),
        )
        assert data["stage"] == cust.stage, f"{path.name}: stage {data['stage']}, history {cust.stage}"
        out[path.stem] = cust
    return out


Conflicts = dict[tuple[str, str], tuple[Any, Any]]


def merge_model(base: State, ours: State, theirs: State) -> tuple[State, Conflicts]:
    """What a sync must produce, and the true conflicts: (customer, field) -> (ours, theirs)."""
    merged: State = {}
    conflicts: Conflicts = {}
    for cid in sorted({*ours, *theirs}):
        o, t = ours.get(cid), theirs.get(cid)
        if o is None or t is None:
            merged[cid] = o or t  # type: ignore[assignment]
            continue
        b = base[cid]
        values = {}
        for f in FIELDS:
            bv, ov, tv = b.fields.get(f), o.fields.get(f), t.fields.get(f)
            if ov == tv or tv == bv:
                value = ov
            elif ov == bv:
                value = tv
            else:
                conflicts[(cid, f)] = (ov, tv)
                value = None  # settled below
            if value is not None:
                values[f] = value
        merged[cid] = Cust(o.name, values, o.logs | t.logs, o.history | t.history)
    return merged, conflicts


@dataclass
class Team:
    folders: list[Path]
    rng: random.Random
    remote: State = field(default_factory=dict)
    local: list[State] = field(default_factory=list)
    base: list[State] = field(default_factory=list)
    counter: int = 0
    tally: dict[str, int] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)  # every log entry any rep wrote
    moves: set[tuple[str, str, str]] = field(default_factory=set)  # every move any rep made
    created: set[tuple[str, str, str]] = field(default_factory=set)  # every new customer's first entry

    def count(self, what: str) -> None:
        self.tally[what] = self.tally.get(what, 0) + 1

    def tick(self) -> int:
        self.counter += 1
        return self.counter

    def day(self) -> str:
        """A day later than any before: the reps' today (a move or an activity is dated when
        it happens, never later), which the next `new` records as well."""
        today = (FIRST_MOVE + timedelta(days=self.tick())).isoformat()
        os.environ["TUIBOARD_TODAY"] = today  # put back by the git_env fixture's monkeypatch
        return today

    # -- edits ----------------------------------------------------------------------------

    def edit(self, k: int) -> None:
        folder, state = self.folders[k], self.local[k]
        if not state or self.rng.random() < 0.08:
            n = self.tick()
            name = f"客户{k}-{n}"
            path = Path(ok(folder, "new", name, "--amount", str(n * 1000)).strip())
            created = (os.environ["TUIBOARD_TODAY"], "target")
            state[path.stem] = Cust(name, {"amount": n * 1000}, frozenset(), frozenset({created}))
            self.created.add((path.stem, *created))
            self.count("new")
            return
        cid = self.rng.choice(sorted(state))
        cust = state[cid]
        kind = self.rng.choice(("move", "log", "log", "next", "amount"))
        if kind == "move":
            target = self.rng.choice([s for s in STAGES if s != cust.stage])
            when = self.day()
            ok(folder, "move", cid, target, "--date", when, "--reason", "预算不足")
            fields = cust.fields
            if target == "won":  # the next action becomes the first after-sales step
                due = (date.fromisoformat(when) + timedelta(days=AFTER_SALES.due_days)).isoformat()
                fields = {**fields, "next.action": AFTER_SALES.label, "next.due": due}
            elif target == "lost":  # nothing is next
                fields = {k: v for k, v in fields.items() if not k.startswith("next.")}
            state[cid] = replace(cust, fields=fields, history=cust.history | {(when, target)})
            self.moves.add((cid, when, target))
        elif kind == "log":
            note = f"第{self.tick()}次跟进"
            ok(folder, "log", cid, self.rng.choice(LOG_KINDS), note, "--date", self.day())
            state[cid] = replace(cust, logs=cust.logs | {note})
            self.notes.add(note)
        elif kind == "next":
            action, due = f"动作{self.tick()}", self.day()
            ok(folder, "next", cid, action, "--due", due)
            state[cid] = replace(cust, fields={**cust.fields, "next.action": action, "next.due": due})
        else:
            amount = self.tick() * 1000
            board = Store(folder).load()
            edit_customer(board.customers[cid], board.config, [SetKey(("amount",), amount)])
            state[cid] = replace(cust, fields={**cust.fields, "amount": amount})
        self.count(kind)

    # -- syncs ----------------------------------------------------------------------------

    def sync(self, k: int) -> None:
        folder = self.folders[k]
        predicted, conflicts = merge_model(self.base[k], self.local[k], self.remote)
        result = tb(folder, "sync")
        if not conflicts:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 1 and "conflicts in" in result.output, result.output
            self.settle(k, predicted, conflicts)
            result = tb(folder, "sync")
            concluded = "concluded the rebase" if k % 2 else "concluded the merge"
            assert result.exit_code == 0 and concluded in result.output, result.output
        self.count("sync")
        assert read(folder) == predicted
        self.local[k], self.base[k], self.remote = predicted, dict(predicted), dict(predicted)

    def settle(self, k: int, predicted: State, conflicts: Conflicts) -> None:
        """Every true conflict, and nothing else, is surfaced; each is settled by `resolve`."""
        folder = self.folders[k]
        repo = Repo(folder)
        surfaced: dict[str, set[str]] = {}
        for u in repo.unmerged(repo.scope):
            conflict = load_conflict(repo, u.path)  # "ours" is this rep's, in a rebase too
            assert not conflict.whole_file, (u.path, conflict.reason)
            surfaced[Path(u.path).stem] = {f.field for f in conflict.fields}
        expected: dict[str, set[str]] = {}
        for cid, f in conflicts:
            expected.setdefault(cid, set()).add(f)
        assert surfaced == expected
        for cid, fields in sorted(expected.items()):
            args: list[str] = []
            values = dict(predicted[cid].fields)
            for f in sorted(fields):
                side = self.rng.choice(("ours", "theirs"))
                args += [f"--{side}", f]
                picked = conflicts[(cid, f)][0 if side == "ours" else 1]
                if picked is None:  # that side deleted the field (a lost deal has no next action)
                    values.pop(f, None)
                else:
                    values[f] = picked
                self.count("conflict")
            ok(folder, "resolve", cid, *args)
            predicted[cid] = replace(predicted[cid], fields=values)


def run_team(tmp_path: Path, reps: int, rounds: int, seed: int) -> Team:
    _, folders = make_team(tmp_path, [f"rep{i}.name" for i in range(reps)])
    for folder in folders[1::2]:  # every other rep rebases instead of merging
        git(folder, "config", "tuiboard.rebase", "true")
    rng = random.Random(seed)
    team = Team(folders, rng, local=[{} for _ in folders], base=[{} for _ in folders])
    for _ in range(rounds):
        order = list(range(reps))
        rng.shuffle(order)
        for k in order:
            if rng.random() < 0.8:
                team.edit(k)
            else:
                team.sync(k)
    for k in [*range(reps), *range(reps - 1)]:  # everyone syncs; then all but the last pull again
        team.sync(k)
    final = read(folders[0])
    remote_tree = tree(tmp_path / "origin.git", "main")
    for folder in folders:
        assert tree(folder.parent) == remote_tree
        assert read(folder) == final == team.remote
        assert ok(folder, "sync").strip().endswith("up to date with origin/main")
    assert {n for c in final.values() for n in c.logs} == team.notes  # no log entry lost
    assert {(cid, d, s) for cid, c in final.items() for d, s in c.history} == team.moves | team.created
    return team


@pytest.mark.long(25)
def test_five_reps_forty_rounds_nothing_lost_nothing_picked_silently(git_env: Path) -> None:
    team = run_team(git_env, reps=5, rounds=40, seed=11)
    print(f"\nteam: 5 reps x 40 rounds, {team.tally}")
    assert team.tally["conflict"] >= 3 and team.tally["sync"] >= 40 and team.tally["move"] >= 10


@pytest.mark.soak
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("seed", [1, 2])
def test_soak_team(git_env: Path, seed: int) -> None:
    rounds = int(150 * float(os.environ.get("TUIBOARD_SOAK", "1")))
    start = time.perf_counter()
    team = run_team(git_env, reps=8, rounds=rounds, seed=seed)
    took = time.perf_counter() - start
    print(f"\nteam soak seed {seed}: 8 reps x {rounds} rounds, {team.tally}, {took:.0f} s")
