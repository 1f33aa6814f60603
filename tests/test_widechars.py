"""Chinese text drawn over the board's columns keeps every character (tuiboard/widechars.py)."""

from __future__ import annotations

from pathlib import Path

from tests.support import until
from tests.test_app import pipe, screen_lines  # noqa: F401  (pipe: the fixture)
from tuiboard.app import BoardApp

TOAST = "杭州星河软件有限公司 → 认可客户"


async def test_a_chinese_toast_over_the_column_edges_keeps_every_character(pipe: Path) -> None:  # noqa: F811
    """Textual divides every line at every widget's edge and draws two spaces for a wide
    character cut in half: the toast lost 河 and 认 where they crossed a column's edge (at 112
    columns among these widths). It must read whole at each width."""
    app = BoardApp(pipe)
    app.NOTIFICATION_TIMEOUT = 600
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(app, pilot, lambda: app.screen.view is not None)
        app.say(TOAST)
        await until(app, pilot, lambda: bool(app.screen.query("Toast")))
        for width in range(106, 122):
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            lines = screen_lines(app)
            assert any(TOAST in line for line in lines), f"at {width} columns: " + " / ".join(
                line.strip() for line in lines if "→" in line and "▌" in line
            )
