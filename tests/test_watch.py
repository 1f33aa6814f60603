"""The live-reload watcher with the real watchdog observer on real files (and a real git)."""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.config import CONFIG_FILE
from pipeline.edit import edit_customer, next_changes
from pipeline.store import Board, Store
from pipeline.watch import Batch, FolderWatcher, is_debris
from tests.conftest import TODAY, write_customer

WAIT = 10.0  # generous: the machine is shared; a passing test never waits this long
QUIET = 0.8  # how long "nothing arrives" is watched for (debounce is 0.25 s)

Watch = Callable[..., "queue.Queue[Batch]"]


def text(name: str, stage: str = "target") -> str:
    return f'name = "{name}"\nstage = "{stage}"\n'


@pytest.fixture
def watch() -> Iterator[Watch]:
    """Start a real watcher on a folder; its batches arrive on the returned queue."""
    watchers: list[FolderWatcher] = []

    def start(root: Path, **options: float) -> queue.Queue[Batch]:
        batches: queue.Queue[Batch] = queue.Queue()
        watcher = FolderWatcher(root, batches.put, **options)
        watcher.start()
        watchers.append(watcher)
        return batches

    yield start
    for watcher in watchers:
        watcher.stop()


def no_batch(batches: queue.Queue[Batch], within: float = QUIET) -> None:
    with pytest.raises(queue.Empty):
        got = batches.get(timeout=within)
        pytest.fail(f"unexpected batch {got}")


def customer_path(root: Path, cid: str) -> Path:
    return root / "customers" / f"{cid}.toml"


# -- what counts as debris ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        ".x.toml.swp",
        "x.toml.swp",
        "x.toml.swx",
        "x.toml.swo",
        "4913",
        "5036",
        "x.toml~",
        ".#x.toml",
        "#x.toml#",
        "x.toml.tmp",
        ".x.1a2b.tmp",
        "x.toml.vsctmp",
        "sedAb12Cd",
        ".git",
        ".hidden.toml",
    ],
)
def test_editor_debris_is_recognised(name: str) -> None:
    assert is_debris(name)


@pytest.mark.parametrize(
    "name", ["x.toml", "sedona.toml", "4913.toml", "北京云启科技.toml", "#1 customer.toml"]
)
def test_customer_files_are_not_debris(name: str) -> None:
    assert not is_debris(name)


# -- saves as editors make them -----------------------------------------------------------


def test_rename_over_save_reports_the_file_once_and_reloads_it(folder: Path, watch: Watch) -> None:
    path = write_customer(folder, "acme", text("Acme"))
    store = Store(folder, use_cache=False)
    store.load()
    batches = watch(folder)

    probe = folder / "customers" / "4913"  # vim checks that it may write here
    probe.write_text("")
    probe.unlink()
    tmp = folder / "customers" / "acme.toml.tmp"
    tmp.write_text(text("Acme", "intent"), encoding="utf-8")
    os.rename(tmp, path)

    batch = batches.get(timeout=WAIT)
    assert batch == Batch(frozenset({path}), rescan=False)
    result = store.reload(batch.paths)
    assert (result.changed, result.removed) == ({"acme"}, set())
    assert result.board.customers["acme"].stage == "intent"
    no_batch(batches)


def test_vim_writebackup_save_is_a_change_not_a_delete(folder: Path, watch: Watch) -> None:
    path = write_customer(folder, "acme", text("Acme"))
    store = Store(folder, use_cache=False)
    store.load()
    batches = watch(folder)

    backup = path.with_name("acme.toml~")
    os.rename(path, backup)  # for a moment there is no acme.toml
    path.write_text(text("Acme", "project"), encoding="utf-8")
    backup.unlink()

    batch = batches.get(timeout=WAIT)
    assert batch.paths == {path} and not batch.rescan
    result = store.reload(batch.paths)
    assert (result.changed, result.removed) == ({"acme"}, set())
    assert result.board.customers["acme"].stage == "project"


def test_in_place_rewrite(folder: Path, watch: Watch) -> None:
    path = write_customer(folder, "acme", text("Acme"))
    store = Store(folder, use_cache=False)
    store.load()
    batches = watch(folder)

    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text("Acme Renamed"))

    batch = batches.get(timeout=WAIT)
    assert batch == Batch(frozenset({path}), rescan=False)
    assert store.reload(batch.paths).board.customers["acme"].name == "Acme Renamed"


def test_delete(folder: Path, watch: Watch) -> None:
    path = write_customer(folder, "acme", text("Acme"))
    write_customer(folder, "beta", text("Beta"))
    store = Store(folder, use_cache=False)
    store.load()
    batches = watch(folder)

    path.unlink()

    batch = batches.get(timeout=WAIT)
    assert batch.paths == {path}
    result = store.reload(batch.paths)
    assert (result.changed, result.removed) == (set(), {"acme"})
    assert set(result.board.customers) == {"beta"}


