"""A cold load reports its progress chunk by chunk, with a provisional board of what is read."""

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
    counts = [done for done, _, _ in seen]  # chunks of 10, 10 and 5, in the order they are done
    assert len(counts) == 3 and counts == sorted(counts) and counts[-1] == 25
    assert all(total == 25 and shown == done for done, total, shown in seen)
    assert len(board.customers) == 25


def test_a_warm_load_has_nothing_to_report(folder: Path) -> None:
    write_customer(folder, "a", 'name = "A"\nstage = "intent"\n')
    Store(folder).load()
    seen: list[tuple[int, int]] = []
    assert Store(folder).load(lambda done, total: seen.append((done, total))).customers.keys() == {"a"}
    assert seen == []
