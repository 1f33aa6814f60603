"""Today's date; ``TUIBOARD_TODAY`` pins it for tests and demos. Date phrases are read by
`pipeline.parse_input.parse_when`, the one date parser of the CLI, the board and its forms."""

from __future__ import annotations

import os
from datetime import date


def today() -> date:
    pinned = os.environ.get("TUIBOARD_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()