def test_rename_of_a_customer_file(folder: Path, watch: Watch) -> None:
    old = write_customer(folder, "acme", text("Acme"))
    store = Store(folder, use_cache=False)
    store.load()
    batches = watch(folder)

    new = customer_path(folder, "acme-gmbh")
    os.rename(old, new)

    batch = batches.get(timeout=WAIT)
    assert batch.paths == {old, new}
    result = store.reload(batch.paths)
    assert (result.changed, result.removed) == ({"acme-gmbh"}, {"acme"})


def test_debris_and_unrelated_files_produce_no_batch(folder: Path, watch: Watch) -> None:
    write_customer(folder, "x", text("X"))
    batches = watch(folder)
    customers = folder / "customers"

    for name in ["x.toml.swp", ".x.toml.swx", "4913", "x.toml~", "#x.toml#", "sedAb12Cd", "notes.txt"]:
        (customers / name).write_text("junk")
    os.symlink("user@host.1234", customers / ".#x.toml")  # emacs' lock is a dangling symlink
    (customers / "x.toml.swp").unlink()
    (folder / ".git").mkdir()
    (folder / ".git" / "index").write_text("junk")
    (folder / "README.md").write_text("junk")
    (folder / "pipeline.toml~").write_text("junk")

    no_batch(batches)


def test_pipeline_toml_change_is_reported(folder: Path, watch: Watch) -> None:
    batches = watch(folder)
    config = folder / CONFIG_FILE
    config.write_text(config.read_text(encoding="utf-8") + "\n# tweaked\n", encoding="utf-8")

    assert batches.get(timeout=WAIT) == Batch(frozenset({folder / CONFIG_FILE}), rescan=False)


# -- bursts and the store's own writes ------------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def same_board(got: Board, want: Board) -> None:
    assert set(got.customers) == set(want.customers)
    for cid, customer in want.customers.items():
        mine = got.customers[cid]
        assert (mine.fingerprint, mine.data, mine.problems) == (
            customer.fingerprint,
            customer.data,
            customer.problems,
        ), cid
    assert got.problems == want.problems


def test_git_checkout_of_500_files_is_one_batch_and_reloads_to_the_truth(folder: Path, watch: Watch) -> None:
    for i in range(400):
        write_customer(folder, f"c{i:03}", text(f"Customer {i}"))
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "base")
    git(folder, "checkout", "-q", "-b", "other")
    for i in range(250):  # 250 changed, 125 deleted, 125 added: 500 files differ
        write_customer(folder, f"c{i:03}", text(f"Customer {i}", "intent"))
    for i in range(250, 375):
        customer_path(folder, f"c{i:03}").unlink()
    for i in range(125):
        write_customer(folder, f"n{i:03}", text(f"New {i}"))
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "other")
    git(folder, "checkout", "-q", "main")

    store = Store(folder, use_cache=False)
    store.load()
    batches = watch(folder)
    git(folder, "checkout", "-q", "other")

    batch = batches.get(timeout=WAIT)
    no_batch(batches)
    assert not batch.rescan
    assert len(batch.paths) == 500
    result = store.reload(batch.paths)
    assert len(result.changed) == 375 and len(result.removed) == 125
    same_board(result.board, Store(folder, use_cache=False).load())


def test_the_stores_own_write_reloads_as_unchanged(folder: Path, watch: Watch) -> None:
    path = write_customer(folder, "acme", text("Acme"))
    store = Store(folder, use_cache=False)
    board = store.load()
    unaware = Store(folder, use_cache=False)  # the control: a store that was not told
    unaware.load()
    batches = watch(folder)

    written = edit_customer(board.customers["acme"], board.config, next_changes("call back", TODAY))
    store.note_written(written.customer)

    batch = batches.get(timeout=WAIT)
    assert batch.paths == {path}  # the watcher still reports it (and not the .acme.*.tmp)
    result = store.reload(batch.paths)
    assert (result.changed, result.removed) == (set(), set())
    assert result.board.customers["acme"].next_action == "call back"
    assert unaware.reload(batch.paths).changed == {"acme"}


# -- the watch itself: folders that come and go, overflow, the safety net --------------------


