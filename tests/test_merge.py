"""Team merges: the field-level merge (pure) and the git merge driver with the real git binary."""

from __future__ import annotations

import math
import re
import subprocess
import tomllib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.canonical import dump_customer
from pipeline.edit import Append, SetKey, apply_document
from pipeline.entry_merge import Slot, canon, merged_count, plan_entries
from pipeline.merge import merge_customer, merge_lines, same
from pipeline.model import LOG_KINDS
from tests.conftest import write_customer
from tests.support import sample
from tuiboard.cli import main
from tuiboard.cli.git import ATTRIBUTES, driver_command, write_gitattributes

BASE = sample("suzhou-commented")

CLASH = (
    "<<<<<<< ours\namount = 200000  # 预计合同额\n=======\namount = 250000  # 预计合同额\n>>>>>>> theirs\n"
)


def log_entry(day: int, kind: str, note: str) -> str:
    return f'\n[[log]]\ndate = 2026-11-{day:02d}\nkind = "{kind}"\nnote = "{note}"\n'


def history_entry(day: int, stage: str) -> str:
    return f'\n[[history]]\ndate = 2026-11-{day:02d}\nstage = "{stage}"\n'


def moved(text: str, stage: str, day: int) -> str:
    """The text with the stage changed and a history entry appended, as the board writes it."""
    text = text.replace('stage = "intent"  #', f'stage = "{stage}"  #')
    return text.replace("\n[[log]]", history_entry(day, stage) + "\n[[log]]", 1)


def merge(base: str, ours: str, theirs: str) -> tuple[str, tuple[str, ...]]:
    result = merge_customer(base.encode(), ours.encode(), theirs.encode())
    assert result.clean == (not result.conflicts)
    return result.data.decode(), result.conflicts


def resolve(text: str, side: str) -> str:
    """Resolve every conflict block by taking one side, as a person would."""
    pattern = re.compile(r"<{7} ours\n(.*?)={7}\n(.*?)>{7} theirs\n", re.S)
    return pattern.sub(lambda m: m.group(1 if side == "ours" else 2), text)


# -- the merge itself ---------------------------------------------------------------------


def test_different_fields_merge_into_our_formatting() -> None:
    ours = BASE.replace('tier = "B"', 'tier = "A"  # upgraded').replace(
        "[contact]\n", "[contact]\n# 决策人 is the GM, not IT\n"
    )
    theirs = BASE.replace('owner = "wang.li"', 'owner = "li.na"  # handover').replace(
        "due = 2026-11-25", "due = 2026-12-02"
    )
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ()
    assert text == ours.replace('owner = "wang.li"', 'owner = "li.na"  # handover').replace(
        "due = 2026-11-25", "due = 2026-12-02"
    )


def test_their_changed_value_keeps_our_line_comment_and_their_formatting() -> None:
    ours = BASE + log_entry(20, "call", "ours")  # appended at the end, like theirs: no line merge
    theirs = BASE.replace("amount = 180000  # 预计合同额", "amount = 250_000") + log_entry(
        21, "email", "theirs"
    )
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ()
    assert "amount = 250_000  # 预计合同额\n" in text
    assert text.endswith(log_entry(20, "call", "ours") + log_entry(21, "email", "theirs"))


def test_both_sides_making_the_same_change_is_clean() -> None:
    ours = BASE.replace("amount = 180000", "amount = 200000") + log_entry(20, "call", "same")
    theirs = BASE.replace("amount = 180000", "amount = 200000") + log_entry(20, "call", "same")
    text, conflicts = merge(BASE, ours, theirs)
    assert (text, conflicts) == (ours, ())


def test_conflicting_amounts_mark_that_line_only_and_merge_the_rest() -> None:
    ours = BASE.replace("amount = 180000", "amount = 200000") + log_entry(20, "call", "ours")
    theirs = BASE.replace("amount = 180000", "amount = 250000").replace(
        'owner = "wang.li"', 'owner = "li.na"'
    ) + log_entry(19, "email", "theirs")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ("amount",)
    expected_head = (
        '# 苏州华东: key account, see the 2026 plan\nname = "苏州华东精密机械有限公司"\n'
        'stage = "intent"  # demo given\ntier = "B"\nowner = "li.na"\n' + CLASH + "created = 2026-09-02\n"
    )
    assert text.startswith(expected_head)
    assert text.count("<<<<<<<") == text.count("=======") == text.count(">>>>>>>") == 1
    merged = tomllib.loads(resolve(text, "theirs"))
    assert merged["amount"] == 250000
    assert [e["note"] for e in merged["log"]] == ["见了IT经理", "theirs", "ours"]
    assert tomllib.loads(resolve(text, "ours"))["amount"] == 200000


def test_a_field_deleted_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    ours = BASE.replace('tier = "B"\n', "")
    theirs = BASE.replace('tier = "B"', 'tier = "A"') + log_entry(20, "call", "x")
    text, conflicts = merge(BASE, ours + log_entry(21, "note", "y"), theirs)
    assert conflicts == ("tier",)
    assert '<<<<<<< ours\n=======\ntier = "A"\n>>>>>>> theirs\n' in text
    assert "tier" not in tomllib.loads(resolve(text, "ours"))


