"""The board's start and the cyclic GC: no collection until the board is loaded, the loaded
board frozen out of every later one, collections back on for everything after."""

from __future__ import annotations

import gc
from pathlib import Path

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
            frozen = gc.get_freeze_count()
            assert frozen > len(customers)
            assert gc.collect() >= 0 and gc.get_freeze_count() == frozen  # a collection leaves them out
    finally:
        gc.unfreeze()  # the rest of this process's tests as they were
        gc.enable()
