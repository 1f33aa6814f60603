"""A cold start drawn as it parses: the board's frame, then partial boards with a provisional
status and headers, then the whole board; keys that write wait for it.

The folder is real (1,200 demo customers, no cache: three chunks of `store.CHUNK` = 500) and so
is the app; only its store thread is held after each partial board until the test lets it go
on (`PacedApp.step`), so what is on screen at each step is known without a sleep.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import pipeline.store as store_mod
import tuiboard.app as app_module
from pipeline.demo import write_demo
from tests.conftest import TODAY
from tests.test_app import notes, until, vim_save
from tuiboard.app import BoardApp
from tuiboard.board.loading import Pacer
from tuiboard.board.screen import BoardScreen
from tuiboard.widgets.column import ColumnHeader, StageColumn
from tuiboard.widgets.statusbar import StatusBar

N = 1200  # three chunks: 500, 1,000, 1,200
REFUSED = "客户还没加载完，请稍候再试"


class PacedApp(BoardApp):
    """The real app; its store thread waits after each partial board it posted until `step`."""

    CSS_PATH = str(Path(app_module.__file__).with_name(BoardApp.CSS_PATH))  # not beside this file
    PARTIAL_EVERY = 0.0  # every chunk's board is posted: which ones are is then certain

    def __init__(self, root: Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self._go_on = threading.Semaphore(0)
        self._closing = False

    def load_progress(self, done: int, total: int) -> None:
        super().load_progress(done, total)
        if done < total and not self._closing:
            self._go_on.acquire()

    def step(self) -> None:
        self._go_on.release()

    def on_unmount(self) -> None:
        self._closing = True  # a test that ends mid-load lets the store thread finish
        self._go_on.release(N)
        super().on_unmount()


@pytest.fixture(scope="session")
def cold_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cold") / "pipe"
    write_demo(root, N, 7, TODAY)
    return root


@pytest.fixture
def cold(tmp_path: Path, cold_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy: new inodes, no `.tuiboard/` cache, as a fresh clone."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # no git state from above
    root = tmp_path / "pipe"
    shutil.copytree(cold_template, root, copy_function=shutil.copyfile)
    assert len(list((root / "customers").iterdir())) == N > 2 * store_mod.CHUNK
    return root


def status(app: BoardApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


def headers(app: BoardApp) -> list[str]:
    return [h.render().plain for h in app.screen.query(ColumnHeader) if h.parent.display]  # type: ignore[union-attr]


def shown(app: BoardApp) -> int:
    screen = app.screen
    assert isinstance(screen, BoardScreen) and screen.board is not None
    return len(screen.board.customers)


@asynccontextmanager
async def paced(root: Path, **kwargs: Any) -> AsyncIterator[tuple[PacedApp, Pilot[Any]]]:
    app = PacedApp(root, **kwargs)
    app.NOTIFICATION_TIMEOUT = 600
    async with app.run_test(size=(120, 40)) as pilot:
        yield app, pilot


async def at(app: BoardApp, pilot: Pilot[Any], done: int) -> None:
    """Wait for the partial board of ``done`` files (or the whole board: ``done=N``)."""
    if done == N:
        await until(app, pilot, lambda: not app.loading and app.screen.progress is None)
    else:
        await until(app, pilot, lambda: app.screen.progress == (done, N) and not app.pacer.waiting)
    await pilot.pause()


async def test_the_frame_then_partial_boards_marked_provisional_then_the_whole_board(cold: Path) -> None:
    async with paced(cold) as (app, pilot):
        await at(app, pilot, 0)  # pipeline.toml read, nothing parsed: the frame
        assert shown(app) == 0 and len(headers(app)) >= 5
        assert status(app).startswith("加载中 0 / 1,200 · 合计为临时数 │ 0 个客户")
        assert all(h.split("\n")[0].endswith("≥0") for h in headers(app))

        app.step()
        await at(app, pilot, 500)
        assert shown(app) == 500
        assert status(app).startswith("加载中 500 / 1,200 · 合计为临时数 │ 500 个客户 │")
        first = headers(app)[0]
        assert "≥" in first.split("\n")[0] and "Σ ≥" in first
        counts = [int(h.split("\n")[0].rsplit("≥", 1)[1]) for h in headers(app)]
        assert 0 < sum(counts) <= 500

        await pilot.press("ctrl+l")  # the status speaks the board's language
        assert status(app).startswith("loading 500 / 1,200 · sums provisional │ 500 customers │")
        await pilot.press("ctrl+l")

        app.step()
        await at(app, pilot, 1000)
        assert shown(app) == 1000 and status(app).startswith("加载中 1,000 / 1,200")

        app.step()
        await at(app, pilot, N)
        assert shown(app) == N
        assert status(app).startswith("1200 个客户 │") and "加载中" not in status(app)
        assert not any("≥" in h for h in headers(app))
        assert (cold / ".tuiboard" / "cache.msgpack").is_file()


KEYS = ["n", "w", "x", "shift+right", "e", "a", "i", "u", "E", "C", "P", "S", "V", "t", "c", "p"]


async def test_keys_that_write_or_sum_up_the_folder_wait_for_the_whole_board(cold: Path) -> None:
    before = {p.name: p.read_bytes() for p in (cold / "customers").iterdir()}
    async with paced(cold) as (app, pilot):
        app.step()
        await at(app, pilot, 500)
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen), f"{key} opened {app.screen}"
        assert notes(app) == [REFUSED] * len(KEYS)
        app.step()
        app.step()
        await at(app, pilot, N)
        await app.workers.wait_for_complete()
    assert {p.name: p.read_bytes() for p in (cold / "customers").iterdir()} == before


async def test_looking_works_while_loading_and_writing_once_it_is_done(cold: Path) -> None:
    async with paced(cold) as (app, pilot):
        app.step()
        await at(app, pilot, 500)
        await pilot.press("enter")  # details: of a card read, nothing written
        await until(app, pilot, lambda: type(app.screen).__name__ == "DetailsScreen")
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, BoardScreen))
        app.step()
        app.step()
        await at(app, pilot, N)
        await pilot.press("n")
        await until(app, pilot, lambda: type(app.screen).__name__ == "CustomerFormScreen")
        assert REFUSED not in notes(app)


async def test_cursors_keep_their_row_while_cards_arrive_and_a_chosen_card_stays_chosen(cold: Path) -> None:
    async with paced(cold) as (app, pilot):
        await at(app, pilot, 0)
        await pilot.press("s")  # by amount: cards read later sort in above the first ones
        assert app.screen.sort == "amount"
        app.step()
        await at(app, pilot, 500)
        untouched, chosen = [c for c in app.screen.query(StageColumn) if c.display][:2]
        assert app.screen.focused is untouched.cards and len(chosen.cards.cards) >= 3
        await pilot.press("l", "j", "j")  # the person picks the third card of the second column
        picked, top = chosen.cards.selected, untouched.cards.selected
        assert picked is not None and chosen.cards.cursor == 2 and top is not None
        for done in (1000, N):
            app.step()
            await at(app, pilot, done)
            # the first column was left alone: its cursor stays on the top row, whatever sorts in
            assert untouched.cards.cursor == 0 and untouched.cards.scroll_y == 0
            assert untouched.cards.selected is untouched.cards.cards[0]
            assert chosen.cards.selected is not None and chosen.cards.selected.id == picked.id
            assert app.screen.focused is chosen.cards
        assert untouched.cards.selected is not top  # a bigger deal was read later: it is on top now
        assert app.screen.selected() is chosen.cards.selected
        assert not app.screen.cursors.active  # from now on, as after any reload: by customer


async def test_a_saved_view_holds_through_the_partial_boards(cold: Path) -> None:
    config = cold / "pipeline.toml"
    config.write_text(config.read_text("utf-8") + '\n[views."A类"]\ntier = ["A"]\n', encoding="utf-8")
    async with paced(cold, view="A类") as (app, pilot):
        await at(app, pilot, 0)
        app.step()
        await at(app, pilot, 500)
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.view is not None
        assert screen.view_flt is not None and screen.flt == screen.view_flt  # the view, from the first board
        assert 0 < screen.view.shown < screen.view.total == 500
        assert "视图: A类" in str(screen.query_one("#title").content)
        assert status(app).split(" │ ")[1] == f"{screen.view.shown}/500 个客户"
        app.step()
        app.step()
        await at(app, pilot, N)
        assert screen.flt == screen.view_flt and "视图: A类" in str(screen.query_one("#title").content)
        assert status(app).split(" │ ")[0] == f"{screen.view.shown}/{N} 个客户"


async def test_a_file_edited_during_the_load_is_on_the_whole_board(cold: Path) -> None:
    first = sorted((cold / "customers").iterdir())[0]  # parsed in the first chunk (name order)
    async with paced(cold, debounce=0.05) as (app, pilot):
        app.step()
        await at(app, pilot, 500)
        text = re.sub(r'^name = ".*"$', 'name = "改过的名字"', first.read_text("utf-8"), count=1, flags=re.M)
        vim_save(first, text)
        app.step()
        app.step()
        await at(app, pilot, N)
        cid = first.stem
        await until(
            app, pilot, lambda: app.board is not None and app.board.customers[cid].name == "改过的名字"
        )
        assert app.screen.board is app.board


def test_partial_boards_are_paced_by_the_clock_and_by_the_screen() -> None:
    pacer = Pacer(every=3600.0)
    assert pacer.due(0) and pacer.due(500)  # the frame, the first cards: at once
    pacer.drawn(0.01)
    assert not pacer.due(1000)  # then at most one an hour
    fast = Pacer(every=0.0)
    assert fast.due(0) and fast.due(500)
    assert not fast.due(1000)  # the last one is not on screen yet
    fast.drawn(0.0)
    assert fast.due(1000)


def test_snapshot_a_partial_board_with_its_loading_status(snap_compare: Any, cold: Path) -> None:
    app = PacedApp(cold)

    async def at_500(pilot: Pilot[Any]) -> None:
        app.step()
        await at(app, pilot, 500)

    assert snap_compare(app, terminal_size=(120, 40), run_before=at_500)
