"""The board, driven by its keys through Textual's pilot over real folders and the real watcher.

Every test asserts what ends up on disk (or on screen): the stage line, the new history
entry, hand-written comments still in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import threading
import tomllib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import HelpPanel, Input, OptionList
from textual.widgets._key_panel import BindingsTable

from pipeline.actions import nested
from pipeline.lock import write_lock
from tests.conftest import TODAY, write_customer
from tests.support import until
from tuiboard.app import BoardApp
from tuiboard.board import writes
from tuiboard.keymap import KEYS
from tuiboard.screens.criteria import Checklist
from tuiboard.widgets.column import CardList, StageColumn

SIZE = (120, 40)

HAND_WRITTEN = """\
# 手写的注释: the board must keep this
name = "苏州华东精密机械有限公司"   # 全称
stage = "intent"
tier = "B"
amount = 180000
created = 2026-09-02
tags = ["ERP"]

[contact]
name = "张伟"

[next]
action = "发送修订报价"
due = 2026-11-25

[[history]]
date = 2026-09-02
stage = "target"

[[history]]
date = 2026-10-10
stage = "intent"
# a comment after the last entry
"""


def plain(name: str, stage: str, **extra: str) -> str:
    lines = [f'name = "{name}"', f'stage = "{stage}"', *(f"{k} = {v}" for k, v in extra.items())]
    return "\n".join(lines) + "\n"


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(folder, "suzhou", HAND_WRITTEN)
    write_customer(folder, "beijing", plain("北京云启科技", "intent", amount="50000"))
    write_customer(folder, "acme", plain("Acme Logistics", "target", amount="90000"))
    write_customer(folder, "hangzhou", plain("杭州恒信软件", "target"))
    return folder


def read(root: Path, cid: str) -> dict[str, Any]:
    return tomllib.loads((root / "customers" / f"{cid}.toml").read_text("utf-8"))


def text(root: Path, cid: str) -> str:
    return (root / "customers" / f"{cid}.toml").read_text("utf-8")


@contextlib.asynccontextmanager
async def board(
    root: Path, size: tuple[int, int] = SIZE, **kwargs: Any
) -> AsyncIterator[tuple[BoardApp, Pilot[Any]]]:
    app = BoardApp(root, **kwargs)
    app.NOTIFICATION_TIMEOUT = 600  # toasts outlast a slow run on a loaded machine (notes() reads them)
    async with app.run_test(size=size) as pilot:
        await until(app, pilot, lambda: app.screen.view is not None)
        yield app, pilot


def column(app: BoardApp, stage: str) -> StageColumn:
    return app.screen.query_one(f"#column-{stage}", StageColumn)


def ids(app: BoardApp, stage: str) -> list[str]:
    return [c.id for c in column(app, stage).cards.cards]


async def select(app: BoardApp, pilot: Pilot[Any], cid: str) -> None:
    assert app.screen.focus_customer(cid)
    await pilot.pause()
    assert app.screen.selected() is not None and app.screen.selected().id == cid  # type: ignore[union-attr]


async def next_action_typed(app: BoardApp, pilot: Pilot[Any], cid: str, action: str) -> Any:
    """``cid`` selected, ``a`` pressed, ``action`` typed: the next-action dialog, still open."""
    await select(app, pilot, cid)
    await pilot.press("a")
    dialog = await screen_named(app, pilot, "NextActionScreen")
    dialog.query_one("#action", Input).value = action
    return dialog


def notes(app: BoardApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def screen_named(app: BoardApp, pilot: Pilot[Any], name: str) -> Any:
    await until(app, pilot, lambda: type(app.screen).__name__ == name)
    return app.screen


def screen_lines(app: BoardApp) -> list[str]:
    """The text on the terminal, line by line, as the compositor would draw it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def back_on_board(app: BoardApp, pilot: Pilot[Any]) -> None:
    await until(app, pilot, lambda: type(app.screen).__name__ == "BoardScreen")
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- the board ----------------------------------------------------------------------------


