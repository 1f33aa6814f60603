"""Filesystem faults: each gives a clear message, loses no byte and leaves no temp file.

Root ignores mode bits, so the writer checks them itself (see `pipeline.edit.atomic_write`);
the tests make files and folders read-only by mode and expect a refusal either way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Input

import pipeline.store as store_mod
from pipeline import edit
from pipeline.config import Config, preset_text
from pipeline.folder import Key, list_customer_files
from pipeline.store import Store
from tests.conftest import TODAY, write_customer
from tests.test_app import back_on_board, board, notes, screen_named, select

from .conftest import HAND_WRITTEN

if TYPE_CHECKING:
    from .conftest import Tally

GOOD = 'name = "北京云启科技"\nstage = "target"\n'


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(folder, "hand", HAND_WRITTEN)
    write_customer(folder, "good", GOOD)
    return folder


def snapshot(root: Path) -> dict[str, bytes]:
    """Every entry in customers/, temp files included, with its bytes."""
    folder = root / "customers"
    return {p.name: p.read_bytes() if p.is_file() else b"<dir>" for p in folder.iterdir()}


def try_edit(root: Path, cid: str, config: Config) -> edit.WriteError:
    """A next-action edit that must be refused; returns the refusal."""
    customer = Store(root, use_cache=False).load().customers[cid]
    with pytest.raises(edit.WriteError) as refused:
        edit.edit_customer(customer, config, edit.next_changes("回访", TODAY))
    return refused.value


@contextlib.contextmanager
def writable_again(path: Path) -> Iterator[None]:
    mode = path.stat().st_mode
    try:
        yield
    finally:
        path.chmod(mode | 0o200)  # so tmp_path can be cleaned up


def test_read_only_file(pipe: Path, config: Config, tally: Tally) -> None:
    path = pipe / "customers" / "hand.toml"
    before = snapshot(pipe)
    with writable_again(path):
        path.chmod(0o444)
        err = try_edit(pipe, "hand", config)
        assert "read-only" in str(err) and "not written" in str(err)
        assert snapshot(pipe) == before
        assert "hand" in Store(pipe, use_cache=False).load().customers  # still shown
    tally.add("faults: read-only file")


def test_read_only_folder(pipe: Path, config: Config, tally: Tally) -> None:
    folder = pipe / "customers"
    before = snapshot(pipe)
    with writable_again(folder):
        folder.chmod(0o555)
        err = try_edit(pipe, "hand", config)
        assert "read-only" in str(err) and str(folder) in str(err)
        with pytest.raises(edit.WriteError, match="read-only"):
            edit.create_customer(pipe, config, {"name": "新客户", "stage": "target"})
        assert snapshot(pipe) == before
        assert set(Store(pipe).load().customers) == {"hand", "good"}  # loads, cache or not
    tally.add("faults: read-only folder")


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A pipeline folder on a full filesystem: a small tmpfs filled up where mounting is
    allowed (root), else the folder as is with every fsync failing with ENOSPC."""
    mount = tmp_path / "small"
    mount.mkdir()
    try:
        command = ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount)]
        mounted = subprocess.run(command, capture_output=True).returncode == 0
    except OSError:  # no mount command
        mounted = False
    root = mount / "pipe"
    (root / "customers").mkdir(parents=True)
    (root / "pipeline.toml").write_text(preset_text("seven-stage"), encoding="utf-8")
    write_customer(root, "hand", HAND_WRITTEN)
    try:
        if mounted:
            with open(mount / "filler", "wb", buffering=0) as fh, contextlib.suppress(OSError):
                for size in (4096, 1):
                    while True:
                        fh.write(b"x" * size)
            yield root, "tmpfs"
        else:

            def no_space(fd: int) -> None:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            monkeypatch.setattr(os, "fsync", no_space)
            yield root, "fault injected at fsync"
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=True)


def test_disk_full(full_disk: tuple[Path, str], config: Config, tally: Tally) -> None:
    root, how = full_disk
    before = snapshot(root)
    err = try_edit(root, "hand", config)
    assert "No space left on device" in str(err) and "not written" in str(err), err
    with pytest.raises(edit.WriteError, match="No space left on device"):
        edit.create_customer(root, config, {"name": "新客户", "stage": "target"})
    assert snapshot(root) == before, "a temp file or a partial write was left behind"
    tally.add(f"faults: disk full ({how})")


def load_problems(root: Path) -> dict[str, list[str]]:
    board = Store(root, use_cache=False).load()
    assert "good" in board.customers, "one bad entry stopped the others from loading"
    return {path.name: [p.message for p in ps] for path, ps in board.problems_by_file.items()}


def two_link_loop(a: Path, b: Path) -> None:
    a.symlink_to(b.name)
    b.symlink_to(a.name)


@pytest.mark.parametrize(
    ("label", "make", "message"),
    [
        ("a directory", lambda p: p.mkdir(), "is a directory"),
        ("a symlink loop", lambda p: p.symlink_to(p.name), "Too many levels of symbolic links"),
        ("a two-link loop", lambda p: two_link_loop(p, p.with_name("b.lnk")), "Too many"),
        ("a dangling symlink", lambda p: p.symlink_to("nowhere.toml"), "dangling symlink"),
        ("a fifo", lambda p: os.mkfifo(p), "not a regular file"),
    ],
)
def test_odd_entries_are_problems(pipe: Path, label: str, make: Any, message: str, tally: Tally) -> None:
    make(pipe / "customers" / "odd.toml")
    before = snapshot(pipe)
    problems = load_problems(pipe)
    assert any(message in m for m in problems["odd.toml"]), problems
    assert snapshot(pipe) == before
    tally.add(f"faults: {label}")


def test_file_deleted_between_listing_and_reading(
    pipe: Path, tally: Tally, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing sees the file, then it is gone: no crash, no error, no ghost customer."""

    def racing(customers: Path) -> dict[str, Key]:
        listing = list_customer_files(customers)
        (customers / "hand.toml").unlink()
        return listing

    monkeypatch.setattr(store_mod, "list_customer_files", racing)
    board = Store(pipe, use_cache=False).load()
    assert set(board.customers) == {"good"} and not board.problems
    tally.add("faults: deleted between listing and read")


async def test_board_reports_a_read_only_file_and_keeps_running(pipe: Path, tally: Tally) -> None:
    path = pipe / "customers" / "hand.toml"
    before = path.read_bytes()
    with writable_again(path):
        path.chmod(0o444)
        async with board(pipe) as (app, pilot):
            await select(app, pilot, "hand")
            await set_next_action(app, pilot, "回访")
            errors = [n for n in app._notifications if n.severity == "error"]
            assert any("read-only" in str(n.message) for n in errors), notes(app)
            assert path.read_bytes() == before
            assert snapshot(pipe) == {"hand.toml": before, "good.toml": GOOD.encode()}
            path.chmod(0o644)  # fixed by hand: the same board, still running, now writes
            await set_next_action(app, pilot, "约见")
            assert b'action = "\xe7\xba\xa6\xe8\xa7\x81"' in path.read_bytes(), notes(app)
    tally.add("faults: board, read-only file")


async def set_next_action(app: Any, pilot: Any, action: str) -> None:
    await pilot.press("a")
    dialog = await screen_named(app, pilot, "NextActionScreen")
    dialog.query_one("#action", Input).value = action
    await pilot.press("ctrl+s")
    await back_on_board(app, pilot)
