"""Filters as data: each field narrows the view, fields combine with AND."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import load_preset
from pipeline.model import Customer, HistoryEntry
from pipeline.query import Filter, select

CONFIG = load_preset("seven-stage")
TODAY = date(2026, 11, 23)


def cust(cid: str, **kw: Any) -> Customer:
    kw.setdefault("stage", "intent")
    return Customer(id=cid, path=Path(f"{cid}.toml"), data={}, name=kw.pop("name", cid.upper()), **kw)


PEOPLE = [
    cust("a", tier="A", owner="wang.li", source="exhibition", tags=("ERP",), next_action="x", next_due=TODAY),
    cust("b", amount=1_200_000.0, owner="li.na", next_action="call", next_due=TODAY - timedelta(days=2)),
    cust("c", stage="won", next_due=TODAY - timedelta(days=5), next_action="回访"),
    cust("d", name="苏州华东", contact="张伟", history=(HistoryEntry(TODAY - timedelta(days=60), "intent"),)),
    cust("e", stage="lost"),
]


def ids(flt: Filter) -> list[str]:
    return [c.id for c in select(PEOPLE, flt, CONFIG, TODAY)]


def test_empty_filter_shows_everyone() -> None:
    assert not Filter().active
    assert ids(Filter()) == ["a", "b", "c", "d", "e"]


def test_each_field_narrows() -> None:
    assert ids(Filter(tiers=frozenset({"A"}))) == ["a", "b"]  # b's tier is computed from its amount
    assert ids(Filter(owners=frozenset({"li.na"}))) == ["b"]
    assert ids(Filter(sources=frozenset({"exhibition"}))) == ["a"]
    assert ids(Filter(tags=frozenset({"ERP", "OA"}))) == ["a"]
    assert ids(Filter(overdue=True)) == ["b"]  # c is overdue but won: not open
    assert ids(Filter(stale=True)) == ["d"]
    assert ids(Filter(no_next=True)) == ["d"]  # e has none but is lost


def test_text_search_over_name_id_contact_tags() -> None:
    assert ids(Filter(text="苏州")) == ["d"]
    assert ids(Filter(text="张伟")) == ["d"]
    assert ids(Filter(text="erp")) == ["a"]
    assert ids(Filter(text="B")) == ["b"]


def test_fields_combine_with_and() -> None:
    flt = Filter(tiers=frozenset({"A"}), overdue=True)
    assert flt.active and ids(flt) == ["b"]
    assert ids(flt.with_text("zzz")) == []


def test_select_takes_a_dict_too() -> None:
    assert [
        c.id for c in select({c.id: c for c in PEOPLE}, Filter(owners=frozenset({"wang.li"})), CONFIG, TODAY)
    ] == ["a"]


def test_describe() -> None:
    flt = Filter(tiers=frozenset({"B", "A"}), owners=frozenset({"wang.li"}), overdue=True, text="苏州")
    assert flt.describe() == 'tier A,B · owner wang.li · overdue · "苏州"'
    assert Filter().describe() == ""