def test_keys_and_tables_deleted_by_them_are_deleted() -> None:
    theirs = BASE.replace('[next]\naction = "发送修订报价"\ndue = 2026-11-25\n\n', "").replace(
        'phone = "+86 512 6666 8888"\n', ""
    )
    ours = BASE.replace("amount = 180000", "amount = 1") + log_entry(20, "call", "x")
    text, conflicts = merge(BASE, ours, theirs + log_entry(21, "call", "y"))
    data = tomllib.loads(text)
    assert conflicts == ()
    assert "next" not in data and data["contact"] == {"name": "张伟"} and data["amount"] == 1


def test_a_table_they_added_goes_before_the_appended_entries() -> None:
    company = '[company]\nindustry = "制造业"  # 离散制造\nemployees = 320\n\n'
    theirs = BASE.replace("[next]", company + "[next]") + log_entry(21, "call", "y")
    text, conflicts = merge(BASE, BASE + log_entry(20, "call", "x"), theirs)
    assert conflicts == ()
    assert text == BASE.replace("[[history]]", company + "[[history]]", 1) + log_entry(
        20, "call", "x"
    ) + log_entry(21, "call", "y")


def test_appended_logs_are_a_union_in_date_order_without_duplicates() -> None:
    ours = BASE + log_entry(20, "call", "a") + log_entry(22, "demo", "b")
    theirs = BASE + log_entry(19, "email", "c") + log_entry(20, "call", "a") + log_entry(23, "meeting", "d")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ()
    notes = [(e["date"].day, e["note"]) for e in tomllib.loads(text)["log"]]
    assert notes == [(18, "见了IT经理"), (19, "c"), (20, "a"), (22, "b"), (23, "d")]
    assert text == BASE + log_entry(19, "email", "c") + log_entry(20, "call", "a") + log_entry(
        22, "demo", "b"
    ) + log_entry(23, "meeting", "d")


def test_an_entry_they_rewrote_replaces_ours() -> None:
    theirs = BASE.replace("见了IT经理", "见了IT经理和财务总监")
    text, conflicts = merge(BASE, BASE + log_entry(20, "call", "a"), theirs + log_entry(21, "call", "b"))
    assert conflicts == ()
    assert [e["note"] for e in tomllib.loads(text)["log"]] == ["见了IT经理和财务总监", "a", "b"]


def test_entries_they_rewrote_change_in_place_with_the_comments_around() -> None:
    base = BASE + log_entry(19, "call", "mid") + "# about the 20th\n" + log_entry(20, "call", "last")
    ours = base + log_entry(21, "call", "ours")
    theirs = base.replace('"mid"', '"mid fixed"  # typo') + log_entry(22, "call", "theirs")
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == ()
    assert text == ours.replace('"mid"', '"mid fixed"  # typo') + log_entry(22, "call", "theirs")


def test_an_objection_they_resolved_while_we_added_one() -> None:
    objection = (
        '\n[[objections]]\ndate = 2026-11-{:02d}\ntype = "{}"\ncontent = "{}"\nresult = "open"  # 等回复\n'
    )
    base = BASE + objection.format(18, "price", "报价超预算")
    ours = base + objection.format(21, "function", "缺移动审批")
    theirs = base.replace('result = "open"', 'result = "resolved"') + objection.format(22, "trust", "案例")
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == ()
    assert text == ours.replace('result = "open"', 'result = "resolved"', 1) + objection.format(
        22, "trust", "案例"
    )


def test_entries_they_deleted_go_and_entries_they_only_moved_stay() -> None:
    base = BASE + log_entry(20, "call", "b") + log_entry(19, "call", "a")  # out of order by hand
    theirs = BASE.replace(log_entry(18, "visit", "见了IT经理"), "\n")
    theirs = theirs.rstrip("\n") + "\n" + log_entry(19, "call", "a") + log_entry(20, "call", "b")
    text, conflicts = merge(base, base + log_entry(21, "call", "c"), theirs + log_entry(22, "call", "d"))
    assert conflicts == ()
    assert [e["note"] for e in tomllib.loads(text)["log"]] == ["b", "a", "c", "d"]


def test_a_stage_we_deleted_and_they_changed_is_a_conflict_unless_history_decides() -> None:
    base = 'name = "x"\nstage = "intent"\namount = 1\n'
    text, conflicts = merge(base, 'name = "x"\namount = 2\n', base.replace("intent", "project"))
    assert conflicts == ("stage",)
    assert text == 'name = "x"\namount = 2\n<<<<<<< ours\n=======\nstage = "project"\n>>>>>>> theirs\n'
    ours = BASE.replace('stage = "intent"  # demo given\n', "")
    text, conflicts = merge(BASE, ours, moved(BASE, "project", 20))
    assert conflicts == () and tomllib.loads(text)["stage"] == "project"


def test_an_entry_before_all_of_ours_goes_first() -> None:
    ours = BASE + log_entry(20, "call", "a")
    theirs = BASE.replace("[[log]]", log_entry(1, "note", "early")[1:] + "\n[[log]]") + log_entry(
        21, "call", "b"
    )
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ()
    assert [e["note"] for e in tomllib.loads(text)["log"]] == ["early", "见了IT经理", "a", "b"]
    assert "\n\n[[log]]\ndate = 2026-11-01" in text and "\n\n[[log]]\ndate = 2026-11-18" in text


