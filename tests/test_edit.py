"""Writes: hand-written bytes kept (checked with the real git), atomic, refused when unsafe."""

from __future__ import annotations

import difflib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, write_customer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.edit as edit_mod
from pipeline.actions import new_customer_data
from pipeline.config import load_preset
from pipeline.edit import (
    Change,
    ConflictError,
    WriteError,
    atomic_write,
    create_customer,
    edit_customer,
    log_changes,
    move_changes,
    next_changes,
    restore,
    rewrite_customer,
)
from pipeline.errors import UsageError
from pipeline.lock import write_lock
from pipeline.model import Customer, Fingerprint
from pipeline.store import Store
from tests.support import sample

GIT = shutil.which("git")
CONFIG = load_preset("seven-stage")

HAND_WRITTEN = sample("hand-written")


def load(root: Path, cid: str) -> Customer:
    return Store(root, use_cache=False).load().customers[cid]


def git(repo: Path, *args: str) -> str:
    assert GIT, "the git binary is needed"
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    cmd = [GIT, "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args]
    return subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def diff_lines(repo: Path) -> tuple[list[str], list[str]]:
    """The lines ``git diff`` shows removed and added, in order."""
    out = git(repo, "diff", "-U0", "--no-color", "--no-ext-diff")
    body = [ln for ln in out.splitlines() if not ln.startswith(("diff ", "index ", "--- ", "+++ ", "@@"))]
    return [ln[1:] for ln in body if ln.startswith("-")], [ln[1:] for ln in body if ln.startswith("+")]


@pytest.fixture
def repo(folder: Path) -> Path:
    """A pipeline in a real git repository, holding the hand-written file, committed."""
    write_customer(folder, "hand", HAND_WRITTEN)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "hand-written")
    return folder


def history(stage: str, reason: str | None = None) -> list[str]:
    lines = ["[[history]]", f"date = {TODAY}", f'stage = "{stage}"']
    return [*lines, f'reason = "{reason}"'] if reason else lines


