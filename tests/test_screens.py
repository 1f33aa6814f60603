"""The board's dialogs, each pushed over a tiny host app and driven with keys (App.run_test)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, Select, SelectionList, Static

from pipeline.agenda import today_items
from pipeline.config import load_preset
from pipeline.format import parse_customer
from pipeline.model import Customer
from pipeline.problems import Problem, Severity
from pipeline.query import Filter
from tests.conftest import TODAY
from tuiboard.labels import Labels, labels
from tuiboard.screens.criteria import CriteriaScreen
from tuiboard.screens.customer_form import CustomerFormScreen
from tuiboard.screens.details import DetailsScreen, flatten
from tuiboard.screens.filter import FilterScreen
from tuiboard.screens.log_entry import LogEntryScreen
from tuiboard.screens.lost import LostReasonScreen
from tuiboard.screens.next_action import NextActionScreen
from tuiboard.screens.problems import ProblemsScreen
from tuiboard.screens.today import TodayScreen
from tuiboard.widgets.fields import FormField

CONFIG = load_preset("seven-stage")
ROOT = Path("/pipe")
HOSTILE = "恶意\x1b[31m客户[bold]x[/bold]"  # an escape sequence and markup in a name

SUZHOU = """\
name = "苏州华东精密机械有限公司"
stage = "intent"           # 意向
tier = "B"
owner = "wang.li"
source = "exhibition"
amount = 180000
intent = "medium"
tags = ["ERP", "制造业"]
competitor = "用友"
created = 2026-09-02
budget_year = 2027         # a key the format does not know

[company]
industry = "制造业"
employees = 320

[contact]
name = "张伟"
title = "信息部经理"
phone = "+86 512 6666 8888"

[extra.deep]
level = 3

[next]
action = "发送修订报价"
due = 2026-11-20

[[history]]
date = 2026-09-02
stage = "target"
met_at = "展会"

[[history]]
date = 2026-10-10
stage = "intent"

[[log]]
date = 2026-10-01
kind = "call"
note = "第一次电话"

[[log]]
date = 2026-11-18
kind = "visit"
note = "见了IT经理，关注移动审批"
by = "wang.li"

[[objections]]
date = 2026-11-18
type = "price"
content = "报价超预算"
result = "open"