def test_inline_arrays_merge_too() -> None:
    base = 'name = "x"\nstage = "intent"\nlog = [{date = 2026-11-18, kind = "call", note = "a"}]\n'
    ours = base.replace('"a"}]', '"a"}, {date = 2026-11-20, kind = "call", note = "b"}]')
    theirs = base.replace('"a"}]', '"a"}, {date = 2026-11-19, kind = "call", note = "c"}]') + "amount = 5\n"
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == ()
    data = tomllib.loads(text)
    assert [e["note"] for e in data["log"]] == ["a", "c", "b"] and data["amount"] == 5


@pytest.mark.parametrize(
    ("ours_day", "theirs_day", "stage"), [(20, 21, "approved"), (21, 20, "project"), (20, 20, None)]
)
def test_both_moved_the_stage_the_latest_history_entry_decides(
    ours_day: int, theirs_day: int, stage: str | None
) -> None:
    ours, theirs = moved(BASE, "project", ours_day), moved(BASE, "approved", theirs_day)
    text, conflicts = merge(BASE, ours, theirs)
    if stage is None:  # same day, different stages: nothing decides
        assert conflicts == ("stage",)
        text = resolve(text, "ours")
    else:
        assert conflicts == ()
    data = tomllib.loads(text)
    assert data["stage"] == (stage or "project")
    history = [(h["date"], h["stage"]) for h in data["history"]]
    assert [d for d, _ in history] == sorted(d for d, _ in history)  # the union, in date order
    assert history[2:] == sorted(
        [(date(2026, 11, ours_day), "project"), (date(2026, 11, theirs_day), "approved")],
        key=lambda h: h[0],
    )


def test_a_side_that_does_not_parse_makes_the_whole_file_one_conflict() -> None:
    ours = BASE.replace("amount = 180000", "amount = 1")
    theirs = BASE.replace('tier = "B"', "tier = ")
    result = merge_customer(BASE.encode(), ours.encode(), theirs.encode())
    assert len(result.conflicts) == 1 and result.conflicts[0].startswith(
        "the whole file: theirs is not valid"
    )
    assert (
        result.data
        == b"<<<<<<< ours\n" + ours.encode() + b"=======\n" + theirs.encode() + b">>>>>>> theirs\n"
    )


def test_invalid_utf8_is_a_whole_file_conflict_with_the_bytes_kept() -> None:
    theirs = BASE.encode().replace(b"wang.li", b"wang\xff")
    result = merge_customer(BASE.encode(), BASE.encode() + b"\n", theirs)
    assert not result.clean and theirs in result.data and BASE.encode() + b"\n" in result.data


def test_a_comment_they_added_to_a_line_we_left_alone_is_kept() -> None:
    ours = BASE.replace("amount = 180000", "amount = 200000")
    theirs = BASE.replace("[next]\n", "[next]\n# 等老板回国\n")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == () and text == ours.replace("[next]\n", "[next]\n# 等老板回国\n")


def test_merge_lines_refuses_touching_changes() -> None:
    assert merge_lines("a\nb\n", "a\nB\n", "a\nb\nc\n") is None
    assert merge_lines("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n") == "A\nb\nC\n"


def test_same_is_toml_equality() -> None:
    assert not same(1, 1.0) and not same(1, True) and same(math.nan, math.nan)
    assert same({"a": [1, {"b": date(2026, 1, 1)}]}, {"a": [1, {"b": date(2026, 1, 1)}]})


toml_values = st.recursive(
    st.one_of(st.integers(-2, 2), st.sampled_from([0.0, -0.0, 1.0, math.nan]), st.booleans(),
              st.sampled_from(["", "a"]), st.dates(date(2026, 1, 1), date(2026, 1, 2))),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("ab"), inner, max_size=2),
    max_leaves=6,
)  # fmt: skip


@given(toml_values, toml_values)
@settings(max_examples=300, deadline=None)
def test_same_holds_exactly_when_the_canonical_keys_are_equal(a: Any, b: Any) -> None:
    assert same(a, b) == (canon(a) == canon(b))
    assert same(a, a) and canon(a) == canon(a) and hash(canon(a)) == hash(canon(a))


def test_an_entry_one_side_added_twice_is_kept_twice() -> None:
    again = log_entry(18, "visit", "见了IT经理")  # the base's entry, logged a second time
    ours = BASE + again + log_entry(20, "call", "a") + log_entry(20, "call", "a")
    theirs = BASE.replace('tier = "B"', 'tier = "A"')
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ()
    assert text == ours.replace('tier = "B"', 'tier = "A"')
    text, conflicts = merge(BASE, theirs, ours)  # the same from the other side
    assert conflicts == () and tomllib.loads(text) == tomllib.loads(ours.replace('tier = "B"', 'tier = "A"'))


def test_both_added_an_entry_once_per_side_count() -> None:
    ours = BASE + log_entry(20, "call", "a") + log_entry(21, "call", "b")
    theirs = BASE + log_entry(20, "call", "a") + log_entry(20, "call", "a")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ()
    assert [e["note"] for e in tomllib.loads(text)["log"]] == ["见了IT经理", "a", "a", "b"]


def test_an_entry_both_deleted_once_goes_and_a_duplicate_one_side_kept_stays() -> None:
    base = BASE + log_entry(20, "call", "a") + log_entry(20, "call", "a")
    ours = BASE + log_entry(20, "call", "a")  # one copy deleted
    theirs = ours + log_entry(21, "call", "b")  # the same copy deleted
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == ()
    assert [e["note"] for e in tomllib.loads(text)["log"]] == ["见了IT经理", "a", "b"]