async def test_columns_follow_the_config_and_the_lost_column_toggles(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        stages = [c.stage.id for c in app.screen.query(StageColumn)]
        assert stages == [s.id for s in app.board.config.stages]  # type: ignore[union-attr]
        assert not column(app, "lost").display
        assert ids(app, "intent") == ["beijing", "suzhou"]  # no next action before upcoming
        await pilot.press("z")
        assert column(app, "lost").display
        await pilot.press("z")
        assert not column(app, "lost").display


async def test_header_sums_and_language_toggle(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        header = str(column(app, "target").header.render())
        assert "目标客户" in header and "2" in header and "9.0万" in header
        await pilot.press("ctrl+l")
        assert "Target" in str(column(app, "target").header.render())
        assert app.labels.english


async def test_arrows_and_hjkl_move_the_focus(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        assert app.screen.selected().stage == "target"  # type: ignore[union-attr]
        first = app.screen.selected().id  # type: ignore[union-attr]
        await pilot.press("j")
        assert app.screen.selected().id != first  # type: ignore[union-attr]
        await pilot.press("up")
        assert app.screen.selected().id == first  # type: ignore[union-attr]
        await pilot.press("l", "right")
        assert app.screen.selected().id == "beijing"  # type: ignore[union-attr]
        await pilot.press("h")
        assert isinstance(app.focused, CardList) and app.focused.stage.id == "potential"
        await pilot.press("left")
        assert app.focused.stage.id == "target"


async def test_sort_cycles(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        assert ids(app, "target") == ["acme", "hangzhou"]  # both without a next action: by name
        await pilot.press("s")  # amount, largest first
        assert app.screen.sort == "amount" and ids(app, "target") == ["acme", "hangzhou"]
        await pilot.press("s", "s")  # probability, then name (casefolded: Latin before CJK)
        assert app.screen.sort == "name"
        await pilot.press("s")
        assert app.screen.sort == "days"
        await pilot.press("s")
        assert app.screen.sort == "due"


# -- moves --------------------------------------------------------------------------------


async def test_shift_right_moves_after_the_criteria_and_keeps_comments(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("shift+right")
        await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("space", "enter")  # one criterion ticked: the history entry records it
        await back_on_board(app, pilot)
        data = read(pipe, "suzhou")
        ticked = list(app.board.config.stage("project").criteria[:1])  # type: ignore[union-attr]
        assert data["stage"] == "project"
        assert data["history"][-1] == {"date": TODAY, "stage": "project", "criteria": ticked}
        body = text(pipe, "suzhou")
        assert "# 手写的注释: the board must keep this" in body and "# 全称" in body
        assert "# a comment after the last entry" in body
        assert app.screen.selected().id == "suzhou" and app.screen.selected().stage == "project"  # type: ignore[union-attr]


async def test_L_and_H_move_and_s_skips_the_checklist(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "acme")
        await pilot.press("L")
        await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("s")
        await back_on_board(app, pilot)
        assert read(pipe, "acme")["stage"] == "potential"
        assert "criteria" not in read(pipe, "acme")["history"][-1]  # skipped: nothing confirmed
        await pilot.press("H")
        await screen_named(app, pilot, "MoveBackScreen")  # back: a reason, no checklist
        await pilot.press("enter")
        await back_on_board(app, pilot)
        history = read(pipe, "acme")["history"]
        assert read(pipe, "acme")["stage"] == "target"
        assert [h["stage"] for h in history] == ["potential", "target"]


async def test_shift_left_and_escape_writes_nothing(pipe: Path) -> None:
    before = text(pipe, "suzhou")
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("shift+left")
        await screen_named(app, pilot, "MoveBackScreen")
        await pilot.press("escape")
        await back_on_board(app, pilot)
    assert text(pipe, "suzhou") == before


async def test_w_marks_won(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "beijing")
        await pilot.press("w")
        await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("space", "enter")
        await back_on_board(app, pilot)
        ticked = list(app.board.config.stage("won").criteria[:1])  # type: ignore[union-attr]
        assert read(pipe, "beijing")["stage"] == "won"
        assert read(pipe, "beijing")["history"] == [{"date": TODAY, "stage": "won", "criteria": ticked}]
        assert "beijing" in ids(app, "won")


async def test_x_marks_lost_with_a_picked_reason(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("x")
        await screen_named(app, pilot, "LostReasonScreen")
        await pilot.press("down", "enter")  # the second reason in the config
        await back_on_board(app, pilot)
        data = read(pipe, "suzhou")
        reason = app.board.config.lost_reasons[1]  # type: ignore[union-attr]
        assert data["stage"] == "lost" and data["lost_reason"] == reason
        assert data["history"][-1] == {"date": TODAY, "stage": "lost", "reason": reason}
        assert "# 手写的注释: the board must keep this" in text(pipe, "suzhou")
        assert "suzhou" not in ids(app, "intent")
        assert not column(app, "lost").display  # the hidden lost column stays hidden


# -- the other edits ----------------------------------------------------------------------


async def test_n_creates_a_customer(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("n")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        form.query_one("#f-name", Input).value = "无锡新锐物流有限公司"
        form.query_one("#f-amount", Input).value = "12万"
        form.query_one("#f-next-action", Input).value = "电话回访"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        created = [p for p in (pipe / "customers").glob("*.toml") if "无锡" in p.read_text("utf-8")]
        assert len(created) == 1
        data = tomllib.loads(created[0].read_text("utf-8"))
        assert data["name"] == "无锡新锐物流有限公司" and data["amount"] == 120000
        assert data["created"] == TODAY and data["history"] == [{"date": TODAY, "stage": "target"}]
        assert data["next"]["action"] == "电话回访"
        assert app.screen.selected().id == created[0].stem  # type: ignore[union-attr]


async def test_n_warns_when_the_name_looks_like_an_existing_customer_and_still_saves(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("n")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        status = form.query_one("#status")
        form.query_one("#f-name", Input).value = "苏州 华东精密机械 股份有限公司"
        await until(app, pilot, lambda: "苏州华东精密机械有限公司" in str(status.render()))
        assert "仍可保存" in str(status.render()) and status.has_class("-warning")
        form.query_one("#f-name", Input).value = "无锡新锐物流"
        await until(app, pilot, lambda: not status.has_class("-shown"))
        form.query_one("#f-name", Input).value = "苏州华东精密机械厂"  # close, not the same
        await until(app, pilot, lambda: status.has_class("-shown"))
        await pilot.press("ctrl+s")  # a warning, not a refusal
        await back_on_board(app, pilot)
        names = [tomllib.loads(p.read_text("utf-8"))["name"] for p in (pipe / "customers").glob("*.toml")]
        assert names.count("苏州华东精密机械厂") == 1
        # Said again once saved, as the toast of the new card (the status line is easy to miss).
        assert "与看板上的 苏州华东精密机械有限公司 相似" in notes(app)[-1]
    async with board(pipe) as (app, pilot):
        await pilot.press("n")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        form.query_one("#f-name", Input).value = "无锡新锐物流"
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        assert notes(app)[-1].startswith("已新建 ") and "相似" not in notes(app)[-1]


async def test_the_form_keeps_a_name_with_control_characters_as_written(pipe: Path) -> None:
    """The form shows such a name escaped (\\x202e for a bidi override); retyped, that shown
    form was saved as the name. The field is kept as written; the rest of the form edits."""
    path = pipe / "customers" / "acme.toml"
    path.write_text(
        path.read_text("utf-8").replace('"Acme Logistics"', '"Evil \\u202eCorp\\u202c Ltd"'), "utf-8"
    )
    async with board(pipe) as (app, pilot):
        await until(app, pilot, lambda: "\u202e" in app.board.customers["acme"].name)  # type: ignore[union-attr]
        await select(app, pilot, "acme")
        await pilot.press("e")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        name = form.query_one("#f-name", Input)
        assert name.disabled and "\u202e" not in name.value  # shown escaped, not editable
        form.query_one("#f-amount", Input).value = "10万"
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: read(pipe, "acme").get("amount") == 100000)
    assert read(pipe, "acme")["name"] == "Evil \u202eCorp\u202c Ltd"


async def test_e_edits_fields_keeping_comments(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("e")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        form.query_one("#f-amount", Input).value = "250000"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        body = text(pipe, "suzhou")
        assert read(pipe, "suzhou")["amount"] == 250000
        assert 'name = "苏州华东精密机械有限公司"   # 全称' in body
        assert "# a comment after the last entry" in body


async def test_a_sets_the_next_action(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await next_action_typed(app, pilot, "beijing", "约见决策人")
        await pilot.press("f2")  # +1 week
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        nxt = read(pipe, "beijing")["next"]
        assert nxt["action"] == "约见决策人" and (nxt["due"] - TODAY).days == 7


@contextlib.asynccontextmanager
async def write_on_its_way(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[BoardApp, Pilot[Any], threading.Event]]:
    """The next action of beijing saved, its file written, and the store thread held there
    (the board has not drawn it) until the event yielded is set."""
    on_disk, go_on = threading.Event(), threading.Event()
    written = writes._written

    def held(store: Any, fn: Any) -> Any:
        out = written(store, fn)
        on_disk.set()
        assert go_on.wait(20)
        return out

    monkeypatch.setattr(writes, "_written", held)
    async with board(pipe) as (app, pilot):
        try:
            await next_action_typed(app, pilot, "beijing", "约见决策人")
            await pilot.press("ctrl+s")
            await until(app, pilot, on_disk.is_set)
            yield app, pilot, go_on
        finally:
            go_on.set()


async def test_a_move_pressed_while_a_write_reaches_the_screen_moves_what_it_wrote(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rep saves the next action and at once moves the card, before the board has drawn
    what it wrote: the move waits for that write, then is written on top of it (it used to
    act on the card as it was, and the write path refused it as a change on disk)."""
    async with write_on_its_way(pipe, monkeypatch) as (app, pilot, go_on):
        await pilot.press("L")  # one stage on, while the first write is still on its way
        go_on.set()
        await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("s")
        await back_on_board(app, pilot)
        data = read(pipe, "beijing")
        assert data["next"]["action"] == "约见决策人" and data["stage"] == "project"
        assert app.screen.selected().stage == "project"  # type: ignore[union-attr]
        assert not [n for n in notes(app) if "未写入" in n or "nothing written" in n]


@contextlib.asynccontextmanager
async def typed_ahead(
    pipe: Path, monkeypatch: pytest.MonkeyPatch, *keys: str
) -> AsyncIterator[tuple[BoardApp, Pilot[Any]]]:
    """``keys`` pressed while the next action is on its way, then the write let go: the
    board once every held key has gone."""
    async with write_on_its_way(pipe, monkeypatch) as (app, pilot, go_on):
        await pilot.press(*keys)
        assert app.screen.selected().id == "beijing"  # type: ignore[union-attr]
        go_on.set()
        await until(app, pilot, lambda: not app.screen_stack[0].typeahead._held)
        await pilot.pause()
        assert read(pipe, "beijing")["next"]["action"] == "约见决策人"
        yield app, pilot


async def test_quitting_is_never_held(pipe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with write_on_its_way(pipe, monkeypatch) as (app, pilot, _):
        await pilot.press("q")
        assert app._exit


async def test_keys_pressed_while_a_write_reaches_the_screen_act_after_it(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed ahead while the next action is on its way to the screen, h h j act on the
    board it draws: from the write's card two columns left and one card down (they used to
    act at once, and the write's follow then put the selection back on its card)."""
    async with typed_ahead(pipe, monkeypatch, "h", "h", "j") as (app, _):
        assert app.screen.selected().stage == "target"  # type: ignore[union-attr]
        assert app.screen.selected().id == ids(app, "target")[1]  # type: ignore[union-attr]


async def test_a_search_typed_while_a_write_reaches_the_screen_is_all_search_text(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/ then acme: once / has put the focus on the search line, the letters are its text
    (a, held as a board key, would have opened the next-action dialog)."""
    async with typed_ahead(pipe, monkeypatch, "slash", *"acme") as (app, _):
        assert type(app.screen).__name__ == "BoardScreen" and isinstance(app.focused, Input)
        assert app.screen.flt.text == "acme" and ids(app, "target") == ["acme"]


async def test_a_dialog_opened_by_a_key_typed_ahead_gets_the_keys_after_it(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """i opens the log dialog: the letters typed after it are the dialog's."""
    async with typed_ahead(pipe, monkeypatch, "i", *"call") as (app, pilot):
        dialog = await screen_named(app, pilot, "LogEntryScreen")
        assert "call" in [w.value for w in dialog.query(Input)]


async def test_a_new_due_date_leaves_an_action_with_control_characters_as_written(pipe: Path) -> None:
    """The dialog shows the action with its newline made visible (⏎); saving only a new date
    wrote that shown form back (action = "打电话⏎带上报价单"), and \\x1b for an escape."""
    path = pipe / "customers" / "beijing.toml"
    path.write_text(
        path.read_text("utf-8") + '[next]\naction = "打电话\\n带上报价单\\u001b[2J"\ndue = 2026-11-25\n',
        "utf-8",
    )
    async with board(pipe) as (app, pilot):
        await until(app, pilot, lambda: app.board.customers["beijing"].next_action is not None)  # type: ignore[union-attr]
        await select(app, pilot, "beijing")
        await pilot.press("a")
        await screen_named(app, pilot, "NextActionScreen")
        await pilot.press("f2", "ctrl+s")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: "due = 2026-11-30" in text(pipe, "beijing"))
    assert 'action = "打电话\\n带上报价单\\u001b[2J"' in text(pipe, "beijing")


async def test_i_logs_an_activity(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("i")
        dialog = await screen_named(app, pilot, "LogEntryScreen")
        await pilot.press("f2")  # visit
        dialog.query_one(Input).value = "见了IT经理"
        await pilot.press("ctrl+s")
        await screen_named(app, pilot, "NextActionScreen")  # log → next; escape: no next action
        await pilot.press("escape")
        await back_on_board(app, pilot)
        assert read(pipe, "suzhou")["log"] == [{"date": TODAY, "kind": "visit", "note": "见了IT经理"}]
        assert "# a comment after the last entry" in text(pipe, "suzhou")


async def test_u_undoes_the_last_edit_byte_for_byte(pipe: Path) -> None:
    before = text(pipe, "suzhou")
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("L", "s")
        await back_on_board(app, pilot)
        assert read(pipe, "suzhou")["stage"] == "project"
        await pilot.press("u")
        await until(app, pilot, lambda: text(pipe, "suzhou") == before)
        await until(app, pilot, lambda: "suzhou" in ids(app, "intent"))


async def test_u_pressed_while_the_write_is_still_on_the_store_thread_undoes_that_write(pipe: Path) -> None:
    """A quick `u` after a move (the write held up by another writer's lock) waits for the
    move's undo entry instead of finding nothing to undo."""
    before = text(pipe, "suzhou")
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        with write_lock(pipe):  # the store thread's write waits for this
            await pilot.press("L")
            await screen_named(app, pilot, "CriteriaScreen")
            await pilot.press("s")
            await until(app, pilot, lambda: type(app.screen).__name__ == "BoardScreen")
            await pilot.press("u")
            assert text(pipe, "suzhou") == before  # nothing written yet
        await until(app, pilot, lambda: "已撤销" in " ".join(notes(app)))
        assert text(pipe, "suzhou") == before and "没有可撤销" not in " ".join(notes(app))
        await until(app, pilot, lambda: "suzhou" in ids(app, "intent"))


async def test_u_refuses_when_the_file_changed_since(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("L", "s")
        await back_on_board(app, pilot)
        path = pipe / "customers" / "suzhou.toml"
        changed = path.read_text("utf-8") + "\n# edited by hand afterwards\n"
        path.write_text(changed, encoding="utf-8")
        await pilot.press("u")
        refused = "suzhou.toml 在这次修改后又被改过，未撤销"  # in the board's language
        await until(app, pilot, lambda: any(refused in n for n in notes(app)))
        assert path.read_text("utf-8") == changed


async def test_u_removes_a_created_customer(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("n")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        form.query_one("#f-name", Input).value = "Helix Energy"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        assert (pipe / "customers" / "helix-energy.toml").exists()
        await pilot.press("u")
        await until(app, pilot, lambda: not (pipe / "customers" / "helix-energy.toml").exists())
        await until(app, pilot, lambda: "helix-energy" not in app.board.customers)  # type: ignore[union-attr]


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real (non-interactive) editor: it appends a line to the file it is given."""
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf \'competitor = "用友"\\n\' >> "$1"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    return script


async def test_E_opens_the_editor_and_reloads(pipe: Path, editor: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "beijing")
        await pilot.press("E")
        await until(app, pilot, lambda: app.board.customers["beijing"].data.get("competitor") == "用友")  # type: ignore[union-attr]
        assert read(pipe, "beijing")["competitor"] == "用友"


async def test_p_lists_problems_and_enter_opens_the_file(pipe: Path, editor: Path) -> None:
    write_customer(pipe, "broken", 'name = "坏文件"\nstage = "nowhere"\n')
    async with board(pipe) as (app, pilot):
        await pilot.press("p")
        await screen_named(app, pilot, "ProblemsScreen")
        await pilot.press("enter")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: "用友" in text(pipe, "broken"))


@pytest.fixture
def vim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real program named vim: it records its arguments, then breaks the file it is given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "vim"
    args = tmp_path / "vim-args"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{args}"\nfor f; do :; done\nprintf "oops =\\n" >> "$f"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    return args


async def test_p_opens_the_editor_at_the_line_and_a_broken_save_is_said_at_once(
    pipe: Path, vim: Path
) -> None:
    write_customer(pipe, "broken", 'name = "坏文件"\nstage = "nowhere"\n')
    broken = pipe / "customers" / "broken.toml"
    async with board(pipe) as (app, pilot):
        await pilot.press("p")
        await screen_named(app, pilot, "ProblemsScreen")
        await pilot.press("enter")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: any("customers/broken.toml:3:" in n for n in notes(app)))
        assert "文件有问题" in next(n for n in notes(app) if "broken.toml:3:" in n)
    assert vim.read_text("utf-8").split() == ["+2", str(broken)]  # stage is on line 2


def test_the_editor_table_places_the_cursor_for_each_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    from tuiboard.board.editor import editor_command

    monkeypatch.delenv("VISUAL", raising=False)
    path = Path("/p/c.toml")
    for editor, expected in (
        ("nvim", ["nvim", "+7", "/p/c.toml"]),
        ("/usr/bin/hx", ["/usr/bin/hx", "+7", "/p/c.toml"]),
        ("code --wait", ["code", "--wait", "--goto", "/p/c.toml:7:3"]),
        ("gedit", ["gedit", "/p/c.toml"]),
    ):
        monkeypatch.setenv("EDITOR", editor)
        assert editor_command(path, 7, 3) == expected
    assert editor_command(path) == ["gedit", "/p/c.toml"]  # no line: the file alone


async def test_an_editor_with_an_unbalanced_quote_is_one_line_and_keeps_undo(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """shlex.split raised out of the key handler: the board died, and its undo stack with it."""
    monkeypatch.setenv("EDITOR", 'vim "oops')
    monkeypatch.delenv("VISUAL", raising=False)
    before = text(pipe, "suzhou")
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("L", "s")
        await back_on_board(app, pilot)
        await pilot.press("E")
        await until(app, pilot, lambda: any("$EDITOR cannot be run" in n for n in notes(app)))
        assert app.is_running and len(app.screen.undo_stack) == 1
        await pilot.press("u")
        await until(app, pilot, lambda: text(pipe, "suzhou") == before)


# -- views --------------------------------------------------------------------------------


async def test_enter_opens_details(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("enter")
        details = await screen_named(app, pilot, "DetailsScreen")
        assert details.customer.id == "suzhou"
        await pilot.press("escape")
        await back_on_board(app, pilot)


async def test_slash_searches_live_and_escape_clears(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"acme")
        assert app.screen.flt.text == "acme"
        assert app.screen.view is not None and app.screen.view.shown == 1 and ids(app, "target") == ["acme"]
        await pilot.press("escape")
        assert app.screen.flt.text == "" and app.screen.view.shown == 4
        assert isinstance(app.focused, CardList)
        await pilot.press("slash", *"张伟", "enter")  # contact name; enter keeps the filter
        assert ids(app, "intent") == ["suzhou"] and app.screen.view.shown == 1
        assert isinstance(app.focused, CardList)


async def test_f_filters_and_the_header_shows_it(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("f")
        dialog = await screen_named(app, pilot, "FilterScreen")
        dialog.query_one("#tiers").select("B")
        await pilot.press("enter")
        await back_on_board(app, pilot)
        assert app.screen.flt.tiers == frozenset({"B"})
        assert app.screen.view is not None and app.screen.view.shown == 1
        assert "tier B" in str(app.screen.query_one("#title").render())


async def test_t_today_view_focuses_the_chosen_card(pipe: Path) -> None:
    due_today = '[next]\naction = "打电话"\ndue = 2026-11-23\n'
    write_customer(pipe, "due", plain("今天到期公司", "project") + due_today)
    async with board(pipe) as (app, pilot):
        await pilot.press("t")
        today = await screen_named(app, pilot, "TodayScreen")
        options = today.query_one(OptionList)  # new leads without a next action are listed first
        options.highlighted = options.get_option_index("due")
        await pilot.press("enter")  # the only action due today
        await back_on_board(app, pilot)
        assert app.screen.selected() is not None and app.screen.selected().id == "due"  # type: ignore[union-attr]


async def test_c_opens_charts_and_q_closes_them(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("c")
        charts = await screen_named(app, pilot, "ChartsScreen")
        assert charts.board is app.board
        await pilot.press("escape")
        await back_on_board(app, pilot)


async def test_question_mark_shows_every_key(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("question_mark")
        assert app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)


async def test_every_action_is_in_the_command_palette(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {k.word(app.labels) for k in KEYS} <= titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "排序")
        await command.callback()
        assert app.screen.sort == "amount"
        await pilot.press("ctrl+p")
        await screen_named(app, pilot, "CommandPalette")
        await pilot.press(*"中/EN")
        await pilot.pause(0.3)  # the palette searches in the background
        await pilot.press("enter")
        await back_on_board(app, pilot)
        assert app.labels.english
        titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert titles["sort"].startswith("Sort cards") and "排序" not in titles


async def test_the_help_panel_speaks_the_boards_language(pipe: Path) -> None:
    """`?` lists every key in one language, and again in the other after ctrl+l (its words
    were ``左列 left`` with an English line under every language)."""
    async with board(pipe) as (app, pilot):
        english = (("Focus the column to the left", "up"), ("左列",))
        for keys, (want, unwanted) in (
            (
                ("question_mark",),
                (
                    (
                        "左列",
                        "焦点移到左边一列",
                        "上一张",
                        "下一个控件",
                        "复制选中的文字",
                    ),  # Textual's keys too
                    ("Focus the column", "left", "Focus Next", "Copy selected"),
                ),
            ),
            (("question_mark", "ctrl+l", "question_mark"), english),
        ):
            await pilot.press(*keys)
            await until(app, pilot, lambda: bool(app.screen.query(BindingsTable)))
            table = app.screen.query_one(BindingsTable).render_bindings_table()
            shown = "\n".join(str(cell) for cell in table.columns[1].cells)
            assert all(w in shown for w in want) and not any(w in shown for w in unwanted), shown


async def test_q_quits(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_a_store_call_as_the_board_closes_is_cancelled_not_a_crash(pipe: Path) -> None:
    """A reload or a hook still on its way as the rep quits finds the store thread shut down:
    its worker is cancelled. It used to fail with RuntimeError ('cannot schedule new futures
    after shutdown'), which Textual reports as the worker's traceback (seen in a full run)."""
    async with board(pipe) as (app, _pilot):
        pass
    with pytest.raises(asyncio.CancelledError):
        await app.in_store(lambda: None)


# -- live reload --------------------------------------------------------------------------


def vim_save(path: Path, content: str) -> None:
    """Write a new file and rename it over the old one, as vim (backupcopy=no) does."""
    tmp = path.with_name(path.name + "~new")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)


async def test_an_external_edit_shows_up_and_is_announced(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("ctrl+l")  # English: each mode speaks one language
        vim_save(pipe / "customers" / "acme.toml", plain("Acme Logistics Group", "project"))
        await until(app, pilot, lambda: ids(app, "project") == ["acme"])
        assert app.board.customers["acme"].name == "Acme Logistics Group"  # type: ignore[union-attr]
        assert any("1 customer changed" in n for n in notes(app))


async def test_selection_and_scroll_survive_a_reload(folder: Path) -> None:
    for i in range(30):
        write_customer(folder, f"c{i:02d}", plain(f"客户{i:02d}", "target"))
    async with board(folder) as (app, pilot):
        cards = column(app, "target").cards
        await select(app, pilot, "c20")
        scroll = cards.scroll_y
        assert scroll > 0
        vim_save(folder / "customers" / "c25.toml", plain("客户25 改名", "target"))
        write_customer(folder, "c00", plain("客户00", "potential"))  # a card above it leaves
        await until(app, pilot, lambda: "c00" in ids(app, "potential"))
        await until(app, pilot, lambda: app.board.customers["c25"].name == "客户25 改名")  # type: ignore[union-attr]
        assert app.screen.selected().id == "c20"  # type: ignore[union-attr]
        assert cards.scroll_y == scroll


async def test_a_broken_file_keeps_its_card_with_the_marker(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        path = pipe / "customers" / "acme.toml"
        path.write_text('name = "Acme Logistics"\nstage = "target\n', encoding="utf-8")  # unterminated
        await until(app, pilot, lambda: bool(app.board.customers["acme"].problems))  # type: ignore[union-attr]
        assert "acme" in ids(app, "target")
        cards = column(app, "target").cards
        line = cards.painter.strips(app.board.customers["acme"], 28)[0].text  # type: ignore[union-attr]
        assert line.startswith("✖ Acme Logistics")
        assert app.screen.view is not None and app.screen.view.errors == 1
        # a broken file is never written: the move is refused with a message
        await select(app, pilot, "acme")
        await pilot.press("L", "s")
        await back_on_board(app, pilot)
        assert 'stage = "target\n' in path.read_text("utf-8")
        assert any("请先修正这个文件" in n for n in notes(app))


async def test_a_file_changed_on_disk_is_not_overwritten(pipe: Path) -> None:
    async with board(pipe, debounce=3.0) as (app, pilot):  # the watcher must not reload first
        await select(app, pilot, "suzhou")
        path = pipe / "customers" / "suzhou.toml"
        theirs = HAND_WRITTEN.replace("amount = 180000", "amount = 200000")
        path.write_text(theirs, encoding="utf-8")
        await pilot.press("L", "s")
        await back_on_board(app, pilot)
        assert path.read_text("utf-8") == theirs
        assert any("已重新加载，未写入" in n for n in notes(app))
        assert app.board.customers["suzhou"].amount == 200000  # type: ignore[union-attr]
        await pilot.press("L", "s")  # now the board has read it: the move goes through
        await back_on_board(app, pilot)
        assert read(pipe, "suzhou")["stage"] == "project" and read(pipe, "suzhou")["amount"] == 200000


async def test_an_edit_refused_by_a_change_on_disk_keeps_what_was_typed(pipe: Path) -> None:
    async with board(pipe, debounce=3.0) as (app, pilot):  # the watcher must not reload first
        await select(app, pilot, "suzhou")
        await pilot.press("e")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        form.query_one("#f-amount", Input).value = "25万"
        path = pipe / "customers" / "suzhou.toml"
        path.write_text(HAND_WRITTEN.replace('tier = "B"', 'tier = "B"\nowner = "li.na"'), encoding="utf-8")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: any("你填写的内容已保留" in n for n in notes(app)))
        await until(
            app, pilot, lambda: app.screen is not form and type(app.screen).__name__ == "CustomerFormScreen"
        )
        again = app.screen
        assert again.query_one("#f-amount", Input).value == "250000"  # what was typed
        assert again.query_one("#f-owner", Input).value == "li.na"  # what changed on disk
        assert read(pipe, "suzhou")["amount"] == 180000  # nothing written over their change
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        data = read(pipe, "suzhou")
        assert data["amount"] == 250000 and data["owner"] == "li.na"


async def test_the_boards_own_write_causes_no_second_reload(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "acme")
        app.reloaded.clear()
        await pilot.press("L", "s")
        await back_on_board(app, pilot)
        await asyncio.wait_for(app.reloaded.wait(), 8)  # the watcher's echo of our write
        assert not any("changed on disk" in n for n in notes(app))
        assert read(pipe, "acme")["stage"] == "potential"


async def test_untrusted_text_is_drawn_harmlessly(folder: Path) -> None:
    write_customer(folder, "evil", 'name = "Evil\\u001b[31m Corp"\nstage = "target"\n')
    async with board(folder) as (app, _):
        strip = column(app, "target").cards.painter.strips(app.board.customers["evil"], 28)[0]  # type: ignore[union-attr]
        assert "\x1b" not in strip.text and "Evil\\x1b[31m Corp" in strip.text


def test_nested_turns_key_paths_into_tables() -> None:
    assert nested({("name",): "x", ("next", "action"): "a", ("next", "due"): TODAY}) == {
        "name": "x",
        "next": {"action": "a", "due": TODAY},
    }


# -- papercuts ----------------------------------------------------------------------------


async def test_the_search_text_is_visible_as_it_is_typed(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("slash", *"acme")
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        assert search.content_region.height >= 1  # not all border
        assert screen_lines(app)[search.region.y].strip().startswith("acme")


async def test_escape_on_the_board_clears_the_search_and_the_key_bar_says_how(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("slash", *"acme", "enter")
        assert app.screen.flt.text == "acme" and isinstance(app.focused, CardList)
        await pilot.pause()
        assert "esc 清除搜索" in screen_lines(app)[-1]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.flt.text == "" and app.screen.view is not None and app.screen.view.shown == 4
        assert "esc" not in screen_lines(app)[-1]


@pytest.mark.parametrize("keys", [("L", "s"), ("w", "space", "enter")])
async def test_u_puts_the_focus_back_on_the_restored_customer(pipe: Path, keys: tuple[str, ...]) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "beijing")
        await pilot.press(*keys)
        await back_on_board(app, pilot)
        assert read(pipe, "beijing")["stage"] != "intent"
        await pilot.press("u")
        await until(app, pilot, lambda: "beijing" in ids(app, "intent"))
        await pilot.pause()
        assert app.screen.selected() is not None and app.screen.selected().id == "beijing"  # type: ignore[union-attr]
        assert isinstance(app.focused, CardList) and app.focused.stage.id == "intent"


def whole_columns(app: BoardApp) -> tuple[list[str], list[str]]:
    """(stages whose column is wholly on screen, stages cut by the screen's edge)."""
    width = app.size.width
    whole, cut = [], []
    for col in app.screen.query(StageColumn):
        region = col.region
        if not col.display or not region or region.right <= 0 or region.x >= width:
            continue  # hidden, or wholly off screen
        (whole if region.x >= 0 and region.right <= width else cut).append(col.stage.id)
    return whole, cut


OPEN = ["target", "potential", "intent", "project", "approved", "negotiation"]


async def test_120_columns_show_every_open_stage_and_won(demo_folder: Path) -> None:
    async with board(demo_folder, size=(120, 40)) as (app, pilot):
        await pilot.pause()
        whole, cut = whole_columns(app)
        assert whole == [*OPEN, "won"] and cut == []


async def test_200_columns_show_the_won_column_whole(demo_folder: Path) -> None:
    async with board(demo_folder, size=(200, 50)) as (app, pilot):
        await pilot.pause()
        assert whole_columns(app) == ([*OPEN, "won"], [])


async def test_80_columns_cut_no_card_and_scroll_a_column_at_a_time(demo_folder: Path) -> None:
    async with board(demo_folder, size=(80, 24)) as (app, pilot):
        await pilot.pause()
        whole, cut = whole_columns(app)
        assert cut == [] and len(whole) >= 4 and whole[0] == "target"
        for _ in range(6):
            await pilot.press("l")
            await pilot.pause()
            whole, cut = whole_columns(app)
            assert cut == [] and app.focused.stage.id in whole  # type: ignore[union-attr]
        assert whole[-1] == "won"


async def test_d_toggles_full_size_cards(demo_folder: Path) -> None:
    async with board(demo_folder, size=(120, 40)) as (app, pilot):
        await pilot.press("d")
        await pilot.pause()
        whole, cut = whole_columns(app)
        assert app.screen.density == "full" and whole == OPEN[:4] and cut == []
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.density == "fit" and whole_columns(app)[0] == [*OPEN, "won"]


@pytest.mark.parametrize("width", [60, 80, 100, 114])
async def test_the_key_bar_keeps_help_and_quit_at_any_width(pipe: Path, width: int) -> None:
    async with board(pipe, size=(width, 24)) as (app, pilot):
        await pilot.pause()
        line = screen_lines(app)[-1]
        assert line.rstrip().endswith("? 帮助  q 退出")
        assert "▏" not in line and "palette" not in line
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert screen_lines(app)[-1].rstrip().endswith("? keys  q quit")


async def test_question_mark_lists_the_letter_keys_too(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one(BindingsTable).render_bindings_table()
        keys = {str(cell) for cell in table.columns[0].cells}
        assert {"← h", "→ l", "↑ k", "↓ j"} <= keys
        assert any(k.endswith(" H") for k in keys) and any(k.endswith(" L") for k in keys)


async def test_the_checklist_shows_ticked_and_unticked_differently(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("L")
        dialog = await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("space")
        await pilot.pause()
        checklist = dialog.query_one(Checklist)
        first, second = (checklist.render_line(y).text for y in (0, 1))
        assert "✓" in first and "✓" not in second
        assert first[first.index("✓") + 2 :] != second[second.index(" ") :]  # not a repaint of one line


async def test_enter_with_nothing_ticked_does_not_move(pipe: Path) -> None:
    before = text(pipe, "suzhou")
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("L")
        dialog = await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "s 跳过" in str(dialog.query_one("#status").render())
        await pilot.press("escape")
        await back_on_board(app, pilot)
    assert text(pipe, "suzhou") == before


async def test_moving_back_asks_only_why_and_records_it(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        await pilot.press("H")
        dialog = await screen_named(app, pilot, "MoveBackScreen")
        assert not dialog.query(Checklist)
        await pilot.press(*"budget frozen", "enter")
        await back_on_board(app, pilot)
        data = read(pipe, "suzhou")
        assert data["stage"] == "potential"
        assert data["history"][-1] == {"date": TODAY, "stage": "potential", "reason": "budget frozen"}


async def test_log_then_next_action_with_the_cadence_default(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")  # due 2026-11-25; tier B: a 14-day cadence
        await pilot.press("i")
        dialog = await screen_named(app, pilot, "LogEntryScreen")
        dialog.query_one("#note", Input).value = "客户要第二版报价"
        dialog.query_one("#date", Input).value = "2026-11-21"
        await pilot.press("ctrl+s")
        nxt = await screen_named(app, pilot, "NextActionScreen")
        assert read(pipe, "suzhou")["log"] == [
            {"date": TODAY.replace(day=21), "kind": "call", "note": "客户要第二版报价"}
        ]
        assert nxt.query_one("#due", Input).value == "2026-12-07"
        nxt.query_one("#action", Input).value = "发送第二版报价"
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        assert read(pipe, "suzhou")["next"] == {"action": "发送第二版报价", "due": date(2026, 12, 7)}
        assert "# a comment after the last entry" in text(pipe, "suzhou")


async def test_a_keeps_the_current_due_date(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await next_action_typed(app, pilot, "suzhou", "发送第二版报价")
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        assert read(pipe, "suzhou")["next"] == {"action": "发送第二版报价", "due": TODAY.replace(day=25)}


# -- find anyone in two keys --------------------------------------------------------------


async def test_g_finds_a_customer_by_pinyin_initials_and_enter_focuses_the_card(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        assert app.screen.selected().id != "suzhou"  # type: ignore[union-attr]
        await pilot.press("g")
        dialog = await screen_named(app, pilot, "JumpScreen")
        await pilot.press(*"szhd")  # 苏州华东
        await pilot.pause()
        assert [c.id for c in dialog.hits] == ["suzhou"]
        await pilot.press("enter")
        await back_on_board(app, pilot)
        assert app.screen.selected().id == "suzhou"  # type: ignore[union-attr]
        assert isinstance(app.focused, CardList) and app.focused.stage.id == "intent"


async def test_g_by_contact_with_arrows_to_pick(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("g")
        dialog = await screen_named(app, pilot, "JumpScreen")
        await pilot.press(*"hangzhou")
        await pilot.pause()
        assert [c.id for c in dialog.hits] == ["hangzhou"]
        await pilot.press("ctrl+a", "ctrl+k", *"zhangwei", "enter")  # the contact 张伟, in pinyin
        await back_on_board(app, pilot)
        assert app.screen.selected().id == "suzhou"  # type: ignore[union-attr]


async def test_slash_search_matches_pinyin_too(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("slash", *"bjyq")  # 北京云启
        await pilot.pause()
        view = app.screen.view
        assert view is not None and view.shown == 1 and ids(app, "intent") == ["beijing"]


async def test_the_command_palette_finds_customers_and_focuses_the_card(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("ctrl+p")
        await screen_named(app, pilot, "CommandPalette")
        await pilot.press(*"hzhx")  # 杭州恒信
        await until(app, pilot, lambda: _palette_has(app, "杭州恒信"))
        await pilot.press("enter")
        await back_on_board(app, pilot)
        assert app.screen.selected().id == "hangzhou"  # type: ignore[union-attr]


def _palette_has(app: BoardApp, text: str) -> bool:
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    return bool(lists) and any(text in str(o.prompt) for o in lists.first().options)


async def test_toasts_speak_the_boards_language_only(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("u")
        await pilot.pause()
        assert notes(app)[-1] == "没有可撤销的修改"
        await pilot.press("ctrl+l", "u")
        await pilot.pause()
        assert notes(app)[-1] == "nothing to undo"


async def test_an_empty_board_says_to_press_n(folder: Path) -> None:
    async with board(folder) as (app, pilot):
        await pilot.pause()
        assert any("按 n 新建" in line for line in screen_lines(app))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert any("press n to add" in line for line in screen_lines(app))
        await pilot.press("n")
        form = await screen_named(app, pilot, "CustomerFormScreen")
        form.query_one("#f-name", Input).value = "Helix Energy"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await back_on_board(app, pilot)
        assert not any("press n to add" in line for line in screen_lines(app))


async def test_m_toggles_my_deals(pipe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUIBOARD_OWNER", "wang.li")
    write_customer(pipe, "mine", plain("我的客户", "target", owner='"wang.li"'))
    write_customer(pipe, "theirs", plain("别人的客户", "target", owner='"li.na"'))
    async with board(pipe) as (app, pilot):
        assert app.screen.view is not None and app.screen.view.shown == 6
        await pilot.press("m")
        assert app.screen.flt.owners == frozenset({"wang.li"}) and ids(app, "target") == ["mine"]
        assert "owner wang.li" in str(app.screen.query_one("#title").render())
        await pilot.press("m")
        assert not app.screen.flt.active and app.screen.view.shown == 6


async def test_m_without_an_identity_says_how_to_set_one(pipe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUIBOARD_OWNER", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(pipe.parent))
    async with board(pipe) as (app, pilot):
        await pilot.press("m")
        await pilot.pause()
        assert "TUIBOARD_OWNER" in notes(app)[-1] and not app.screen.flt.active


async def test_dialog_key_hints_speak_the_boards_language(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        steps = ((("a",), ("保存", "save")), (("escape", "ctrl+l", "a"), ("save", "保存")))
        for keys, (want, unwanted) in steps:
            await pilot.press(*keys)
            dialog = await screen_named(app, pilot, "NextActionScreen")
            hint = str(dialog.query_one("#keys").render())
            assert want in hint and unwanted not in hint, hint


def test_every_language_has_every_label_and_fills_the_same_blanks() -> None:
    import string

    from tuiboard.labels import labels, languages

    zh = labels("zh").words
    assert languages()[0] == "zh" and "en" in languages()
    for code in languages():
        words = labels(code).words
        assert words.keys() == zh.keys(), code
        for key, template in words.items():
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            assert fields == {f for _, f, _, _ in string.Formatter().parse(zh[key]) if f}, (code, key)


def test_every_catalog_key_the_board_names_is_in_every_catalog() -> None:
    """The words are looked up by key: a key named in tuiboard/ (a literal like ``"key.save"``,
    or one built from a table, like ``keys.NAME``) that a catalog lacks would crash that screen."""
    import ast
    import re

    from pipeline.model import INTENTS, LOG_KINDS
    from pipeline.views import SORT_IDS
    from tuiboard.labels import labels, languages
    from tuiboard.screens.charts_screen import KPIS, TABS
    from tuiboard.screens.next_action import PICKS

    prefixes = {key.split(".")[0] for key in labels().words}
    used: set[str] = set()
    for path in Path(__file__).parent.parent.joinpath("tuiboard").rglob("*.py"):
        if path.parent.name == "locale":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[a-z_]+(\.[a-z0-9_+]+)+", node.value)
                and node.value.split(".")[0] in prefixes
            ):
                used.add(node.value)
    used |= {k.label for k in KEYS} | {k.help for k in KEYS} | {k.group.description for k in KEYS if k.group}
    used |= {f"charts.tab.{t}" for t in TABS} | {f"charts.kpi.{k}" for k in KPIS}
    used |= (
        {f"kind.{k}" for k in LOG_KINDS}
        | {f"next.pick.{o}" for _, o in PICKS}
        | {f"sort.{s}" for s in SORT_IDS}
    )
    used |= {f"{what}.{key}" for what in ("contact", "product") for key in ("title", "name")}
    used |= {"details.contacts", "details.products"}
    used |= {f"intent.{i}" for i in INTENTS}
    assert len(used) > 200
    for code in languages():
        assert not used - labels(code).words.keys(), code


async def test_dialog_titles_and_buttons_speak_one_language(pipe: Path) -> None:
    from textual.widgets import Button

    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        for keys, name, (want, unwanted) in (
            (("f",), "FilterScreen", ("筛选", "Filter")),
            (("escape", "a"), "NextActionScreen", ("下一步行动", "Next action")),
            (("escape", "ctrl+l", "f"), "FilterScreen", ("Filter", "筛选")),
            (("escape", "a"), "NextActionScreen", ("Next action", "下一步行动")),
            (("escape", "L"), "CriteriaScreen", ("Move to", "移动到")),
        ):
            await pilot.press(*keys)
            dialog = await screen_named(app, pilot, name)
            title = str(dialog.query_one("#dialog").border_title)
            buttons = " ".join(str(b.label) for b in dialog.query(Button))
            assert want in title and unwanted not in title, title
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in buttons)
            assert chinese != app.labels.english, buttons  # Reset/Apply, +1 week: one language


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def test_form_details_today_and_charts_speak_one_language(pipe: Path) -> None:
    """The customer form, details, today and charts: titles, key hints and a field's check
    in the board's language only (they were ``新客户 New customer``, ``必填`` after English)."""
    async with board(pipe) as (app, pilot):
        await select(app, pilot, "suzhou")
        for english in (False, True):
            if english:
                await pilot.press("ctrl+l")
            for key, name, (zh, en) in (
                ("n", "CustomerFormScreen", ("新客户", "New customer")),
                ("e", "CustomerFormScreen", ("编辑", "Edit")),
                ("enter", "DetailsScreen", ("客户详情", "Details")),
                ("t", "TodayScreen", ("今日待办", "Today")),
                ("C", "ContactFormScreen", ("添加联系人", "Add contact")),
                ("P", "ProductFormScreen", ("添加产品", "Add product")),
            ):
                await pilot.press(key)
                dialog = await screen_named(app, pilot, name)
                title = str(dialog.query_one("#dialog").border_title)
                hint = str(dialog.query_one("#keys").render())
                want, unwanted = (en, zh) if english else (zh, en)
                assert want in title and unwanted not in title, title
                assert has_chinese(hint) != english, hint
                if key == "enter":  # the summary's labels too (they were ``阶段 stage``)
                    shown = "\n".join(screen_lines(app))
                    assert ("days in stage" in shown) == english and "阶段 stage" not in shown, shown
                if key == "e":  # an emptied name says it is required, in one language
                    name_input = dialog.query_one("#f-name", Input)
                    name_input.value = ""
                    await pilot.press("ctrl+s")
                    note = str(name_input.parent.parent.query_one(".field-note").render())
                    assert note == ("required" if english else "必填"), note
                await pilot.press("escape")
                await until(app, pilot, lambda: app.screen.view is not None)
            await pilot.press("c")
            charts = await screen_named(app, pilot, "ChartsScreen")
            await until(app, pilot, lambda: app.screen.kpis is not None)
            title = str(charts.query_one("#charts-title").render())
            assert ("Charts" in title) == english and has_chinese(title) != english, title
            await pilot.press("escape")
            await until(app, pilot, lambda: app.screen.view is not None)
