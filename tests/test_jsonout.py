"""`--json` text: the stdlib's indented text for the commands' values, safe for a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TODAY
from hypothesis import given
from hypothesis import strategies as st

from pipeline.store import load_board
from tuiboard.cli import customer_record
from tuiboard.jsonout import json_text

_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
)


def stdlib(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@given(_values)
def test_reads_back_as_the_value_in_the_same_key_order(value: object) -> None:
    text = json_text(value)
    assert json.loads(text) == value
    back = json.loads(text, object_pairs_hook=lambda pairs: [k for k, _ in pairs])
    assert back == json.loads(stdlib(value), object_pairs_hook=lambda pairs: [k for k, _ in pairs])


@given(_values)
def test_nothing_a_terminal_acts_on(value: object) -> None:
    """No C0/C1 control but the newlines of the layout, no DEL, no line separator, no bidi control."""
    text = json_text(value)
    acting = set(map(chr, [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F)]))
    acting |= set(map(chr, range(0x2066, 0x206A)))
    assert not (set(text) - {"\n"}) & acting, text


def test_the_same_text_as_the_stdlib_for_a_folders_records(demo_folder: Path) -> None:
    board = load_board(demo_folder)
    records = [customer_record(c, board, TODAY) for c in board.customers.values()]
    records.append({"name": "苏州\u202e华东", "empty": [], "nested": {}, "ratio": 0.125})
    assert json_text(records) == stdlib(records).replace("\u202e", "\\u202e")
