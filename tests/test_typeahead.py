"""Keys held while a write is under way (tuiboard/board/typeahead.py): which hold, when
they go, in what order."""

from __future__ import annotations

import asyncio

from tuiboard.board.typeahead import TypeAhead


def typeahead() -> tuple[TypeAhead, asyncio.Lock, asyncio.Event]:
    writing, due = asyncio.Lock(), asyncio.Event()
    return TypeAhead(writing, due.set), writing, due


def drain(keys: TypeAhead) -> list[str]:
    out = []
    while (held := keys.next_held()) is not None:
        out.append(str(held[0]))
    return out


async def test_nothing_under_way_holds_nothing() -> None:
    keys, _, _ = typeahead()
    assert not keys.hold("cursor(1)", None)
    assert keys.next_held() is None


async def test_keys_after_a_write_key_wait_for_its_write_then_go_in_order() -> None:
    keys, writing, due = typeahead()
    flow = keys.started()  # the key's press: its worker has not run yet
    assert keys.hold("focus_column(-1)", None) and keys.hold("cursor(1)", None)
    with keys.running(flow):
        async with writing:
            keys.landed()  # drawn; the lock still held while the card is followed
            assert keys.hold("cursor(-1)", None) and drain(keys) == []
        await asyncio.wait_for(due.wait(), 5)
        # the flow's hooks still run: they hold nothing
        assert drain(keys) == ["focus_column(-1)", "cursor(1)", "cursor(-1)"]
        assert not keys.hold("cursor(1)", None)


async def test_a_flow_that_writes_nothing_lets_the_keys_go_when_it_ends() -> None:
    keys, _, due = typeahead()
    flow = keys.started()
    assert keys.hold("cursor(1)", None)
    with keys.running(flow):  # the dialog cancelled
        pass
    await asyncio.wait_for(due.wait(), 5)
    assert drain(keys) == ["cursor(1)"]


async def test_a_held_key_that_starts_a_flow_holds_the_rest_again() -> None:
    keys, _, due = typeahead()
    first = keys.started()
    keys.hold("move(1)", None)
    keys.hold("cursor(1)", None)
    with keys.running(first):
        pass
    await asyncio.wait_for(due.wait(), 5)
    due.clear()
    held = keys.next_held()
    assert held is not None and held[0] == "move(1)"
    second = keys.started()  # what running move(1) does
    assert keys.next_held() is None and keys.hold("cursor(-1)", None)
    with keys.running(second):
        pass
    await asyncio.wait_for(due.wait(), 5)
    assert drain(keys) == ["cursor(1)", "cursor(-1)"]


async def test_a_write_outside_any_flow_holds_the_keys_while_it_holds_the_lock() -> None:
    keys, writing, due = typeahead()
    async with writing:  # an undo, a bulk write
        assert keys.hold("cursor(1)", None)
    await asyncio.wait_for(due.wait(), 5)
    assert drain(keys) == ["cursor(1)"]