EDITS: dict[str, tuple[Callable[[Customer], list[Change]], list[str], list[str]]] = {
    # edit -> (changes, removed lines, added lines, blank lines left out)
    "move": (
        lambda c: move_changes(c, CONFIG, "project", TODAY),
        ['stage = "intent"        # moved by the board'],
        ['stage = "project"        # moved by the board', *history("project")],
    ),
    "next": (
        lambda c: next_changes("寄送合同", date(2026, 12, 1)),
        ['action = "发送修订报价"    # price first', "due = 2026-11-25"],
        ['action = "寄送合同"    # price first', "due = 2026-12-01"],
    ),
    "log": (
        lambda c: log_changes("call", '电话跟进："报价" ok', TODAY),
        [],
        ["[[log]]", f"date = {TODAY}", 'kind = "call"', r'note = "电话跟进：\"报价\" ok"'],
    ),
    "won": (  # the open next action becomes the first after-sales step (seed 002)
        lambda c: move_changes(c, CONFIG, "won", TODAY),
        [
            'stage = "intent"        # moved by the board',
            'action = "发送修订报价"    # price first',
            "due = 2026-11-25",
        ],
        [
            'stage = "won"        # moved by the board',
            f'action = "{CONFIG.after_sales[0].label}"    # price first',
            f"due = {TODAY + timedelta(days=CONFIG.after_sales[0].due_days)}",
            *history("won"),
        ],
    ),
    "lost": (
        lambda c: move_changes(c, CONFIG, "lost", TODAY, "价格太高"),  # nothing is next
        [
            'stage = "intent"        # moved by the board',
            'action = "发送修订报价"    # price first',
            "due = 2026-11-25",
        ],
        [
            'stage = "lost"        # moved by the board',
            'lost_reason = "价格太高"',
            *history("lost", "价格太高"),
        ],
    ),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_git_diff_shows_only_the_changed_lines(repo: Path, kind: str) -> None:
    changes, removed, added = EDITS[kind]
    customer = load(repo, "hand")
    assert customer.problems == ()
    edit_customer(customer, CONFIG, changes(customer))
    got_removed, got_added = diff_lines(repo)
    assert got_removed == removed
    assert [ln for ln in got_added if ln.strip()] == added
    assert len(got_added) - len(added) <= 1  # at most the blank line that separates a new entry
    assert git(repo, "status", "--porcelain") == " M customers/hand.toml\n"  # no stray files
    assert not load(repo, "hand").problems


def test_edits_in_a_row_each_add_only_their_own_lines(repo: Path) -> None:
    for kind in ("next", "log", "move"):
        customer = load(repo, "hand")
        edit_customer(customer, CONFIG, EDITS[kind][0](customer))
    removed, added = diff_lines(repo)
    assert removed == EDITS["move"][1] + EDITS["next"][1]  # in file order
    move_added = EDITS["move"][2]
    assert [ln for ln in added if ln.strip()] == [
        move_added[0],
        *EDITS["next"][2],
        *move_added[1:],
        *EDITS["log"][2],
    ]
    final = load(repo, "hand")
    assert (final.stage, final.next_action, final.log[-1].kind) == ("project", "寄送合同", "call")


def test_crlf_file_stays_crlf(folder: Path) -> None:
    path = folder / "customers" / "win.toml"
    path.write_bytes(
        b'name = "Win"\r\nstage = "target"  # crlf\r\n\r\n[[history]]\r\ndate = 2026-01-05\r\n'
        b'stage = "target"\r\n'
    )
    customer = load(folder, "win")
    edit_customer(customer, CONFIG, move_changes(customer, CONFIG, "potential", TODAY))
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert raw.startswith(b'name = "Win"\r\nstage = "potential"  # crlf\r\n')


# -- the property: untouched lines stay byte-identical ------------------------------------

SAFE_TEXT = st.text(alphabet="abcxyz XYZ019苏州华东精密机械，。-_()！", max_size=12)
SPACE = st.sampled_from(["", " ", "  ", "\t", "   "])
COMMENT = st.one_of(st.just(""), SAFE_TEXT.map(lambda t: f"  # {t}".rstrip()))
BLANKS = st.lists(st.one_of(st.just(""), SAFE_TEXT.map(lambda t: f"# {t}".rstrip())), max_size=2)
VALUE = st.one_of(
    st.integers(-(10**6), 10**9).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n:_}"),
    st.floats(0, 1e6, allow_nan=False).map(repr),
    st.booleans().map(lambda b: str(b).lower()),
    st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(str),
    SAFE_TEXT.map(lambda t: f'"{t}"'),
    SAFE_TEXT.map(lambda t: f"'{t}'"),
    st.lists(SAFE_TEXT.map(lambda t: f'"{t}"'), max_size=3).map(lambda xs: "[ " + ",  ".join(xs) + " ]"),
    st.tuples(SAFE_TEXT, st.integers(0, 99)).map(lambda p: f'{{ label = "{p[0]}", n = {p[1]} }}'),
    SAFE_TEXT.map(lambda t: f'"""\n{t}\n  {t}\n"""'),
)
UNKNOWN_KEYS = ["custom_score", "region_code", "x-flag", '"备注"', "vip_since", "p2"]
OPEN_STAGES = [s.id for s in CONFIG.stages if s.kind == "open"]


def assignment(key: str, value: str) -> st.SearchStrategy[list[str]]:
    """A key line with random spacing and comment, after random blank and comment lines."""
    line = st.tuples(SPACE, SPACE, COMMENT).map(lambda p: f"{key}{p[0]}={p[1]}{value}{p[2]}".split("\n"))
    return st.tuples(BLANKS, line).map(lambda p: p[0] + p[1])


