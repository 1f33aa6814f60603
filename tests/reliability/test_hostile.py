"""Hostile text in customer files: escape sequences and control characters are drawn
harmlessly, by the CLI and on the board's actual screen, and no name escapes customers/."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import tomli_w

from pipeline import edit
from pipeline.config import Config
from pipeline.problems import printable
from pipeline.store import Store, is_customer_file
from tests.conftest import TODAY, write_customer
from tests.test_app import board, screen_named, select, until

if TYPE_CHECKING:
    from .conftest import Tally

Harmless = Callable[[str, str], None]

# What a file may smuggle towards a terminal.
ATTACKS = {
    "osc title": "\x1b]0;pwned\x07",
    "osc 8 link": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "csi clear": "\x1b[2J\x1b[H",
    "csi colour": "\x1b[31;1m",
    "bracketed paste": "\x1b[200~rm -rf ~\n\x1b[201~",
    "c1 csi": "\x9b31m",
    "c1 osc": "\x9d0;t\x9c",
    "c0": "\x07\x08\x0b\x0c\r\x7f",
    "bidi override": "\u202egnp.exe\u202c",
    "bidi isolate": "\u2066x\u2069",
}
HOSTILE = "".join(ATTACKS.values())
SALES = "sales\u202e\x9b.csv"  # a raw sales report, hostile from its file name to its rows


def hostile_customer(i: int, what: str) -> dict[str, Any]:
    evil = ATTACKS[what]
    return {
        "name": f"客户{i} {evil} Corp",
        "stage": "intent" if i % 2 else "target",
        "owner": f"rep{evil}",
        "source": f"src{evil}",
        "amount": 1000 * (i + 1),
        "tags": [f"tag{evil}"],
        "competitor": f"rival{evil}",
        f"extra{evil}": f"field{evil}",
        "contact": {"name": f"张{evil}"},
        "company": {"industry": f"制造{evil}"},
        "next": {"action": f"call{evil}", "due": TODAY},
        "history": [{"date": TODAY, "stage": "target"}],
        "log": [{"date": TODAY, "kind": "call", "note": f"note{evil}"}],
    }


@pytest.fixture
def hostile(folder: Path) -> Path:
    for i, what in enumerate(ATTACKS):
        write_customer(folder, f"evil{i}", tomli_w.dumps(hostile_customer(i, what)))
    # Raw control bytes make a file invalid TOML; its problem excerpt shows the line.
    (folder / "customers" / "raw.toml").write_bytes(f'name = "{HOSTILE}"\nstage = "target"\n'.encode())
    (folder / "customers" / "lost.toml").write_text(
        tomli_w.dumps({"name": "丢", "stage": "lost", "lost_reason": f"价格{HOSTILE}"}), encoding="utf-8"
    )
    with open(folder / SALES, "w", encoding="utf-8", newline="") as fh:
        sales = csv.writer(fh)
        sales.writerow(["产品名称", "客户名称", "价税合计"])
        for i, evil in enumerate(ATTACKS.values()):
            sales.writerow([f"ERP{evil}", f"客户{evil}", 1000 * (i + 1)])
    return folder


def cli(root: Path, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "tuiboard", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run.stdout + run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--json"),
        *(("show", f"evil{i}") for i in range(len(ATTACKS))),
        ("show", "lost"),
        ("check",),
        ("report", "--chart", "summary"),
        ("report", "--json"),
        ("report", "--width", "120"),
        ("report", "--sales-report", SALES, "--json"),
        ("report", "--sales-report", SALES, "--width", "120"),
        ("report", "--sales-report", f"missing{HOSTILE}.csv"),  # error messages name the file
        ("show", f"no-such{HOSTILE}"),
    ],
    ids=lambda a: printable(" ".join(a)),
)
def test_cli_output_is_harmless(
    hostile: Path, args: tuple[str, ...], assert_harmless: Harmless, tally: Tally
) -> None:
    out = cli(hostile, *(str(hostile / a) if a == SALES else a for a in args))
    assert out.strip()
    assert_harmless(out, f"`tuiboard {' '.join(args)}`")
    assert "\\x" in out or "\\u" in out, "the attack is not shown as a visible escape"
    if SALES in args:
        assert "cannot read" not in out and "10" in out, out  # its 10 rows were read
    tally.add("hostile: CLI outputs checked")


def screen_text(app: Any) -> list[str]:
    """Every line the compositor would send to the terminal, as text, segment by segment."""
    strips = app.screen._compositor.render_strips()
    lines = []
    for strip in strips:
        assert not any(seg.control for seg in strip), "a control segment reached the screen"
        lines.append("".join(seg.text for seg in strip))
    return lines


async def test_the_board_draws_hostile_text_harmlessly(
    hostile: Path, assert_harmless: Harmless, tally: Tally
) -> None:
    async with board(hostile) as (app, pilot):
        await until(app, pilot, lambda: len(app.board.customers) == len(ATTACKS) + 1)
        app.screen.action_toggle_lost()
        await pilot.pause()
        shown = screen_text(app)
        assert any("客户0" in line for line in shown), "the hostile cards are not on screen"
        for line in shown:
            assert_harmless(line, "the board")
        for i in range(len(ATTACKS)):
            await select(app, pilot, f"evil{i}")
            await pilot.press("enter")
            await screen_named(app, pilot, "DetailsScreen")
            details = screen_text(app)
            assert any(f"客户{i}" in line for line in details)
            for line in details:
                assert_harmless(line, f"details of evil{i}")
            await pilot.press("escape")
            await screen_named(app, pilot, "BoardScreen")
            tally.add("hostile: details screens checked")
        await pilot.press("p")
        await screen_named(app, pilot, "ProblemsScreen")
        await pilot.press("end")  # raw.toml sorts last
        await pilot.pause()
        problems = screen_text(app)
        assert any("raw.toml" in line for line in problems)
        for line in problems:
            assert_harmless(line, "the problems screen")
        for note in app._notifications:
            assert_harmless(str(note.message), "a notification")
    tally.add("hostile: board screens checked")


ESCAPING_NAMES = [
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    ".",
    "...",
    "~root",
    "#tmp#",
    ".hidden",
    "a/../../b",
    "..\\..\\windows\\system32",
    "C:\\evil",
    "\x00nul",
    "CON",
    "lpt1.txt",
    "name\nwith\nnewlines",
    "\u202eexe.toml",
    HOSTILE,
    "x" * 400,
    "客" * 200,
    "   ",
]


@pytest.mark.parametrize("name", ESCAPING_NAMES, ids=range(len(ESCAPING_NAMES)))
def test_names_never_escape_the_customers_folder(
    folder: Path, name: str, config: Config, tally: Tally
) -> None:
    result = edit.create_customer(folder, config, {"name": name, "stage": "target"})
    path = result.customer.path
    assert path.parent == folder / "customers" and path.resolve().parent == (folder / "customers").resolve()
    assert is_customer_file(path.name), path.name
    assert len(path.name.encode()) < 255
    assert Store(folder, use_cache=False).load().customers[path.stem].name == name
    state = ".tuiboard"  # the tool's own folder: it holds the write lock
    assert sorted(p.name for p in folder.iterdir() if p.name != state) == ["customers", "pipeline.toml"]
    tally.add("hostile: escaping names created inside customers/")


def test_cli_new_keeps_escaping_names_inside(folder: Path, tally: Tally) -> None:
    for name in ("../../outside", "/tmp/abs", ".hidden", "~x"):
        out = cli(folder, "new", name)
        path = Path(out.strip())
        assert path.parent.resolve() == (folder / "customers").resolve(), out
        assert is_customer_file(path.name)
    assert not (folder.parent / "outside.toml").exists()
    tally.add("hostile: escaping names via `tuiboard new`", 4)