[[payments]]
amount = 50000
"""


def parse(text: str, cid: str = "suzhou") -> Customer:
    c, problems = parse_customer(text.encode(), ROOT / "customers" / f"{cid}.toml", CONFIG)
    assert c is not None and not [p for p in problems if p.is_error], problems
    return c


class Host(App[None]):
    """Pushes one dialog over an empty screen and records what it dismisses with; the dialog
    speaks ``words``' language (as the board's ``labels``)."""

    def __init__(self, dialog: Screen[Any], words: Labels | None = None) -> None:
        super().__init__()
        self.dialog = dialog
        self.labels = words or labels()
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


@asynccontextmanager
async def hosting(
    dialog: Screen[Any], size: tuple[int, int] = (100, 30), words: Labels | None = None
) -> AsyncIterator[tuple[Pilot[None], Host]]:
    app = Host(dialog, words)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield pilot, app


async def type_into(pilot: Pilot[None], selector: str, text: str, replace: bool = True) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    if replace:
        field.value = ""
    await pilot.press(*text)
    await pilot.pause()


def note_of(pilot: Pilot[None], selector: str) -> FormField:
    return pilot.app.screen.query_one(selector).query_ancestor(FormField)


def error_of(pilot: Pilot[None], selector: str) -> str:
    return note_of(pilot, selector).error


def status(pilot: Pilot[None]) -> str:
    widget = pilot.app.screen.query_one("#status", Static)
    return str(widget.render()) if widget.has_class("-shown") else ""


# -- criteria ------------------------------------------------------------------------------


async def test_criteria_enter_confirms_s_skips_escape_cancels() -> None:
    first = CONFIG.stage("project").criteria[0]  # type: ignore[union-attr]
    for keys, expected in ((("space", "enter"), [first]), (("s",), []), (("escape",), None)):
        async with hosting(CriteriaScreen(CONFIG.stage("project"), "苏州华东")) as (pilot, app):  # type: ignore[arg-type]
            await pilot.press(*keys)
            await pilot.pause()
            assert app.results == [expected], keys


async def test_criteria_checklist_ticks_and_counts() -> None:
    stage = CONFIG.stage("project")
    assert stage is not None
    async with hosting(CriteriaScreen(stage, "苏州华东")) as (pilot, app):
        checklist = app.screen.query_one(SelectionList)
        assert checklist.option_count == len(stage.criteria) == 5
        await pilot.press("space", "down", "space")
        assert checklist.selected == [0, 1]
        assert "2/5" in str(app.screen.query_one("#ticked", Static).render())
        await pilot.press("a")
        assert "5/5" in str(app.screen.query_one("#ticked", Static).render())
        assert app.results == []


async def test_criteria_title_english_and_untrusted_name_shown_harmlessly() -> None:
    screen = CriteriaScreen(CONFIG.stage("negotiation"), HOSTILE)  # type: ignore[arg-type]
    async with hosting(screen, words=labels("en")) as (_pilot, app):
        title = app.screen.query_one("#dialog").border_title or ""
        assert "Negotiation" in title and "商务谈判" not in title
        assert "\x1b" not in title and "\\x1b" in title
        assert "[bold]x[/bold]" in title.replace("\\[", "[")  # shown literally, not as markup


# -- lost ----------------------------------------------------------------------------------


async def test_lost_reason_picked_from_the_list() -> None:
    async with hosting(LostReasonScreen(CONFIG.lost_reasons, "苏州华东")) as (pilot, app):
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.results == [CONFIG.lost_reasons[2]]


async def test_lost_reason_typed_and_required() -> None:
    async with hosting(LostReasonScreen(CONFIG.lost_reasons, "苏州华东")) as (pilot, app):
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.results == []
        assert "必填" in error_of(pilot, "Input")
        await type_into(pilot, "Input", "  客户被收购 ")
        assert error_of(pilot, "Input") == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["客户被收购"]


async def test_lost_escape_and_no_configured_reasons() -> None:
    async with hosting(LostReasonScreen([], "x")) as (pilot, app):
        assert not app.screen.query(OptionList)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# -- customer form: new --------------------------------------------------------------------


async def choose(pilot: Pilot[None], selector: str, moves: list[str], value: str) -> None:
    """Open a Select with enter, move with the arrow keys, pick with enter."""
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    await pilot.press("enter", *moves, "enter")
    await pilot.pause()
    assert select.value == value


async def test_new_customer_typed_values_and_default_due() -> None:
    async with hosting(CustomerFormScreen(CONFIG, TODAY)) as (pilot, app):
        await pilot.press(*"苏州华东精密")
        await choose(pilot, "#f-stage", ["down", "down"], "intent")
        await choose(pilot, "#f-intent", ["down"], "high")
        await type_into(pilot, "#f-owner", "wang.li")
        await type_into(pilot, "#f-amount", "18万")
        assert note_of(pilot, "#f-amount").hint == "= 180,000"
        await type_into(pilot, "#f-probability", "40%")
        await type_into(pilot, "#f-expected_close", "+1w")
        await type_into(pilot, "#f-next-action", "发送报价")
        assert "2026-11-24" in app.screen.query_one("#f-next-due", Input).placeholder  # high intent: 1 day
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [
        {
            ("name",): "苏州华东精密",
            ("stage",): "intent",
            ("owner",): "wang.li",
            ("amount",): 180000,
            ("probability",): 40,
            ("expected_close",): date(2026, 11, 30),
            ("intent",): "high",
            ("next", "action"): "发送报价",
            ("next", "due"): date(2026, 11, 24),
        }
    ]


async def test_new_customer_minimal() -> None:
    async with hosting(CustomerFormScreen(CONFIG, TODAY)) as (pilot, app):
        await pilot.press(*"Acme", "ctrl+s")
        await pilot.pause()
    assert app.results == [{("name",): "Acme", ("stage",): "target"}]


async def test_bad_amount_probability_and_date_show_inline_and_block_submit() -> None:
    async with hosting(CustomerFormScreen(CONFIG, TODAY)) as (pilot, app):
        await pilot.press(*"Acme")
        for selector, bad, message in (
            ("#f-amount", "abc", "不是金额：abc"),  # the board's language, as the rest of the form
            ("#f-probability", "120", "须在 0 到 100 之间"),
            ("#f-expected_close", "next week", "不是日期：next week"),
        ):
            await type_into(pilot, selector, bad)
            assert message in error_of(pilot, selector)  # shown while typing, before any submit
            assert app.screen.query_one(selector, Input).has_class("-invalid")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == []
        assert "请先修正标出的字段" in status(pilot)  # the board's language: Chinese by default
        assert app.screen.focused is app.screen.query_one("#f-amount")  # the first bad field
        assert note_of(pilot, "#f-amount").has_class("-active")  # its label is highlighted
        await type_into(pilot, "#f-amount", "1.5w")
        await type_into(pilot, "#f-probability", "35")
        await type_into(pilot, "#f-expected_close", "2026-12-31")
        assert all(error_of(pilot, s) == "" for s in ("#f-amount", "#f-probability", "#f-expected_close"))
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [
        {
            ("name",): "Acme",
            ("stage",): "target",
            ("amount",): 15000,
            ("probability",): 35,
            ("expected_close",): date(2026, 12, 31),
        }
    ]


async def test_name_is_required_and_a_due_date_needs_an_action() -> None:
    async with hosting(CustomerFormScreen(CONFIG, TODAY)) as (pilot, app):
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and "必填" in error_of(pilot, "#f-name")
        await type_into(pilot, "#f-name", "Acme")
        await type_into(pilot, "#f-next-due", "+3d")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and "没有下一步行动" in status(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# -- customer form: edit -------------------------------------------------------------------


async def test_edit_returns_only_the_changed_key_paths() -> None:
    c = parse(SUZHOU)
    async with hosting(CustomerFormScreen(CONFIG, TODAY, c)) as (pilot, app):
        form = app.screen
        assert form.query_one("#f-amount", Input).value == "180000"
        assert form.query_one("#f-contact-title", Input).value == "信息部经理"
        assert form.query_one("#f-tags", Input).value == "ERP, 制造业"
        assert not form.query("#f-stage")  # moves go through the move action
        await type_into(pilot, "#f-amount", "18万")  # the same amount, typed differently: no change
        await type_into(pilot, "#f-probability", "60")
        await type_into(pilot, "#f-contact-phone", "138 0000 1111")
        await type_into(pilot, "#f-tags", "ERP, 集团客户")
        await choose(pilot, "#f-tier", ["up"], "A")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [
        {
            ("tier",): "A",
            ("probability",): 60,
            ("contact", "phone"): "138 0000 1111",
            ("tags",): ["ERP", "集团客户"],
        }
    ]


async def test_edit_unchanged_is_empty_and_clearing_a_set_field_is_refused() -> None:
    c = parse(SUZHOU)
    async with hosting(CustomerFormScreen(CONFIG, TODAY, c)) as (pilot, app):
        await type_into(pilot, "#f-owner", "")
        assert "编辑器（E）中删除" in error_of(pilot, "#f-owner")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        await type_into(pilot, "#f-owner", "wang.li")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [{}]


async def test_edit_skips_nested_fields_whose_parent_is_not_a_table() -> None:
    c = parse('name = "x"\nstage = "target"\ncontact = "张伟 138…"\n')
    async with hosting(CustomerFormScreen(CONFIG, TODAY, c)) as (pilot, app):
        assert not app.screen.query("#f-contact-name")
        await type_into(pilot, "#f-competitor", "金蝶")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [{("competitor",): "金蝶"}]


async def test_edit_shows_untrusted_text_harmlessly_and_leaves_it_alone() -> None:
    c = parse('name = "恶意\\u001b[2J客户"\nstage = "target"\nowner = "x\\u0007"\n')
    assert "\x1b" in c.name
    async with hosting(CustomerFormScreen(CONFIG, TODAY, c)) as (pilot, app):
        assert app.screen.query_one("#f-name", Input).value == "恶意\\x1b[2J客户"
        assert app.screen.query_one("#f-owner", Input).value == "x\\x07"
        assert app.screen.query_one("#f-name", Input).disabled  # kept as written: not retyped
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [{}]


# -- next action ---------------------------------------------------------------------------


async def test_next_action_prefilled_with_the_cadence_default() -> None:
    c = parse(SUZHOU)  # intent medium: 7 days
    async with hosting(NextActionScreen(c, CONFIG, TODAY, cadence=True)) as (pilot, app):  # log → next
        assert app.screen.query_one("#action", Input).value == "发送修订报价"
        assert app.screen.query_one("#due", Input).value == "2026-11-30"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [(None, date(2026, 11, 30))]  # the action not retyped: the file's stays


async def test_next_action_prefilled_with_the_current_due() -> None:
    c = parse(SUZHOU)  # overdue since 2026-11-20: editing the text must not move the date silently
    async with hosting(NextActionScreen(c, CONFIG, TODAY)) as (pilot, app):
        assert app.screen.query_one("#due", Input).value == "2026-11-20"
        await type_into(pilot, "#action", "发送第二版报价")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and "已经过去" in error_of(pilot, "#due")
        await pilot.press("f1", "enter")
        await pilot.pause()
    assert app.results == [("发送第二版报价", date(2026, 11, 24))]


def typed_at_once(app: Host, text: str, then: str) -> None:
    """``text`` and the key ``then`` arriving together, as a terminal delivers a fast typist's
    keys (or tmux send-keys): posted at once, none waiting for the one before."""
    for ch in text:
        app.post_message(events.Key(ch, ch))
    app.post_message(events.Key(then, None))


@pytest.mark.parametrize("save", ["ctrl+s", "enter"])
async def test_the_last_characters_typed_before_save_are_saved(save: str) -> None:
    """ctrl+s is a priority key: Textual acted on it as it arrived, while the characters
    before it still waited for the field, and the action was saved without them (seen: a
    41-character action saved without its closing "）")."""
    c = parse(SUZHOU)
    async with hosting(NextActionScreen(c, CONFIG, TODAY)) as (pilot, app):
        app.screen.query_one("#due", Input).value = "+1w"
        await type_into(pilot, "#action", "约见决策人")
        typed_at_once(app, "（王总）", save)
        await until_dismissed(pilot, app)
    assert app.results == [("约见决策人（王总）", date(2026, 11, 30))]
    async with hosting(LogEntryScreen("苏州华东", TODAY)) as (pilot, app):
        await type_into(pilot, "#note", "电话")
        typed_at_once(app, "沟通了报价", save)
        await until_dismissed(pilot, app)
    assert app.results == [("call", "电话沟通了报价", TODAY)]


async def until_dismissed(pilot: Pilot[None], app: Host) -> None:
    for _ in range(100):
        if app.results:
            return
        await pilot.pause()
    raise AssertionError("the dialog was not dismissed")


async def test_a_field_error_shows_a_pasted_control_character_harmlessly() -> None:
    """Parser errors quote what was typed (不是金额：…); a pasted escape sequence is shown
    escaped under the field, never sent to the terminal."""
    async with hosting(CustomerFormScreen(CONFIG, TODAY)) as (pilot, app):
        app.screen.query_one("#f-amount", Input).value = "1\x1b[2J"
        await pilot.pause()
        assert error_of(pilot, "#f-amount").startswith("不是金额：")
        shown = str(note_of(pilot, "#f-amount").query_one(".field-note", Static).render())
        assert "\x1b" not in shown and "\\x1b[2J" in shown


async def test_log_entry_takes_a_past_date_not_a_future_one() -> None:
    async with hosting(LogEntryScreen("苏州华东", TODAY)) as (pilot, app):
        assert app.screen.query_one("#date", Input).value == TODAY.isoformat()
        await type_into(pilot, "#note", "昨天打过电话")
        await type_into(pilot, "#date", "2026-11-30")
        assert "还没到" in error_of(pilot, "#date")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        await type_into(pilot, "#date", "2026-11-22")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("call", "昨天打过电话", date(2026, 11, 22))]


async def test_next_action_quick_picks_do_not_type_into_the_fields() -> None:
    c = parse(SUZHOU)
    async with hosting(NextActionScreen(c, CONFIG, TODAY)) as (pilot, app):
        due = app.screen.query_one("#due", Input)
        for key, expected in (("f1", 1), ("f2", 7), ("f3", 91)):
            await pilot.press(key)
            assert due.value == (TODAY + timedelta(days=expected)).isoformat(), key
        assert app.screen.query_one("#action", Input).value == "发送修订报价"
        await pilot.press("f4")
        assert due.value == "2026-11-30"
        await pilot.click(next(b for b in app.screen.query(Button) if b.name == "+1w"))
        assert due.value == "2026-11-30"
        await type_into(pilot, "#action", "约见决策人")
        await pilot.press("f3", "ctrl+s")
        await pilot.pause()
    assert app.results == [("约见决策人", date(2027, 2, 22))]


async def test_next_action_bad_or_past_date_and_empty_action_are_refused() -> None:
    c = parse(SUZHOU)
    async with hosting(NextActionScreen(c, CONFIG, TODAY)) as (pilot, app):
        await type_into(pilot, "#due", "next tuesday")
        assert "不是日期：next tuesday" in error_of(pilot, "#due")
        await pilot.press("enter")
        await type_into(pilot, "#due", "2026-11-01")
        assert "已经过去" in error_of(pilot, "#due")
        await pilot.press("enter")
        await type_into(pilot, "#due", "+2w")
        assert error_of(pilot, "#due") == ""
        assert note_of(pilot, "#due").hint == "= 2026-12-07 周一（+14 天）"
        await type_into(pilot, "#action", "   ")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert "必填" in error_of(pilot, "#action")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


# -- log entry -----------------------------------------------------------------------------


async def test_log_entry_kind_by_key_and_note() -> None:
    async with hosting(LogEntryScreen("苏州华东", TODAY)) as (pilot, app):
        await pilot.press("f2", *"见了老板")
        assert app.screen.query_one(Input).value == "见了老板"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("visit", "见了老板", TODAY)]


async def test_log_entry_defaults_to_a_call_and_needs_a_note() -> None:
    async with hosting(LogEntryScreen("苏州华东", TODAY)) as (pilot, app):
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and "必填" in error_of(pilot, "Input")
        await pilot.press("f6", "f1", *"约了下周", "enter")
        await pilot.pause()
    assert app.results == [("call", "约了下周", TODAY)]


# -- details -------------------------------------------------------------------------------


def plain(screen: DetailsScreen) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    for heading, body in screen.sections():
        console.print(screen.words(heading) if heading else "")
        console.print(body)
    return re.sub(r" +", " ", console.file.getvalue())  # type: ignore[attr-defined]


def test_flatten_walks_every_key() -> None:
    data = {"a": 1, "company": {"industry": "制造业", "sub": {"x": [1, 2]}}, "rows": [{"k": "v"}], "e": {}}
    assert flatten(data) == [
        ("a", 1),
        ("company.industry", "制造业"),
        ("company.sub.x", [1, 2]),
        ("rows[0].k", "v"),
        ("e", "{}"),
    ]


async def test_details_shows_everything() -> None:
    c = parse(SUZHOU.replace("苏州华东精密机械有限公司", "恶意\\u001b[31m客户[bold]x[/bold]"))
    assert c.name == HOSTILE
    problem = Problem(c.path, 11, 15, Severity.WARNING, "odd \x07 value", "budget_year = 2027\n    ^")
    screen = DetailsScreen(c, CONFIG, [problem], TODAY)
    async with hosting(screen) as (pilot, app):
        assert len(app.screen.query("#details Static")) >= 12
        text = plain(screen)
        for expected in (
            "company.industry 制造业",
            "company.employees 320",
            "extra.deep.level 3",
            "budget_year 2027",
            "payments[0].amount 50000",
            "加权 4.5万",  # one language (it was 加权 weighted); 180000 x 25% (the intent stage's default)
            "级别 B级 B",
            "本阶段天数 44 天",
            "停滞 是",  # stale: 44 days in intent, threshold 21
            "逾期",
            "2026-09-02 目标客户",
            "38 天",
            "44 天 至今",
            "met_at=展会",
            "by=wang.li",
            "价格 price 报价超预算 open",
            "当前: 意向客户",
            "下一阶段: 立项客户",
            "☐ 客户已立项",
            "customers/suzhou.toml:11:15: warning: odd \\x07 value",
        ):
            assert expected in text, expected
        assert text.index("见了IT经理") < text.index("第一次电话")  # the log, newest first
        assert "\x1b" not in text and "\x07" not in text and "恶意\\x1b[31m客户[bold]x[/bold]" in text
        await pilot.press("q")
        await pilot.pause()
        assert app.results == [None]


async def test_details_closes_with_enter_and_escape() -> None:
    for key in ("enter", "escape"):
        async with hosting(DetailsScreen(parse(SUZHOU), CONFIG, [], TODAY)) as (pilot, app):
            await pilot.press(key)
            await pilot.pause()
            assert app.results == [None]


# -- today ---------------------------------------------------------------------------------


def agenda_customers() -> list[Customer]:
    def one(cid: str, stage: str, due: date, owner: str) -> Customer:
        return parse(
            f'name = "{cid}"\nstage = "{stage}"\nowner = "{owner}"\n[next]\naction = "a"\ndue = {due}\n', cid
        )

    return [
        one("lead", "target", TODAY, "li.na"),
        one("closing", "negotiation", TODAY - timedelta(days=2), "wang.li"),
        one("mine-lead", "target", TODAY - timedelta(days=1), "wang.li"),
        one("later", "target", TODAY + timedelta(days=1), "wang.li"),
    ]


async def test_today_lists_the_agenda_grouped_and_enter_opens() -> None:
    customers = agenda_customers()
    async with hosting(TodayScreen(customers, CONFIG, TODAY)) as (pilot, app):
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["/priority/1", "mine-lead", "lead", "/priority/3", "closing"]
        assert [i.customer.id for i in today_items(customers, CONFIG, TODAY)] == [
            "mine-lead",
            "lead",
            "closing",
        ]
        await pilot.press("down", "down", "enter")  # skips the disabled group heading
        await pilot.pause()
    assert app.results == ["closing"]


async def test_today_owner_filter_and_toggle() -> None:
    async with hosting(TodayScreen(agenda_customers(), CONFIG, TODAY, owner="li.na")) as (pilot, app):
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "/priority/1",
            "lead",
        ]
        await pilot.press("o")
        assert options.option_count == 5
        await pilot.press("o", "enter")
        await pilot.pause()
    assert app.results == ["lead"]


async def test_today_nothing_due() -> None:
    async with hosting(TodayScreen([], CONFIG, TODAY)) as (pilot, app):
        assert "今天没有待办" in str(app.screen.query_one("#summary", Static).render())
        await pilot.press("enter", "escape")
        await pilot.pause()
    assert app.results == [None]


# -- problems ------------------------------------------------------------------------------


async def test_problems_list_and_enter_returns_the_problem() -> None:
    problems = [
        Problem(
            ROOT / "customers" / "b.toml",
            3,
            7,
            Severity.ERROR,
            "unknown stage 'x\x1b[2J'",
            "stage = 1\n      ^",
        ),
        Problem(ROOT / "customers" / "a.toml", 1, 1, Severity.WARNING, "quoted date"),
    ]
    async with hosting(ProblemsScreen(problems, ROOT)) as (pilot, app):
        options = app.screen.query_one(OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith("customers/a.toml:1:1: warning: quoted date")
        second = str(options.get_option_at_index(1).prompt)
        assert "customers/b.toml:3:7: error: unknown stage 'x\\x1b[2J'" in second and "\x1b" not in second
        assert "      ^" in second
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.results == [problems[0]]  # its file, line and column: the editor opens there


# -- filter --------------------------------------------------------------------------------


async def test_filter_keeps_current_picks_and_text() -> None:
    customers = [parse(SUZHOU), *agenda_customers()]
    current = Filter(tiers=frozenset({"A"}), owners=frozenset({"gone.rep"}), text="苏州")
    async with hosting(FilterScreen(CONFIG, customers, current)) as (pilot, app):
        owners = app.screen.query_one("#owners", SelectionList)
        values = [owners.get_option_at_index(i).value for i in range(owners.option_count)]
        assert values == ["li.na", "wang.li", "gone.rep"]  # a current pick stays visible
        tags = app.screen.query_one("#tags", SelectionList)
        assert [tags.get_option_at_index(i).value for i in range(tags.option_count)] == ["ERP", "制造业"]
        assert app.screen.query_one("#tiers", SelectionList).selected == ["A"]
        await pilot.press("down", "down", "space")  # tiers: the cursor starts on VIP; tick B
        await pilot.press("tab", "space")  # owners: li.na
        await pilot.press("tab", "tab", "space")  # tags: ERP
        app.screen.query_one("#overdue").focus()
        await pilot.press("space")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [
        Filter(
            tiers=frozenset({"A", "B"}),
            owners=frozenset({"gone.rep", "li.na"}),
            tags=frozenset({"ERP"}),
            overdue=True,
            text="苏州",
        )
    ]


async def test_filter_reset_and_escape() -> None:
    current = Filter(tiers=frozenset({"A"}), stale=True, no_next=True, text="x")
    async with hosting(FilterScreen(CONFIG, [], current)) as (pilot, app):
        await pilot.press("r", "ctrl+s")
        await pilot.pause()
        assert app.results == [Filter(text="x")]
    async with hosting(FilterScreen(CONFIG, [], current)) as (pilot, app):
        await pilot.press("space", "escape")
        await pilot.pause()
        assert app.results == [None]
