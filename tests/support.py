"""What several test files share: the sample customers (`tests/samples/*.toml`), small
helpers for writing customers into a test folder, and waiting for the board. Fixtures are in
conftest.py; a team on git is tests/gitteam.py."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tuiboard.app import BoardApp

SAMPLES = Path(__file__).resolve().parent / "samples"

# A valid customer named by the caller: ``MINIMAL.format(name="Acme")``.
MINIMAL = 'name = "{name}"\nstage = "intent"\n'


def sample(name: str) -> str:
    """A sample customer's exact text: ``suzhou`` (the format's example, with comments),
    ``suzhou-commented`` (comments on the lines a merge touches), ``hand-written`` (odd
    spacing, inline tables, a multi-line string: what an edit must keep byte for byte)."""
    return (SAMPLES / f"{name}.toml").read_bytes().decode("utf-8")


def put(folder: Path, cid: str, name: str | None = None) -> Path:
    """``customers/<cid>.toml`` holding a minimal valid customer (name from the id)."""
    path = folder / "customers" / f"{cid}.toml"
    path.write_text(MINIMAL.format(name=name or cid.title()), encoding="utf-8")
    return path


async def until(
    app: BoardApp, pilot: Pilot[Any], check: Callable[[], bool], timeout: float = 20.0, workers: bool = False
) -> None:
    """Wait for ``check``: woken by every reload the board applies, with a generous deadline
    (a loaded machine is slow, not wrong). ``workers``: also let the app's workers finish
    before each look (git runs in one)."""
    deadline = time.monotonic() + timeout
    while True:
        if workers:
            await app.workers.wait_for_complete()
        await pilot.pause()
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the board")
        app.reloaded.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.reloaded.wait(), 0.05)
