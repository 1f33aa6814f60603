"""Every `--json` output's version, and the one way they are printed (docs/json.md).

A version goes up when a key is removed, renamed or changes its type; tests/test_tools.py
compares each output's shape with tests/json_shapes.json and fails if the shape changed
while the version did not.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.problems import json_printable

VERSIONS: dict[str, int] = {
    "list": 1,
    "show": 1,
    "report": 1,
    "sales-report": 1,
    "tiers": 1,
    "today": 1,
    "due": 1,
    "hook": 1,
}


def document(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with ``version`` as its first key."""
    return {"version": VERSIONS[kind], **payload}


def dumps(kind: str, payload: dict[str, Any], *, indent: int | None = 2) -> str:
    """The versioned JSON text, safe for a terminal (see `json_printable`)."""
    return json_printable(json.dumps(document(kind, payload), ensure_ascii=False, indent=indent))
