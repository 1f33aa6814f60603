"""Keys held while a write is under way (tuiboard/board/typeahead.py): which hold, when
they go, in what order."""

from __future__ import annotations

import asyncio

from textual.events import Key

from tuiboard.board.typeahead import TypeAhead


class Due:
    """The app's `KeysDue`: how many times the next key was asked for."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()

    def __call__(self) -> None:
        self.asked.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self.asked.wait(), 5)
        self.asked.clear()


def typeahead() -> tuple[TypeAhead, asyncio.Lock, Due]:
    writing, due = asyncio.Lock(), Due()
    return TypeAhead(writing, due), writing, due


def press(keys: TypeAhead, *names: str, on_board: bool = True) -> list[bool]:
    return [keys.hold(Key(name, None), on_board) for name in names]


def drain(keys: TypeAhead, on_board: bool = True) -> list[str]:
    out = []
    while (key := keys.next_held(on_board)) is not None:
        out.append(key.key)
    return out


async def test_nothing_under_way_holds_nothing() -> None:
    keys, _, _ = typeahead()
    assert press(keys, "j") == [False]
    assert keys.next_held(True) is None


async def test_keys_after_a_write_key_wait_for_its_write_then_go_in_order() -> None:
    keys, writing, due = typeahead()
    flow = keys.started()  # the key's press: its worker has not run yet
    assert press(keys, "h", "j") == [True, True]
    with keys.running(flow):
        async with writing:
            keys.landed()  # drawn; the lock still held while the card is followed
            assert press(keys, "k") == [True] and drain(keys) == []
        await due.wait()
        # the flow's hooks still run: they hold nothing
        assert drain(keys) == ["h", "j", "k"]
        assert press(keys, "j") == [False]


async def test_each_key_given_back_asks_for_the_next() -> None:
    """One key at a time: the app takes the next with a new message, after what the key
    before did (a focus change Textual applies later) has happened."""
    keys, _, due = typeahead()
    with keys.running(keys.started()):
        press(keys, "h", "j")
    await due.wait()
    assert keys.next_held(True).key == "h"  # type: ignore[union-attr]
    assert not due.asked.is_set()  # not before h has acted
    keys.go_on()
    await due.wait()  # the next is asked for
    assert keys.next_held(True).key == "j"  # type: ignore[union-attr]
    keys.go_on()
    assert not due.asked.is_set()  # none left


async def test_a_flow_that_writes_nothing_lets_the_keys_go_when_it_ends() -> None:
    keys, _, due = typeahead()
    flow = keys.started()
    assert press(keys, "j") == [True]
    with keys.running(flow):  # the dialog cancelled
        pass
    await due.wait()
    assert drain(keys) == ["j"]


async def test_a_held_key_that_starts_a_flow_holds_the_rest_again() -> None:
    keys, _, due = typeahead()
    with keys.running(keys.started()):
        press(keys, "L", "j")
    await due.wait()
    assert keys.next_held(True).key == "L"  # type: ignore[union-attr]
    second = keys.started()  # what L does when it is taken
    assert keys.next_held(True) is None and press(keys, "k") == [True]
    with keys.running(second):
        pass
    await due.wait()
    assert drain(keys) == ["j", "k"]


async def test_keys_held_go_to_a_dialog_on_top_while_its_flow_runs() -> None:
    """L opened the criteria dialog: its flow runs, and the keys typed after L are the
    dialog's; a key pressed in a dialog is held only behind keys still held."""
    keys, _, due = typeahead()
    with keys.running(keys.started()):
        press(keys, "L", "s")
    await due.wait()
    assert keys.next_held(True).key == "L"  # type: ignore[union-attr]
    keys.started()  # L's flow, its dialog not open yet
    keys.go_on()
    await due.wait()
    assert keys.next_held(True) is None  # s waits ...
    keys.go_on()  # ... for the dialog, which opens
    await due.wait()
    assert press(keys, "enter", on_board=False) == [True]  # behind s
    assert drain(keys, on_board=False) == ["s", "enter"]
    assert press(keys, "escape", on_board=False) == [False]


async def test_a_write_outside_any_flow_holds_the_keys_while_it_holds_the_lock() -> None:
    keys, writing, due = typeahead()
    async with writing:  # an undo, a bulk write
        assert press(keys, "j") == [True]
    await due.wait()
    assert drain(keys) == ["j"]
