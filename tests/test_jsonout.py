"""`--json` text: the stdlib's indented text for the commands' values, safe for a terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import TODAY
from hypothesis import given
from hypothesis import strategies as st

from pipeline.store import load_board
from tuiboard.cli.reading import customer_record
from tuiboard.jsonout import document, dumps

_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
)
_payloads = st.dictionaries(st.text(), _values, max_size=4)


def stdlib(payload: dict[str, Any], indent: int | None = 2) -> str:
    return json.dumps(document("list", payload), ensure_ascii=False, indent=indent)


def keys_in_order(text: str) -> object:
    return json.loads(text, object_pairs_hook=lambda pairs: [(k, v) for k, v in pairs])


@given(_payloads)
def test_reads_back_as_the_value_in_the_same_key_order(payload: dict[str, Any]) -> None:
    for indent in (2, None):
        text = dumps("list", payload, indent=indent)
        assert json.loads(text) == document("list", payload)
        assert keys_in_order(text) == keys_in_order(stdlib(payload, indent))
    assert "\n" not in dumps("list", payload, indent=None)


@given(_payloads)
def test_nothing_a_terminal_acts_on(payload: dict[str, Any]) -> None:
    """No C0/C1 control but the newlines of the layout, no DEL, no line separator, no bidi control."""
    acting = set(map(chr, [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F)]))
    acting |= set(map(chr, range(0x2066, 0x206A)))
    for indent in (2, None):
        assert not (set(dumps("list", payload, indent=indent)) - {"\n"}) & acting


def test_the_same_text_as_the_stdlib_for_a_folders_records(demo_folder: Path) -> None:
    board = load_board(demo_folder)
    records: list[dict[str, Any]] = [customer_record(c, board, TODAY) for c in board.customers.values()]
    records.append({"name": "苏州\u202e华东", "empty": [], "nested": {}, "ratio": 0.125})
    payload = {"customers": records}
    assert dumps("list", payload) == stdlib(payload).replace("\u202e", "\\u202e")
