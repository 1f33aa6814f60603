"""The board's start and the cyclic GC: no collection until the board is loaded, the loaded
board frozen out of every later one, collections back on for everything after."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from pipeline import gcpause
from pipeline.gcpause import gc_paused
from pipeline.store import Store
from tuiboard.app import BoardApp


async def test_collections_resume_with_the_loaded_board_frozen(demo_folder: Path) -> None:
    gc.disable()  # as `tuiboard` starts the board (cli.open_board)
    try:
        app = BoardApp(demo_folder)
        async with app.run_test(size=(120, 40)):
            await app.reloaded.wait()
            assert gc.isenabled()
            customers = app.board.customers.values()
            assert any(gc.is_tracked(c) for c in customers)
            assert gc.get_freeze_count() > len(customers)
            gc.collect()
            # Frozen objects sit in the permanent generation, which `gc.get_objects` leaves out:
            # a collection (which may free other frozen objects, so the count moves) left
            # every customer there.
            collected = {id(o) for o in gc.get_objects()}
            assert not any(id(c) in collected for c in customers)
    finally:
        gcpause.thaw()  # the rest of this process's tests as they were
        gc.enable()


def test_a_load_in_a_frozen_process_thaws_nothing(demo_folder: Path) -> None:
    """The board app keeps its board frozen; a reload there must not thaw it (the next full
    collection would go over every customer), and what it builds is frozen with it."""
    gcpause.freeze()
    try:
        before = gc.get_freeze_count()
        board = Store(demo_folder).load()
        assert gc.get_freeze_count() > before + len(board.customers)
    finally:
        gcpause.thaw()


def test_a_load_elsewhere_leaves_nothing_frozen(demo_folder: Path) -> None:
    assert gc.get_freeze_count() == 0
    Store(demo_folder).load()
    assert gc.get_freeze_count() == 0


async def test_the_board_start_decodes_no_customers_data(demo_folder: Path) -> None:
    """From the cache, customers come with their data packed, and the board never needs it:
    the search keys' warm-up (once named by Textual after the repr of every customer) and a
    board's repr (the charts' worker is named after it) leave it so."""
    Store(demo_folder).load()  # writes the cache
    gc.disable()  # as `tuiboard` starts the board
    try:
        app = BoardApp(demo_folder)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.reloaded.wait()
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert app.board is not None and "60 customers" in repr(app.board)
            assert all(c._make_data is not None for c in app.board.customers.values())
    finally:
        gcpause.thaw()
        gc.enable()


def test_pauses_overlapping_in_two_threads_resume_collections_when_the_last_ends() -> None:
    """The store thread's rescan and the search warm-up each pause GC; the first to end
    must not turn collections back on (nor leave unfrozen) what the other is still building."""
    assert gc.isenabled()
    first, second = gc_paused(), gc_paused()
    first.__enter__()
    second.__enter__()  # another thread's, in a real board
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_pause_never_counts_the_frozen_objects(demo_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`gc.get_freeze_count` walks every frozen object (19 ms at 10,000 customers, 0.4 s in a
    test process that had run 70 boards): a reload on the board must not pay for it. The
    process says it keeps its objects frozen (`gcpause.freeze`), and a load there freezes
    what it builds without asking the GC."""

    def walks(*_: object) -> int:
        raise AssertionError("gc.get_freeze_count walks every frozen object")

    gcpause.freeze()
    try:
        monkeypatch.setattr(gc, "get_freeze_count", walks)
        board = Store(demo_folder).load()
        monkeypatch.undo()
        assert gc.get_freeze_count() > len(board.customers)  # frozen with the rest
    finally:
        gcpause.thaw()
