"""Filters as data: each field narrows the view, fields combine with AND."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline import search
from pipeline.config import load_preset
from pipeline.model import Customer, HistoryEntry, lazy_data
from pipeline.query import Filter, select

CONFIG = load_preset("seven-stage")
TODAY = date(2026, 11, 23)


def cust(cid: str, **kw: Any) -> Customer:
    kw.setdefault("stage", "intent")
    data = kw.pop("data", {})
    return Customer(id=cid, path=Path(f"{cid}.toml"), data=data, name=kw.pop("name", cid.upper()), **kw)


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


# -- finding a customer (pipeline.search, the matcher behind / and g) ------------------------

FOLK = [
    cust("hangzhou-zhonglian", name="杭州中联软件有限公司", contact="王磊"),
    cust("hangzhou-boyuan", name="杭州博远物流有限公司"),
    cust("chongqing-changan", name="重庆长安汽车配件厂"),
    cust(
        "acme",
        name="Acme Logistics Group",
        contact="李娜",
        data={"contact": {"name": "李娜", "phone": "+86 138 1234 5678", "email": "lina@acme.example"}},
    ),
    cust("suzhou-huadong", name="苏州华东精密机械", tags=("ERP",)),
]


def found(text: str) -> list[str]:
    return [c.id for c in search.rank(FOLK, text)]


def test_pinyin_initials_and_full_pinyin_find_chinese_names() -> None:
    assert found("hzzl") == ["hangzhou-zhonglian"]
    assert sorted(found("HZ")) == ["hangzhou-boyuan", "hangzhou-zhonglian"]
    assert sorted(found("hangzhou")) == ["hangzhou-boyuan", "hangzhou-zhonglian"]
    assert found("zhonglian") == ["hangzhou-zhonglian"]
    assert found("wanglei") == ["hangzhou-zhonglian"]  # the contact 王磊 in pinyin


def test_every_reading_of_a_polyphonic_character_counts() -> None:
    assert found("cqca") == ["chongqing-changan"]  # 重 chóng, 长 cháng
    assert found("chongqing") == ["chongqing-changan"]


def test_name_id_contact_phone_email_and_tags() -> None:
    assert found("中联") == ["hangzhou-zhonglian"]
    assert found("acme") == ["acme"]
    assert found("李娜") == ["acme"]
    assert found("1381234") == ["acme"]  # digits, whatever the spaces in the file
    assert found("138 1234") == ["acme"]
    assert found("lina@") == ["acme"]
    assert found("erp") == ["suzhou-huadong"]


def test_what_is_typed_finds_what_the_file_holds_whatever_its_unicode_form() -> None:
    """/éé found nothing for a contact stored decomposed (e + U+0301), and "ltd zw" nothing for
    a name with zero-width spaces in it: both sides are folded (NFKC, casefold, no invisibles)."""
    folk = [
        cust("cafe", name="Café Ltd \u200b\u200bzw", contact="Rene\u0301e"),
        cust("fullwidth", name="ＡＣＭＥ 全角"),
    ]

    def found_in(text: str) -> list[str]:
        return [c.id for c in search.rank(folk, text)]

    assert found_in("Renée") == found_in("rene\u0301e") == ["cafe"]  # precomposed or not
    assert found_in("café") == found_in("cafe\u0301") == ["cafe"]
    assert found_in("ltd zw") == ["cafe"]  # the zero-width spaces between are not there to type
    assert found_in("acme") == ["fullwidth"]  # full-width letters as typed in ASCII


def test_a_typo_in_a_longer_query_still_finds_the_name() -> None:
    assert found("acme logstics") == ["acme"]
    assert found("xyzq") == [] and found("zzzz") == []


def test_the_id_itself_ranks_first_then_a_name_prefix() -> None:
    assert search.score(FOLK[3], "acme") == 100.0
    assert search.score(FOLK[3], "ac") == 95.0
    assert search.score(FOLK[3], "logistics") < 95.0


def test_slash_search_uses_the_same_matcher() -> None:
    assert [c.id for c in select(FOLK, Filter(text="hzzl"), CONFIG, TODAY)] == ["hangzhou-zhonglian"]
    assert [c.id for c in select(FOLK, Filter(text="138 1234"), CONFIG, TODAY)] == ["acme"]


def test_spellings_are_cached_per_string() -> None:
    search.spellings.cache_clear()
    search.warm(FOLK)
    misses = search.spellings.cache_info().misses
    search.warm(FOLK)
    assert search.spellings.cache_info().misses == misses
    assert search.spellings("Acme") == ()  # no Han character: nothing to spell


def test_search_keys_leave_a_cached_customers_data_packed() -> None:
    """Keys for every customer read each one's contacts once: the data stays undecoded on
    the customer (kept, it was 2 KB a customer: 100 MB at 50k)."""
    made: list[int] = []

    def make() -> dict[str, Any]:
        made.append(1)
        return {"contact": {"name": "李娜", "phone": "+86 138 1234 5678"}}

    customer = lazy_data(cust("acme", name="Acme"), make)
    assert search.rank([customer], "13812345678") == [customer] and made == [1]
    assert customer._make_data is not None  # not decoded and kept
    assert customer.data["contact"]["name"] == "李娜"  # still there when something reads it