@st.composite
def hand_written(draw: st.DrawFn) -> tuple[str, str]:
    """A customer file as a person might type it; returns (text, its stage)."""
    stage = draw(st.sampled_from(OPEN_STAGES))
    top = [draw(assignment("name", draw(SAFE_TEXT.filter(str.strip).map(lambda t: f'"{t}"'))))]
    top.append(draw(assignment("stage", f'"{stage}"')))
    keys = draw(st.lists(st.sampled_from(UNKNOWN_KEYS), unique=True, max_size=4))
    top += [draw(assignment(k, draw(VALUE))) for k in keys]
    if draw(st.booleans()):
        top.append(draw(assignment("owner", draw(SAFE_TEXT.map(lambda t: f'"{t}"')))))
    lines = [ln for block in draw(st.permutations(top)) for ln in block]
    if draw(st.booleans()):
        lines += ["", f"[next]{draw(COMMENT)}"]
        lines += draw(assignment("action", draw(SAFE_TEXT.map(lambda t: f'"{t}"'))))
        lines += draw(assignment("due", str(draw(st.dates(date(2025, 1, 1), date(2027, 1, 1))))))
    if draw(st.booleans()):
        lines += ["", f"[company]{draw(COMMENT)}", *draw(assignment("industry", '"制造业"'))]
    arrays = draw(st.lists(st.sampled_from(["history", "log"]), max_size=4))
    for array in sorted(arrays, key=arrays.index):  # each array's entries together: see the test below
        lines += [*draw(BLANKS), "", f"[[{array}]]{draw(COMMENT)}"]
        lines += draw(assignment("date", str(draw(st.dates(date(2025, 1, 1), date(2026, 11, 1))))))
        if array == "history":
            lines += draw(assignment("stage", f'"{draw(st.sampled_from(OPEN_STAGES))}"'))
        else:
            lines += draw(assignment("note", draw(SAFE_TEXT.map(lambda t: f'"{t}"'))))
    return "\n".join(lines + draw(BLANKS)) + "\n", stage


EDIT = st.one_of(
    st.tuples(st.just("move"), st.sampled_from([s.id for s in CONFIG.stages])),
    st.tuples(st.just("next"), SAFE_TEXT.filter(str.strip)),
    st.tuples(st.just("log"), SAFE_TEXT),
)
_examples = itertools.count()


def touched(line: str) -> bool:
    """A line an edit may rewrite: the stage line or the next action's lines."""
    return line.lstrip().startswith(("stage", "action", "due"))


@pytest.mark.long(5)
@given(hand_written(), EDIT)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_untouched_lines_stay_byte_identical(
    folder: Path, case: tuple[str, str], edit: tuple[str, str]
) -> None:
    text, stage = case
    kind, arg = edit
    cid = f"c{next(_examples)}"
    path = write_customer(folder, cid, text)
    customer = Store(folder, use_cache=False).load().customers[cid]
    assert not customer.has_errors, customer.problems
    if kind == "move":
        if arg == stage:
            return
        changes = move_changes(customer, CONFIG, arg, TODAY, "太贵" if arg == "lost" else None)
    elif kind == "next":
        changes = next_changes(arg, TODAY)
    else:
        changes = log_changes("note", arg, TODAY)
    edit_customer(customer, CONFIG, changes)
    old, new = text.splitlines(), path.read_text(encoding="utf-8").splitlines()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            assert all(touched(ln) for ln in old[i1:i2]), (tag, old[i1:i2])
    path.unlink()


def test_an_array_split_by_another_is_refused_not_rearranged(folder: Path) -> None:
    """tomlkit would pull a split ``[[history]]`` together, moving lines the edit did not touch:
    the edit is refused and the file left as it is (hypothesis found this shape)."""
    text = 'name = "A"\nstage = "potential"\n\n[[history]]\ndate = 2025-01-01\nstage = "target"\n\n'
    text += '[[log]]\ndate = 2025-01-01\nnote = ""\n\n[[history]]\ndate = 2025-02-01\nstage = "potential"\n'
    path = write_customer(folder, "split", text)
    customer = load(folder, "split")
    assert not customer.problems and len(customer.history) == 2
    with pytest.raises(WriteError, match="would rearrange this file's layout; edit it by hand"):
        edit_customer(customer, CONFIG, move_changes(customer, CONFIG, "intent", TODAY))
    assert path.read_text(encoding="utf-8") == text


