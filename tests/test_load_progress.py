"""A cold load reports its progress: the frame, then each chunk, with a provisional board of what is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_customer

import pipeline.store as store_mod
from pipeline.store import Store


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_load_reports_each_chunk_and_can_show_what_is_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    for i in range(25):
        write_customer(folder, f"c{i:02d}", f'name = "客户{i}"\nstage = "intent"\n')
    monkeypatch.setattr(store_mod, "CHUNK", 10)
    monkeypatch.setattr(store_mod, "POOL_THRESHOLD", 20)  # workers=2: the forked pool
    store = Store(folder, workers=workers)
    seen: list[tuple[int, int, int]] = []
    board = store.load(lambda done, total: seen.append((done, total, len(store.board().customers))))
    counts = [done for done, _, _ in seen]  # the frame, then chunks of 10, 10 and 5 as they are done
    assert len(counts) == 4 and counts[0] == 0 and counts == sorted(counts) and counts[-1] == 25
    assert all(total == 25 and shown == done for done, total, shown in seen)
    assert len(board.customers) == 25


def test_a_cold_load_parses_in_name_order_so_partial_boards_are_reproducible(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"c{i:02d}" for i in range(25)]
    for cid in reversed(names):
        write_customer(folder, cid, f'name = "{cid}"\nstage = "intent"\n')
    monkeypatch.setattr(store_mod, "CHUNK", 10)
    store = Store(folder, workers=1)
    seen: list[set[str]] = []
    store.load(lambda done, total: seen.append(set(store.board().customers)))
    assert seen == [set(), set(names[:10]), set(names[:20]), set(names)]


def test_a_load_of_one_chunk_has_no_frame(folder: Path) -> None:
    for i in range(3):
        write_customer(folder, f"c{i}", 'name = "C"\nstage = "intent"\n')
    seen: list[tuple[int, int]] = []
    Store(folder).load(lambda done, total: seen.append((done, total)))
    assert seen == [(3, 3)]


def test_a_warm_load_has_nothing_to_report(folder: Path) -> None:
    write_customer(folder, "a", 'name = "A"\nstage = "intent"\n')
    Store(folder).load()
    seen: list[tuple[int, int]] = []
    assert Store(folder).load(lambda done, total: seen.append((done, total))).customers.keys() == {"a"}
    assert seen == []
