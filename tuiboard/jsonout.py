"""Every `--json` output's version, and the one way they are printed (docs/json.md).

A version goes up when a key is removed, renamed or changes its type; tests/test_tools.py
compares each output's shape with tests/json_shapes.json and fails if the shape changed
while the version did not.

The text is msgspec's (its C encoder): with ``indent``, what ``json.dumps(value,
ensure_ascii=False, indent=indent)`` writes for the commands' values (keys in insertion
order, non-ASCII kept) in a sixth of the time at 10,000 customers; without, one line with
no spaces. A NaN or infinity becomes ``null`` (valid JSON) instead of a bare ``NaN``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pipeline.problems import json_printable

VERSIONS: dict[str, int] = {
    "list": 1,
    "show": 1,
    "report": 2,
    "sales-report": 1,
    "tiers": 1,
    "today": 2,
    "due": 1,
    "hook": 1,
    "slip": 1,
}

_encoder = msgspec.json.Encoder()


def document(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with ``version`` as its first key."""
    return {"version": VERSIONS[kind], **payload}


def dumps(kind: str, payload: dict[str, Any], *, indent: int | None = 2) -> str:
    """The versioned JSON text, safe for a terminal (see `json_printable`)."""
    text = _encoder.encode(document(kind, payload))
    if indent is not None:
        text = msgspec.json.format(text, indent=indent)
    return json_printable(text.decode())