# -- refusing unsafe writes ---------------------------------------------------------------


def external_edit(path: Path, text: str) -> None:
    """Another program (a real process) saves the file, as vim or `git checkout` would."""
    code = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2], encoding='utf-8')"
    subprocess.run([sys.executable, "-c", code, str(path), text], check=True)


def test_a_file_changed_since_it_was_read_is_not_overwritten(repo: Path) -> None:
    customer = load(repo, "hand")
    theirs = HAND_WRITTEN.replace("wang.li", "zhao.min")
    external_edit(customer.path, theirs)
    with pytest.raises(ConflictError, match="changed on disk since it was read"):
        edit_customer(customer, CONFIG, next_changes("x", TODAY))
    assert customer.path.read_text(encoding="utf-8") == theirs


def test_a_write_racing_an_external_edit_is_refused(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other writer lands after the edit read the file and before it renames its own."""
    customer = load(repo, "hand")
    theirs = HAND_WRITTEN + "# saved in vim meanwhile\n"
    real_verify = edit_mod._verify

    def verify_while_someone_saves(path: Path, text: str, intended: dict[str, Any]) -> None:
        real_verify(path, text, intended)
        writer = threading.Thread(target=external_edit, args=(path, theirs))
        writer.start()
        writer.join()

    monkeypatch.setattr(edit_mod, "_verify", verify_while_someone_saves)
    with pytest.raises(ConflictError):
        edit_customer(customer, CONFIG, log_changes("call", "hi", TODAY))
    assert customer.path.read_text(encoding="utf-8") == theirs
    assert sorted(p.name for p in customer.path.parent.iterdir()) == ["hand.toml"]  # no temp file left


def test_atomic_write_checks_the_bytes_just_before_the_rename(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"old\n")
    read = Fingerprint.of(b"old\n", 0)
    external_edit(path, "theirs\n")
    with pytest.raises(ConflictError):
        atomic_write(path, b"ours\n", expected=read)
    assert path.read_bytes() == b"theirs\n"
    atomic_write(path, b"ours\n", expected=Fingerprint.of(b"theirs\n", 0))
    assert path.read_bytes() == b"ours\n"


def test_a_file_deleted_since_it_was_read_is_not_recreated(repo: Path) -> None:
    customer = load(repo, "hand")
    customer.path.unlink()
    with pytest.raises(ConflictError, match="deleted"):
        edit_customer(customer, CONFIG, next_changes("x", TODAY))
    assert not customer.path.exists()


_KILL_SIZE = 1 << 20


def _write_forever(path: Path, ready: int) -> None:
    """The child: alternate two contents as fast as it can, saying after each write."""
    contents = [b"a" * _KILL_SIZE + b"\n", b"b" * (_KILL_SIZE + 4096) + b"\n"]
    for i in itertools.count():
        atomic_write(path, contents[i % 2])
        os.write(ready, b".")


def test_sigkill_mid_write_leaves_the_old_file_or_the_new(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    olds = {b"a" * _KILL_SIZE + b"\n", b"b" * (_KILL_SIZE + 4096) + b"\n"}
    path.write_bytes(min(olds))
    for kill in range(30):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_end)
            try:
                _write_forever(path, write_end)
            finally:
                os._exit(1)
        os.close(write_end)
        os.read(read_end, 1 + kill % 3)  # let it finish 1-3 writes, then kill it during the next
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(read_end)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        assert path.read_bytes() in olds
    leftovers = [p.name for p in tmp_path.iterdir() if p != path]
    assert all(n.startswith(".big.") and n.endswith(".tmp") for n in leftovers)


def test_temp_files_a_kill_leaves_behind_are_not_customers(folder: Path) -> None:
    write_customer(folder, "acme", 'name = "Acme"\nstage = "target"\n')
    (folder / "customers" / ".acme.x1y2.tmp").write_text('name = "half')
    board = Store(folder, use_cache=False).load()
    assert list(board.customers) == ["acme"] and board.problems == []


def test_a_read_only_file_is_a_clear_error(repo: Path) -> None:
    customer = load(repo, "hand")
    customer.path.chmod(0o444)  # root could still write it: the mode bits are what count
    with pytest.raises(WriteError, match="the file is read-only; not written"):
        edit_customer(customer, CONFIG, next_changes("x", TODAY))
    assert customer.path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_read_only_folder_is_a_clear_error(repo: Path) -> None:
    customer = load(repo, "hand")
    folder = customer.path.parent
    folder.chmod(0o555)
    try:
        with pytest.raises(WriteError, match="is read-only; not written"):
            edit_customer(customer, CONFIG, next_changes("x", TODAY))
        with pytest.raises(WriteError, match="is read-only; not written"):
            create_customer(repo, CONFIG, {"name": "New", "stage": "target"})
    finally:
        folder.chmod(0o755)
    assert sorted(p.name for p in folder.iterdir()) == ["hand.toml"]
    assert customer.path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_mode_and_symlink_are_kept(folder: Path, tmp_path: Path) -> None:
    real = tmp_path / "shared" / "hand.toml"
    real.parent.mkdir()
    real.write_text(HAND_WRITTEN, encoding="utf-8")
    real.chmod(0o640)
    link = folder / "customers" / "hand.toml"
    link.symlink_to(real)
    customer = load(folder, "hand")
    edit_customer(customer, CONFIG, move_changes(customer, CONFIG, "project", TODAY))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.stat().st_mode & 0o7777 == 0o640
    assert load(folder, "hand").stage == "project"
    assert sorted(p.name for p in real.parent.iterdir()) == ["hand.toml"]


def test_new_files_get_the_usual_mode(folder: Path) -> None:
    path = create_customer(folder, CONFIG, {"name": "Acme", "stage": "target"}).customer.path
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    "text",
    [
        'name = "Acme"\nstage = "intent"\namount = -5\n',  # a schema error
        'name = "Acme"\nstage = "intent"\ntier = "Z"  # unknown tier\n',
    ],
)
def test_a_file_with_problems_is_never_rewritten(folder: Path, text: str) -> None:
    path = write_customer(folder, "acme", text)
    customer = load(folder, "acme")
    assert customer.has_errors
    with pytest.raises(WriteError, match="fix this file first"):
        edit_customer(customer, CONFIG, next_changes("call", TODAY))
    assert path.read_text(encoding="utf-8") == text


def test_a_broken_file_shown_as_its_last_good_self_is_not_rewritten(folder: Path) -> None:
    path = write_customer(folder, "acme", 'name = "Acme"\nstage = "intent"\n')
    store = Store(folder, use_cache=False)
    store.load()
    broken = 'name = "Acme"\nstage = "intent\n'  # half-typed in an editor
    external_edit(path, broken)
    shown = store.reload([path]).board.customers["acme"]
    assert shown.name == "Acme" and shown.has_errors
    with pytest.raises(WriteError, match="fix this file first"):
        edit_customer(shown, store.config, next_changes("call", TODAY))
    assert path.read_text(encoding="utf-8") == broken


def test_create_refuses_to_overwrite_a_file_that_appeared(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers creating the same customer: the second does not replace the first's file."""
    write_customer(folder, "acme", 'name = "Acme"\nstage = "target"\n')
    monkeypatch.setattr(edit_mod, "unique_id", lambda name, existing: "acme")
    with pytest.raises(WriteError, match="already exists"):
        create_customer(folder, CONFIG, {"name": "Acme", "stage": "potential"})
    assert load(folder, "acme").stage == "target"


# -- the folder's write lock --------------------------------------------------------------


def hold_the_lock(root: Path) -> int:
    """The lock held as another writer would hold it (flock is per open file description)."""
    import fcntl

    fd = os.open(root / ".tuiboard" / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


WRITERS: dict[str, Callable[[Path, Customer], object]] = {
    "edit": lambda root, c: edit_customer(c, CONFIG, next_changes("x", TODAY)),
    "create": lambda root, c: create_customer(root, CONFIG, {"name": "New", "stage": "target"}),
    "restore": lambda root, c: restore(
        c.path, b'name = "H"\nstage = "target"\n', c.path.read_bytes(), CONFIG
    ),
    "rewrite": lambda root, c: rewrite_customer(c, CONFIG, 'name = "H"\nstage = "intent"\n'),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_writer_waits_for_the_folder_lock(
    folder: Path, writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_customer(folder, "hand", 'name = "H"\nstage = "intent"\n')
    customer = load(folder, "hand")
    (folder / ".tuiboard").mkdir(exist_ok=True)
    fd = hold_the_lock(folder)
    monkeypatch.setattr("pipeline.lock.TIMEOUT", 0.05)
    before = sorted(p.name for p in (folder / "customers").iterdir())
    try:
        with pytest.raises(WriteError, match="another tuiboard is writing here"):
            WRITERS[writer](folder, customer)
    finally:
        os.close(fd)
    assert sorted(p.name for p in (folder / "customers").iterdir()) == before
    assert customer.path.read_text(encoding="utf-8") == 'name = "H"\nstage = "intent"\n'
    WRITERS[writer](folder, customer)  # released: the same write goes through


def test_a_planted_state_link_refuses_the_write(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / ".tuiboard").symlink_to(elsewhere)
    write_customer(folder, "hand", HAND_WRITTEN)
    customer = load(folder, "hand")
    with pytest.raises(WriteError, match="symbolic link"):
        edit_customer(customer, CONFIG, next_changes("x", TODAY))
    assert list(elsewhere.iterdir()) == [] and customer.path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_the_lock_is_reentrant_within_a_process(folder: Path) -> None:
    write_customer(folder, "hand", HAND_WRITTEN)
    with write_lock(folder), write_lock(folder):
        edit_customer(load(folder, "hand"), CONFIG, next_changes("x", TODAY))
    assert 'action = "x"' in (folder / "customers" / "hand.toml").read_text(encoding="utf-8")


def test_create_chooses_the_id_against_the_given_set(folder: Path) -> None:
    taken = {"acme", "Bolt"}
    first = create_customer(folder, CONFIG, {"name": "Acme", "stage": "target"}, taken=taken).customer
    second = create_customer(folder, CONFIG, {"name": "bolt", "stage": "target"}, taken=taken).customer
    third = create_customer(folder, CONFIG, {"name": "Acme", "stage": "target"}, taken=taken).customer
    assert (first.id, second.id, third.id) == ("acme-2", "bolt-2", "acme-3")
    assert taken == {"acme", "Bolt", "acme-2", "bolt-2", "acme-3"}


# -- pipeline.actions: the one builder of new customers -----------------------------------


def test_new_customer_data_fills_what_a_person_leaves_out() -> None:
    data = new_customer_data(
        {("name",): " Acme ", ("tier",): "B", ("amount",): 50000.0, ("next", "action"): "call"}, CONFIG, TODAY
    )
    assert data == {
        "name": "Acme",
        "stage": "target",
        "tier": "B",
        "amount": 50000,
        "created": TODAY,
        "next": {"action": "call", "due": TODAY + timedelta(days=14)},  # tier B's cadence
        "history": [{"date": TODAY, "stage": "target"}],
    }
    due_only = new_customer_data({("name",): "X", ("next", "due"): TODAY}, CONFIG, TODAY)
    assert "next" not in due_only


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({("name",): "  "}, "the name must not be empty"),
        ({("name",): "X", ("stage",): "nowhere"}, "unknown stage 'nowhere'"),
        ({("name",): "X", ("tier",): "Z"}, "unknown tier 'Z'"),
    ],
)
def test_new_customer_data_refuses_what_cannot_be_written(fields: dict[Any, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message) as refused:
        new_customer_data(fields, CONFIG, TODAY)
    assert refused.value.exit_code == 2