def test_customers_folder_that_appears_later_is_watched(tmp_path: Path, watch: Watch) -> None:
    root = tmp_path / "pipe"
    root.mkdir()
    (root / CONFIG_FILE).write_text('name = "p"\n', encoding="utf-8")
    batches = watch(root)

    (root / "customers").mkdir()
    assert batches.get(timeout=WAIT) == Batch(frozenset(), rescan=True)
    write_customer(root, "acme", text("Acme"))
    assert batches.get(timeout=WAIT).paths == {customer_path(root, "acme")}

    shutil.rmtree(root / "customers")  # gone, then back: the new folder is watched again
    assert batches.get(timeout=WAIT).rescan
    (root / "customers").mkdir()
    assert batches.get(timeout=WAIT).rescan
    write_customer(root, "beta", text("Beta"))
    assert batches.get(timeout=WAIT) == Batch(frozenset({customer_path(root, "beta")}), rescan=False)

    os.rename(root / "customers", root / "customers.old")  # renamed away, a new one made
    (root / "customers").mkdir()
    assert batches.get(timeout=WAIT).rescan
    (root / "customers.old" / "gamma.toml").write_text(text("Gamma"), encoding="utf-8")
    write_customer(root, "delta", text("Delta"))
    assert batches.get(timeout=WAIT) == Batch(frozenset({customer_path(root, "delta")}), rescan=False)


def test_inotify_overflow_asks_for_a_rescan(
    folder: Path, watch: Watch, caplog: pytest.LogCaptureFixture
) -> None:
    """Freeze this process (its inotify reader too) while a helper makes more events than
    the kernel queues; watchdog then sees IN_Q_OVERFLOW when the process resumes."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    caplog.set_level(logging.WARNING, logger="watchdog")
    batches = watch(folder)
    # one inotify event per mkdir
    flood = 'trap "kill -CONT $1" EXIT; kill -STOP $1; cd "$2" && seq -f d%g 1 "$3" | xargs mkdir'
    subprocess.run(["sh", "-c", flood, "sh", str(os.getpid()), str(folder), str(limit + 500)], check=True)

    batch = batches.get(timeout=WAIT * 2)
    assert batch.rescan
    assert any("overflow" in r.getMessage().lower() for r in caplog.records)
    write_customer(folder, "acme", text("Acme"))  # and the watch still works afterwards
    assert batches.get(timeout=WAIT) == Batch(frozenset({customer_path(folder, "acme")}), rescan=False)


def test_periodic_safety_rescan(folder: Path, watch: Watch) -> None:
    batches = watch(folder, rescan_every=0.3)
    assert batches.get(timeout=WAIT) == Batch(frozenset(), rescan=True)
    assert batches.get(timeout=WAIT) == Batch(frozenset(), rescan=True)


# -- stopping -------------------------------------------------------------------------------


def test_stop_is_idempotent_and_no_call_follows_it(folder: Path) -> None:
    batches: queue.Queue[Batch] = queue.Queue()
    FolderWatcher(folder, batches.put).stop()  # before start: nothing to stop
    watcher = FolderWatcher(folder, batches.put, rescan_every=0.2)
    watcher.start()
    write_customer(folder, "acme", text("Acme"))  # still pending when stop() comes
    watcher.stop()
    watcher.stop()
    while not batches.empty():  # delivered before stop() returned: allowed
        batches.get_nowait()

    write_customer(folder, "beta", text("Beta"))
    no_batch(batches)  # longer than the debounce and than the rescan period
    with pytest.raises(RuntimeError):
        watcher.start()


def test_stop_waits_for_a_call_in_progress(folder: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    finished: list[bool] = []

    def on_change(batch: Batch) -> None:
        entered.set()
        release.wait(WAIT)
        finished.append(True)

    watcher = FolderWatcher(folder, on_change, rescan_every=0.1)
    watcher.start()
    assert entered.wait(WAIT)
    stopper = threading.Thread(target=watcher.stop)
    stopper.start()
    stopper.join(timeout=0.3)
    assert stopper.is_alive()  # still waiting for on_change
    release.set()
    stopper.join(timeout=WAIT)
    assert not stopper.is_alive() and finished == [True]


def test_stop_from_inside_the_callback(folder: Path) -> None:
    batches: queue.Queue[Batch] = queue.Queue()

    def on_change(batch: Batch) -> None:
        batches.put(batch)
        watcher.stop()

    watcher = FolderWatcher(folder, on_change, rescan_every=0.2)
    watcher.start()
    assert batches.get(timeout=WAIT).rescan
    watcher.stop()
    no_batch(batches)


def test_a_failing_callback_does_not_stop_the_watching(folder: Path, watch: Watch) -> None:
    batches: queue.Queue[Batch] = queue.Queue()
    calls = 0

    def on_change(batch: Batch) -> None:
        nonlocal calls
        calls += 1
        batches.put(batch)
        if calls == 1:
            raise RuntimeError("the app had a bad moment")

    watcher = FolderWatcher(folder, on_change)
    watcher.start()
    try:
        write_customer(folder, "acme", text("Acme"))
        assert batches.get(timeout=WAIT).paths == {customer_path(folder, "acme")}
        write_customer(folder, "beta", text("Beta"))
        assert batches.get(timeout=WAIT).paths == {customer_path(folder, "beta")}
    finally:
        watcher.stop()
