"""File names from customer names: always one safe, unique file inside customers/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import load_preset
from pipeline.edit import create_customer
from pipeline.names import MAX_STEM_BYTES, TakenIds, slug, unique_id
from pipeline.store import is_customer_file, load_board

WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


def assert_safe(stem: str) -> None:
    assert stem and stem not in (".", "..")
    assert not FORBIDDEN.intersection(stem)
    assert not stem.startswith((".", "#", "~", "-")) and not stem.endswith((".", " "))
    assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES
    assert stem.split(".")[0].lower() not in WINDOWS_RESERVED
    assert is_customer_file(f"{stem}.toml")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/x", "etc-x"),
        ("CON", "con-customer"),
        ("con.txt", "con-customer.txt"),
        ("a/b", "a-b"),
        ("北京云启科技", "北京云启科技"),
        ("Acme Logistics Ltd", "acme-logistics-ltd"),
        ("..", "customer"),
        ("#tmp~", "tmp~"),
        ("\u202eevil\x1b[31m", "evil-[31m"),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected
    assert_safe(slug(name))


def test_long_names_are_bounded_without_splitting_a_character() -> None:
    assert slug("x" * 300) == "x" * MAX_STEM_BYTES
    cjk = slug("华" * 300)
    assert cjk == "华" * (MAX_STEM_BYTES // 3)
    assert_safe(cjk)


def test_unique_id_appends_numbers_case_insensitively() -> None:
    assert unique_id("Acme", []) == "acme"
    assert unique_id("Acme", ["ACME"]) == "acme-2"
    assert unique_id("Acme", ["acme", "acme-2"]) == "acme-3"
    long_id = unique_id("x" * 300, ["x" * MAX_STEM_BYTES])
    assert long_id.endswith("-2") and len(long_id.encode()) <= MAX_STEM_BYTES


@given(st.text(max_size=400))
@settings(max_examples=150, deadline=None)
def test_any_name_gives_a_safe_stem(name: str) -> None:
    assert_safe(slug(name))


@pytest.mark.parametrize(
    "name", ["../../etc/x", "CON", "a/b", "y" * 300, "苏州华东精密机械有限公司", "  ", "/"]
)
def test_created_files_stay_inside_customers(folder: Path, name: str) -> None:
    config = load_preset("seven-stage")
    result = create_customer(folder, config, {"name": name, "stage": "target"})
    path = result.customer.path
    assert path.parent == folder / "customers"
    assert path.is_file() and os.path.realpath(path).startswith(os.path.realpath(folder / "customers"))
    assert_safe(path.stem)
    written = {p.name for p in folder.rglob("*") if p.is_file() and ".tuiboard" not in p.parts}
    assert written == {"pipeline.toml", path.name}  # .tuiboard/ holds the write lock
    board = load_board(folder, use_cache=False)
    assert board.customers[path.stem].name == name and not board.problems


def test_same_name_twice_makes_two_files(folder: Path) -> None:
    config = load_preset("seven-stage")
    first = create_customer(folder, config, {"name": "CON", "stage": "target"}).customer
    second = create_customer(folder, config, {"name": "con", "stage": "target"}).customer
    assert (first.id, second.id) == ("con-customer", "con-customer-2")


def test_taken_ids_fold_like_a_list_does() -> None:
    taken = TakenIds(["ACME"])
    assert unique_id("acme", taken) == unique_id("acme", ["ACME"]) == "acme-2"
    taken.add("acme-2")
    assert unique_id("Acme", taken) == "acme-3" and len(taken) == 2 and "Acme-2" in taken
