"""The toml-test suite dropped into customers/: every invalid file is reported, none crashes
or is touched, and the rest of the folder still loads."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import TOML_TEST, needs_toml_test, write_customer

from pipeline.store import Store
from pipeline.tomlread import parse_toml, read_text

INVALID = sorted((TOML_TEST / "invalid").rglob("*.toml"))
VALID = sorted((TOML_TEST / "valid").rglob("*.toml"))
GOOD = 'name = "Acme"\nstage = "intent"\n'
pytestmark = needs_toml_test


def drop_in(folder: Path, files: list[Path], base: Path) -> dict[str, bytes]:
    """Copy the files into customers/ under flat names; returns name -> original bytes."""
    originals = {}
    for src in files:
        name = "--".join(src.relative_to(base).parts)
        shutil.copyfile(src, folder / "customers" / name)
        originals[name] = src.read_bytes()
    return originals


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuiboard", "-C", str(folder), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_suite_is_there() -> None:
    assert len(INVALID) > 400 and len(VALID) > 150


def test_every_invalid_file_is_reported_with_path_and_line(folder: Path) -> None:
    originals = drop_in(folder, INVALID, TOML_TEST / "invalid")
    write_customer(folder, "acme", GOOD)
    out = check(folder)
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    pattern = r"^customers/([^:\n]+):(\d+):\d+: error: "
    located = {m[0]: int(m[1]) for m in re.findall(pattern, out.stdout, re.M)}
    missing = sorted(set(originals) - set(located))
    assert missing == []
    assert all(line >= 1 for line in located.values())
    for name, raw in originals.items():  # none is modified
        assert (folder / "customers" / name).read_bytes() == raw
    board = Store(folder, use_cache=False).load()  # the rest still loads
    assert list(board.customers) == ["acme"]
    assert set(board.problems_by_file) == {folder / "customers" / n for n in originals}


def test_invalid_files_fail_to_parse_like_tomllib() -> None:
    """Each invalid file is a syntax (or encoding) error, reported with a position inside the file."""
    for src in INVALID:
        raw = src.read_bytes()
        text, problems = read_text(raw, src)
        if text is not None:
            data, problems = parse_toml(text, src)
            assert data is None, src
        [p] = [p for p in problems if p.is_error]
        lines = max(1, raw.count(b"\n") + 1)
        assert 1 <= p.line <= lines and p.column >= 1, (src, p)


def test_valid_files_parse_without_crashing() -> None:
    for src in VALID:
        text, problems = read_text(src.read_bytes(), src)
        assert text is not None and not [p for p in problems if p.is_error], src
        data, problems = parse_toml(text, src)
        assert data is not None and problems == [], src


def test_valid_files_as_customers_get_schema_problems_only(folder: Path) -> None:
    originals = drop_in(folder, VALID, TOML_TEST / "valid")
    write_customer(folder, "acme", GOOD)
    out = check(folder)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    board = Store(folder, use_cache=False).load()
    assert "acme" in board.customers
    for name, raw in originals.items():
        assert (folder / "customers" / name).read_bytes() == raw
    assert not any("Invalid" in p.message or "Expected" in p.message for p in board.problems)