ENTRY_CLASH = """\
<<<<<<< ours
[[log]]
date = 2026-11-18
kind = "visit"
note = "见了IT经理和CFO"
=======
[[log]]
date = 2026-11-18
kind = "visit"
note = "见了IT经理（改约下周）"  # 电话确认
>>>>>>> theirs
"""


def test_both_corrected_one_entry_differently_is_a_conflict_around_that_entry() -> None:
    ours = BASE.replace("见了IT经理", "见了IT经理和CFO") + log_entry(20, "call", "a")
    theirs = BASE.replace('"见了IT经理"', '"见了IT经理（改约下周）"  # 电话确认') + log_entry(21, "call", "b")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ("log entry of 2026-11-18",)
    old = '[[log]]\ndate = 2026-11-18\nkind = "visit"\nnote = "见了IT经理"\n'
    assert text == BASE.replace(old, ENTRY_CLASH) + log_entry(20, "call", "a") + log_entry(21, "call", "b")
    for side, note in (("ours", "见了IT经理和CFO"), ("theirs", "见了IT经理（改约下周）")):
        assert [e["note"] for e in tomllib.loads(resolve(text, side))["log"]] == [note, "a", "b"]


def test_both_corrected_one_entry_the_same_way_is_clean() -> None:
    ours = BASE.replace("见了IT经理", "见了IT经理和CFO") + log_entry(20, "call", "a")
    theirs = BASE.replace("见了IT经理", "见了IT经理和CFO") + log_entry(21, "call", "b")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == () and text == ours + log_entry(21, "call", "b")


def test_one_side_corrected_the_other_left_it_takes_the_correction() -> None:
    ours = BASE.replace("见了IT经理", "见了IT经理和CFO") + log_entry(20, "call", "a")
    theirs = BASE.replace('tier = "B"', 'tier = "A"') + log_entry(21, "call", "b")
    for mine, yours in ((ours, theirs), (theirs, ours)):
        text, conflicts = merge(BASE, mine, yours)
        assert conflicts == ()
        data = tomllib.loads(text)
        assert [e["note"] for e in data["log"]] == ["见了IT经理和CFO", "a", "b"] and data["tier"] == "A"


@pytest.mark.parametrize("deleter", ["ours", "theirs"])
def test_an_entry_one_corrected_and_the_other_deleted_is_a_conflict(deleter: str) -> None:
    old = log_entry(18, "visit", "见了IT经理")
    fixed = BASE.replace("见了IT经理", "见了IT经理和CFO") + log_entry(20, "call", "a")
    deleted = BASE.replace(old, "") + log_entry(21, "call", "b")
    ours, theirs = (deleted, fixed) if deleter == "ours" else (fixed, deleted)
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == ("log entry of 2026-11-18",)
    versions = {"ours": [], "theirs": []}
    versions["theirs" if deleter == "ours" else "ours"] = ["见了IT经理和CFO"]
    for side in ("ours", "theirs"):
        assert [e["note"] for e in tomllib.loads(resolve(text, side))["log"]] == [*versions[side], "a", "b"]


def test_a_corrected_history_entry_in_conflict_leaves_the_stage_undecided() -> None:
    ours = moved(BASE, "project", 20)
    theirs = moved(BASE, "approved", 21).replace("2026-11-21", "2026-11-20")
    base = moved(BASE, "plan", 20).replace('stage = "plan"  #', 'stage = "intent"  #')
    text, conflicts = merge(base, ours, theirs)
    assert set(conflicts) == {"history entry of 2026-11-20", "stage"}
    for side, stage in (("ours", "project"), ("theirs", "approved")):
        data = tomllib.loads(resolve(text, side))
        assert data["stage"] == stage and data["history"][-1]["stage"] == stage


def test_a_line_break_of_unicode_inside_the_conflict_line_stays_inside() -> None:
    # TOML lines end at \n only: U+2028 and U+0085 may stand in a key or a comment.
    base = BASE.replace("amount = 180000  # 预计合同额", '"合同\u2028金额" = 180000  # 预计\x85合同额')
    ours = base.replace("= 180000", "= 200000") + log_entry(20, "call", "ours")
    theirs = base.replace("= 180000", "= 250000") + log_entry(21, "call", "theirs")
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == ("合同\u2028金额",)
    line = '"合同\u2028金额" = {}  # 预计\x85合同额\n'
    assert f"<<<<<<< ours\n{line.format(200000)}=======\n{line.format(250000)}>>>>>>> theirs\n" in text
    assert tomllib.loads(resolve(text, "theirs"))["合同\u2028金额"] == 250000


def test_merge_lines_splits_lines_at_newlines_only() -> None:
    base = 'a = "x\u2028\x85y"\nc = 0\nb = 1\n'
    assert (
        merge_lines(base, base.replace("y", "Y"), base.replace("1", "2"))
        == base.replace("y", "Y")[:-2] + "2\n"
    )
    assert merge_lines(base, base.replace("x", "X"), base.replace("y", "Y")) is None  # one line, both changed


def test_a_big_merge_matches_a_line_merge_of_the_same_changes() -> None:
    entries = "".join(log_entry(1 + i % 28, "call", f"n{i}") for i in range(400))
    base = BASE + entries
    ours = base.replace('"n10"', '"n10 fixed"').replace("amount = 180000", "amount = 1")
    theirs = base.replace('"n390"', '"n390 fixed"') + "# 以上为旧记录\n"
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == ()
    assert text == ours.replace('"n390"', '"n390 fixed"') + "# 以上为旧记录\n"


# -- properties ---------------------------------------------------------------------------

DAY0 = date(2026, 11, 1)
FIELDS = {
    "amount": st.integers(0, 10**8),
    "owner": st.sampled_from(["li", "wang", "zhao"]),
    "tier": st.sampled_from("ABCD"),
}
notes = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="✎"), max_size=6)


def entries(first: int, size: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    entry = st.fixed_dictionaries(
        {"date": st.integers(first, first + 20).map(lambda d: DAY0 + timedelta(days=d)),
         "kind": st.sampled_from(LOG_KINDS), "note": notes}
    )  # fmt: skip
    unique = st.lists(entry, max_size=size, unique_by=lambda e: tuple(sorted(e.items())))
    return unique.map(lambda es: sorted(es, key=lambda e: e["date"]))


@st.composite
def customer_text(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    log = draw(entries(0, 3))
    data = {
        "name": draw(notes.filter(str.strip)),
        "stage": "intent",
        "tier": "B",
        "owner": "wang",
        "amount": 1,
    }
    text = dump_customer({**data, "log": log}) if log else dump_customer(data)
    return "# written by hand\n" + text.replace("amount = 1\n", "amount = 1  # 万\n"), log


def edited(text: str, sets: dict[str, Any], logs: list[dict[str, Any]]) -> str:
    doc = tomlkit.parse(text)
    apply_document(doc, [SetKey((k,), v) for k, v in sets.items()] + [Append("log", e) for e in logs])
    return tomlkit.dumps(doc)


@given(customer_text(), st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_unchanged_sides_give_the_other_side_byte_for_byte(
    base: tuple[str, Any], data: st.DataObject
) -> None:
    text = base[0]
    ours = edited(text, data.draw(st.fixed_dictionaries({}, optional=FIELDS)), data.draw(entries(20, 2)))
    assert merge_customer(text.encode(), text.encode(), text.encode()).data == text.encode()
    assert merge_customer(text.encode(), ours.encode(), text.encode()).data == ours.encode()
    assert merge_customer(text.encode(), text.encode(), ours.encode()).data == ours.encode()


@given(customer_text(), st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_both_sides_edits_all_arrive(base: tuple[str, Any], data: st.DataObject) -> None:
    text, base_log = base
    names = data.draw(st.permutations(sorted(FIELDS)))
    cut = data.draw(st.integers(0, len(names)))
    sets = [{k: data.draw(FIELDS[k]) for k in part} for part in (names[:cut], names[cut:])]
    clash = data.draw(st.booleans())
    if clash:  # both change the amount, differently
        sets[0]["amount"], sets[1]["amount"] = 2, 3
    logs = [data.draw(entries(21, 3)), data.draw(entries(21, 3))]
    if logs[0]:  # some entries both sides appended
        shared = data.draw(st.lists(st.sampled_from(logs[0]), max_size=2, unique_by=repr))
        logs[1] = sorted(logs[1] + [e for e in shared if e not in logs[1]], key=lambda e: e["date"])
    ours, theirs = edited(text, sets[0], logs[0]), edited(text, sets[1], logs[1])
    fixed = data.draw(st.sampled_from(range(len(base_log)))) if base_log and data.draw(st.booleans()) else -1
    if fixed >= 0:  # they also corrected an old entry
        doc = tomlkit.parse(theirs)
        doc["log"][fixed]["note"] = base_log[fixed]["note"] + "✎"
        theirs = tomlkit.dumps(doc)
        base_log = [e | {"note": e["note"] + "✎"} if i == fixed else e for i, e in enumerate(base_log)]

    merged_text, conflicts = merge(text, ours, theirs)

    assert conflicts == (("amount",) if clash else ())
    for side in ("ours", "theirs"):
        merged = tomllib.loads(resolve(merged_text, side))
        expected = {"tier": "B", "owner": "wang", "amount": 1} | sets[1] | sets[0]
        if clash:
            expected["amount"] = 2 if side == "ours" else 3
        assert {k: merged[k] for k in FIELDS} == expected
        union = base_log + logs[0] + [e for e in logs[1] if e not in logs[0]]
        got = merged.get("log", [])
        assert sorted(map(repr, got)) == sorted(map(repr, union))
        assert [e["date"] for e in got] == sorted(e["date"] for e in got)
    assert merged_text.startswith("# written by hand\n") and "  # 万\n" in merged_text


def counted(base: list[Any], ours: list[Any], theirs: list[Any]) -> Counter[Any]:
    """The count rule applied to every distinct entry (entries as canonical keys)."""
    cb, co, ct = (Counter(map(canon, side)) for side in (base, ours, theirs))
    return +Counter({k: merged_count(cb[k], co[k], ct[k]) for k in cb | co | ct})


def merged_entries(slots: list[Slot], ours: list[Any], theirs: list[Any]) -> list[Any]:
    return [theirs[s.theirs] if s.theirs is not None else ours[s.ours] for s in slots if not s.conflict]  # type: ignore[index]


@st.composite
def side_of(draw: st.DrawFn, base: list[Any], pool: list[Any]) -> list[Any]:
    """A side: some base entries deleted, some of the pool (repeats too) added anywhere."""
    gone = draw(st.sets(st.integers(0, max(len(base) - 1, 0)), max_size=len(base)))
    side = [e for i, e in enumerate(base) if i not in gone]
    for entry in draw(st.lists(st.sampled_from(pool), max_size=4)):
        side.insert(draw(st.integers(0, len(side))), entry)
    return side


def pool_of(days: int) -> st.SearchStrategy[list[Any]]:
    entry = st.fixed_dictionaries(
        {"date": st.integers(0, days).map(lambda d: DAY0 + timedelta(days=d)), "note": st.sampled_from("ab")}
    )
    return st.lists(entry, min_size=1, max_size=5, unique_by=repr)


@given(pool_of(30).filter(lambda p: len({e["date"] for e in p}) == len(p)), st.data())
@settings(max_examples=300, deadline=None)
def test_plan_follows_the_count_rule_and_never_moves_ours(pool: list[Any], data: st.DataObject) -> None:
    base = data.draw(st.lists(st.sampled_from(pool), max_size=6))
    ours, theirs = data.draw(side_of(base, pool)), data.draw(side_of(base, pool))
    slots = plan_entries(base, ours, theirs)
    assert not any(s.conflict for s in slots)  # one entry a date: nothing looks corrected
    assert Counter(map(canon, merged_entries(slots, ours, theirs))) == counted(base, ours, theirs)
    kept = [s.ours for s in slots if s.ours is not None]
    assert kept == sorted(kept)
    assert plan_entries(base, ours, base) == [Slot(i, None) for i in range(len(ours))]  # merge(b, x, b) == x
    assert Counter(map(canon, merged_entries(plan_entries(base, base, theirs), base, theirs))) == Counter(
        map(canon, theirs)
    )


@given(pool_of(2), st.data())
@settings(max_examples=300, deadline=None)
def test_plan_with_corrections_marks_only_real_disagreements(pool: list[Any], data: st.DataObject) -> None:
    base = data.draw(st.lists(st.sampled_from(pool), max_size=6))
    ours, theirs = data.draw(side_of(base, pool)), data.draw(side_of(base, pool))
    slots = plan_entries(base, ours, theirs)
    conflicts = [s for s in slots if s.conflict]
    if not conflicts:
        assert Counter(map(canon, merged_entries(slots, ours, theirs))) == counted(base, ours, theirs)
    for s in conflicts:
        assert s.ours is not None or s.theirs is not None
        if s.ours is not None and s.theirs is not None:
            assert canon(ours[s.ours]) != canon(theirs[s.theirs])
    assert not any(s.conflict for s in plan_entries(base, ours, ours))  # the same edit on both sides
    assert not any(s.conflict for s in plan_entries(base, ours, base))


@given(customer_text(), st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_merged_logs_follow_the_count_rule(base: tuple[str, Any], data: st.DataObject) -> None:
    text, base_log = base
    sides = []
    for _ in range(2):
        doc = tomlkit.parse(text)
        gone = (
            data.draw(st.sets(st.integers(0, len(base_log) - 1), max_size=len(base_log) - 1))
            if base_log
            else set()
        )
        for i in sorted(gone, reverse=True):
            del doc["log"][i]
        again = data.draw(st.lists(st.sampled_from(base_log), max_size=2)) if base_log else []
        new = data.draw(entries(21, 2))
        adds = sorted(again + new + data.draw(st.lists(st.sampled_from(new), max_size=2)) if new else again,
                      key=lambda e: e["date"])  # fmt: skip
        apply_document(doc, [Append("log", e) for e in adds])
        sides.append(tomlkit.dumps(doc))
    merged_text, conflicts = merge(text, *sides)
    assert all(c.startswith("log entry of ") for c in conflicts), conflicts
    if not conflicts:
        logs = [tomllib.loads(t).get("log", []) for t in (text, *sides, merged_text)]
        assert Counter(map(canon, logs[3])) == counted(*logs[:3])


# -- the merge driver, with the real git binary -------------------------------------------


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)


def tuiboard(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two clones of one origin, each with the pipeline in a `sales/` subfolder."""
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Rep\n\temail = rep@example.invalid\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("LC_ALL", "C")
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "origin.git")
    git(tmp_path, "clone", "-q", "origin.git", "a")
    git(tmp_path / "a", "symbolic-ref", "HEAD", "refs/heads/main")
    a = tmp_path / "a" / "sales"
    assert "merge driver are set up" in tuiboard("init", str(a))
    write_customer(a, "acme", BASE)
    publish(a, "base")
    git(tmp_path, "clone", "-q", "origin.git", "b")
    b = tmp_path / "b" / "sales"
    tuiboard("-C", str(b), "git-setup")
    return a, b


def publish(folder: Path, message: str) -> None:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    git(folder, "push", "-q", "origin", "main")


def pull(folder: Path, message: str) -> subprocess.CompletedProcess[str]:
    """Commit our work, then merge what the other rep pushed."""
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    git(folder, "fetch", "-q", "origin")
    return git(folder, "merge", "--no-edit", "origin/main", check=False)


def acme(folder: Path) -> Path:
    return folder / "customers" / "acme.toml"


def edit(folder: Path, old: str, new: str) -> None:
    path = acme(folder)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_setup_writes_attributes_and_an_absolute_driver(team: tuple[Path, Path]) -> None:
    a, b = team
    for folder in (a, b):
        assert (folder / ".gitattributes").read_text() == ATTRIBUTES + "\n"
        assert git(folder, "config", "merge.tuiboard.driver").stdout.strip() == driver_command()
    assert driver_command().startswith("/") and "merge=union" not in ATTRIBUTES
    tuiboard("-C", str(b), "git-setup")  # again: nothing doubled
    assert (b / ".gitattributes").read_text() == ATTRIBUTES + "\n"


def test_git_different_fields_merge_cleanly_with_comments(team: tuple[Path, Path]) -> None:
    a, b = team
    edit(a, "amount = 180000", "amount = 250000")
    tuiboard("-C", str(a), "next", "acme", "约见决策人", "--due", "2026-12-01")
    publish(a, "a: amount and next")
    edit(b, 'tier = "B"', 'tier = "A"  # 战略客户')
    edit(b, "[contact]\n", "[contact]\n# the GM decides\n")

    done = pull(b, "b: tier")

    assert done.returncode == 0, done.stdout + done.stderr
    assert acme(b).read_text(encoding="utf-8") == BASE.replace("amount = 180000", "amount = 250000").replace(
        'tier = "B"', 'tier = "A"  # 战略客户'
    ).replace("[contact]\n", "[contact]\n# the GM decides\n").replace(
        'action = "发送修订报价"\ndue = 2026-11-25', 'action = "约见决策人"\ndue = 2026-12-01'
    )
    assert git(b, "status", "--porcelain").stdout == ""
    tuiboard("-C", str(b), "check", "--strict")


def test_git_both_appended_log_entries(team: tuple[Path, Path]) -> None:
    a, b = team
    tuiboard("-C", str(a), "log", "acme", "call", "预算确认", "--date", "2026-11-21")
    tuiboard("-C", str(a), "log", "acme", "email", "发了报价", "--date", "2026-11-22")
    publish(a, "a: logs")
    tuiboard("-C", str(b), "log", "acme", "visit", "现场演示", "--date", "2026-11-20")
    tuiboard("-C", str(b), "log", "acme", "email", "发了报价", "--date", "2026-11-22")

    done = pull(b, "b: logs")

    assert done.returncode == 0, done.stdout + done.stderr
    log = tomllib.loads(acme(b).read_text(encoding="utf-8"))["log"]
    assert [(e["date"].day, e["note"]) for e in log] == [
        (18, "见了IT经理"), (20, "现场演示"), (21, "预算确认"), (22, "发了报价")
    ]  # fmt: skip
    assert acme(b).read_text(encoding="utf-8").startswith(BASE)  # the old lines untouched


def test_git_both_moved_the_stage(team: tuple[Path, Path]) -> None:
    a, b = team
    tuiboard("-C", str(a), "move", "acme", "approved", "--date", "2026-11-22")
    publish(a, "a: approved")
    tuiboard("-C", str(b), "move", "acme", "project", "--date", "2026-11-20")

    done = pull(b, "b: project")

    assert done.returncode == 0, done.stdout + done.stderr
    data = tomllib.loads(acme(b).read_text(encoding="utf-8"))
    assert data["stage"] == "approved"
    assert [(h["date"].day, h["stage"]) for h in data["history"]][-2:] == [(20, "project"), (22, "approved")]
    assert 'stage = "approved"  # demo given' in acme(b).read_text(encoding="utf-8")


def test_git_conflicting_amounts_end_as_a_conflict_on_that_line(team: tuple[Path, Path]) -> None:
    a, b = team
    edit(a, "amount = 180000", "amount = 250000")
    tuiboard("-C", str(a), "log", "acme", "call", "谈了价格", "--date", "2026-11-21")
    publish(a, "a: amount")
    edit(b, "amount = 180000", "amount = 200000")
    edit(b, 'owner = "wang.li"', 'owner = "li.na"')

    done = pull(b, "b: amount")

    assert done.returncode != 0
    assert "CONFLICT (content): Merge conflict in sales/customers/acme.toml" in done.stdout
    assert git(b, "diff", "--name-only", "--diff-filter=U").stdout.split() == ["sales/customers/acme.toml"]
    text = acme(b).read_text(encoding="utf-8")
    merged = BASE.replace('owner = "wang.li"', 'owner = "li.na"') + log_entry(21, "call", "谈了价格")
    assert text == merged.replace("amount = 180000  # 预计合同额\n", CLASH)


@pytest.mark.parametrize("deleter", ["theirs", "ours"])
def test_git_delete_against_modify_is_a_normal_git_conflict(team: tuple[Path, Path], deleter: str) -> None:
    a, b = team
    changed = BASE.replace("amount = 180000", "amount = 1")
    if deleter == "theirs":
        acme(a).unlink()
        acme(b).write_text(changed, encoding="utf-8")
    else:
        acme(a).write_text(changed, encoding="utf-8")
        acme(b).unlink()
    publish(a, "a")

    done = pull(b, "b")

    assert done.returncode != 0
    assert "CONFLICT (modify/delete): sales/customers/acme.toml deleted in" in done.stdout
    path = "sales/customers/acme.toml"
    assert git(b, "show", f":1:{path}").stdout == BASE  # the version before the delete
    kept = ":2:" if deleter == "theirs" else ":3:"
    assert git(b, "show", f"{kept}{path}").stdout == changed  # the modified version
    assert acme(b).read_text(encoding="utf-8") == changed  # left in the tree for the person to decide
    assert git(b, "diff", "--name-only", "--diff-filter=U").stdout.split() == [path]


def test_init_outside_git_writes_attributes_and_git_setup_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "solo"
    assert "run `tuiboard git-setup`" in tuiboard("init", str(folder))
    assert (folder / ".gitattributes").read_text() == ATTRIBUTES + "\n"
    result = CliRunner().invoke(main, ["-C", str(folder), "git-setup"])
    assert result.exit_code == 1 and "not in a git repository" in result.output


def test_git_a_second_identical_entry_from_them_is_kept(team: tuple[Path, Path]) -> None:
    a, b = team
    tuiboard("-C", str(a), "log", "acme", "visit", "见了IT经理", "--date", "2026-11-18")  # again, same words
    publish(a, "a: a second visit")
    edit(b, "amount = 180000", "amount = 250000")

    done = pull(b, "b: amount")

    assert done.returncode == 0, done.stdout + done.stderr
    data = tomllib.loads(acme(b).read_text(encoding="utf-8"))
    assert [(e["date"].day, e["note"]) for e in data["log"]] == [(18, "见了IT经理"), (18, "见了IT经理")]
    assert data["amount"] == 250000


def test_git_both_corrected_one_entry_is_a_conflict_around_it(team: tuple[Path, Path]) -> None:
    a, b = team
    edit(a, '"见了IT经理"', '"见了IT经理（改约下周）"  # 电话确认')
    publish(a, "a: rescheduled")
    edit(b, "见了IT经理", "见了IT经理和CFO")
    tuiboard("-C", str(b), "log", "acme", "call", "约了下周", "--date", "2026-11-20")

    done = pull(b, "b: who was there")

    assert done.returncode != 0
    assert "CONFLICT (content): Merge conflict in sales/customers/acme.toml" in done.stdout
    assert "tuiboard merge-file: conflict: log entry of 2026-11-18" in done.stdout + done.stderr
    assert git(b, "diff", "--name-only", "--diff-filter=U").stdout.split() == ["sales/customers/acme.toml"]
    old = '[[log]]\ndate = 2026-11-18\nkind = "visit"\nnote = "见了IT经理"\n'
    assert acme(b).read_text(encoding="utf-8") == BASE.replace(old, ENTRY_CLASH) + log_entry(
        20, "call", "约了下周"
    )


@pytest.mark.parametrize("command", ["init", "git-setup"])
@pytest.mark.parametrize("dangling", [False, True])
def test_a_planted_gitattributes_link_is_refused(tmp_path: Path, command: str, dangling: bool) -> None:
    target = tmp_path / "home" / ".bashrc"
    target.parent.mkdir()
    if not dangling:
        target.write_bytes(b"alias ll='ls -l'\n")
    folder = tmp_path / "cloned"
    if command == "git-setup":
        tuiboard("init", str(folder))
        (folder / ".gitattributes").unlink()
        git(folder, "init", "-q")
    else:
        folder.mkdir()
    (folder / ".gitattributes").symlink_to(target)

    args = ["init", str(folder)] if command == "init" else ["-C", str(folder), "git-setup"]
    result = CliRunner().invoke(main, args)

    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"tuiboard: {folder / '.gitattributes'}: is a symbolic link; refusing to write through it"
    )
    assert target.exists() != dangling and (dangling or target.read_bytes() == b"alias ll='ls -l'\n")
    assert (folder / ".gitattributes").is_symlink()


def test_git_setup_keeps_a_name_with_escapes_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "客户\x1b]52;c;aGk=\x07\n第二行"
    CliRunner().invoke(main, ["init", str(folder)])
    result = CliRunner().invoke(main, ["-C", str(folder), "git-setup"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "\x1b" not in result.output and "\x07" not in result.output
    assert "客户\\x1b]52;c;aGk=\\x07⏎第二行 is not in a git repository" in result.output


def test_git_setup_adds_its_line_to_an_existing_file_without_a_final_newline(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    tuiboard("init", str(folder))
    (folder / ".gitattributes").write_bytes(b"*.xlsx binary\r\n*.png binary")
    assert write_gitattributes(folder) is True
    assert (
        folder / ".gitattributes"
    ).read_bytes() == b"*.xlsx binary\r\n*.png binary\n" + ATTRIBUTES.encode() + b"\n"
    assert write_gitattributes(folder) is False


def test_their_entry_arrives_where_we_deleted_every_entry() -> None:
    """Found by the count-rule property: with every [[log]] entry of ours gone, tomlkit keeps
    an empty array of tables, and appending theirs to it was refused as 'not an array'."""
    head = 'name = "x"\nstage = "intent"\n'
    entry = '\n[[log]]\ndate = 2026-11-{:02d}\nkind = "call"\nnote = ""\n'
    base = head + entry.format(1) + entry.format(2)
    # ours deleted the first entry, theirs the second and added one: none of ours is left
    merged, conflicts = merge(base, head + entry.format(2), head + entry.format(1) + entry.format(3))
    assert not conflicts
    assert tomllib.loads(merged)["log"] == [{"date": date(2026, 11, 3), "kind": "call", "note": ""}]
