"""Saved views and marked cards on the board, driven by keys through Textual's pilot over real
folders: what ends up on disk after each bulk write and its undo."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import TODAY, write_customer
from tests.test_app import (
    HAND_WRITTEN,
    back_on_board,
    board,
    ids,
    notes,
    plain,
    read,
    screen_lines,
    screen_named,
    select,
    text,
    until,
)

VIEWS = """
[views."A类"]
tier = ["A", "VIP"]

[views."我的"]
mine = true
sort = "amount"
"""


@pytest.fixture
def pipe(folder: Path) -> Path:
    with open(folder / "pipeline.toml", "a", encoding="utf-8") as fh:
        fh.write(VIEWS)
    write_customer(folder, "suzhou", HAND_WRITTEN)  # intent, B
    write_customer(folder, "beijing", plain("北京云启科技", "intent", tier='"A"', owner='"wang.li"'))
    write_customer(folder, "acme", plain("Acme Logistics", "target", tier='"VIP"', amount="90000"))
    write_customer(folder, "hangzhou", plain("杭州恒信软件", "target", owner='"wang.li"', amount="300000"))
    write_customer(folder, "ningbo", plain("宁波德润新能源", "target", owner='"wang.li"', amount="10000"))
    return folder


def title(app: object) -> str:
    return screen_lines(app)[0]  # type: ignore[arg-type]


async def test_digit_keys_switch_views_and_0_shows_everyone(
    pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUIBOARD_OWNER", "wang.li")
    async with board(pipe) as (app, pilot):
        await pilot.press("1")
        await until(app, pilot, lambda: ids(app, "target") == ["acme"])
        assert ids(app, "intent") == ["beijing"]
        assert "视图: A类" in title(app)
        await pilot.press("2")  # mine, by amount
        await until(app, pilot, lambda: ids(app, "target") == ["hangzhou", "ningbo"])
        assert "视图: 我的" in title(app) and app.screen.sort == "amount"
        await pilot.press("slash", "n", "i", "n", "g")  # a search on top: no longer the view as saved
        await until(app, pilot, lambda: ids(app, "target") == ["ningbo"])
        assert "视图" not in title(app)
        await pilot.press("escape", "escape", "0")
        await until(app, pilot, lambda: len(ids(app, "target")) == 3)
        assert "视图" not in title(app)
        await pilot.press("7")
        await pilot.pause()
        assert notes(app)[-1] == "只有 2 个视图"


async def test_the_board_opens_with_a_view(pipe: Path) -> None:
    async with board(pipe, view="A类") as (app, pilot):
        await until(app, pilot, lambda: ids(app, "target") == ["acme"])
        assert "视图: A类" in title(app)


async def test_saving_the_filter_as_a_view(pipe: Path) -> None:
    config = pipe / "pipeline.toml"
    before = config.read_text("utf-8")
    async with board(pipe) as (app, pilot):
        await pilot.press("f")
        await screen_named(app, pilot, "FilterScreen")
        await pilot.press("space")  # the first tier in the list (VIP)
        await pilot.press("v")
        await screen_named(app, pilot, "ViewNameScreen")
        await pilot.press(*"VIP客户", "enter")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: "视图: VIP客户" in title(app))
        assert ids(app, "target") == ["acme"]
        assert config.read_text("utf-8") == before + '\n[views."VIP客户"]\ntier = ["VIP"]\n'
        assert notes(app)[-1] == "已保存视图「VIP客户」，按 3 切换"
        await pilot.press("0", "3")
        await until(app, pilot, lambda: ids(app, "target") == ["acme"])


async def test_a_view_is_not_saved_into_a_broken_pipeline_toml_and_says_so_in_chinese(pipe: Path) -> None:
    config = pipe / "pipeline.toml"
    async with board(pipe) as (app, pilot):
        broken = config.read_text("utf-8") + '\nname = "unterminated\n'
        config.write_text(broken, "utf-8")
        await pilot.press("f")
        await screen_named(app, pilot, "FilterScreen")
        await pilot.press("space", "v")
        await screen_named(app, pilot, "ViewNameScreen")
        await pilot.press(*"VIP客户", "enter")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: any("请先修正 pipeline.toml，视图未保存" in n for n in notes(app)))
    assert config.read_text("utf-8") == broken


async def test_a_read_only_board_saves_no_view(pipe: Path) -> None:
    before = (pipe / "pipeline.toml").read_bytes()
    async with board(pipe, read_only=True) as (app, pilot):
        await pilot.press("1", "f")
        await screen_named(app, pilot, "FilterScreen")
        await pilot.press("v")
        await back_on_board(app, pilot)
        assert notes(app)[-1] == "只读模式，未写入"
    assert (pipe / "pipeline.toml").read_bytes() == before
    assert not (pipe / ".tuiboard" / "view").exists()  # nor remembers one


ALL = ("suzhou", "beijing", "acme", "hangzhou", "ningbo")


def marked(app: object) -> set[str]:
    return {cid for cid in ALL if cid in app.screen.marks}  # type: ignore[attr-defined]


async def mark(app: object, pilot: object, *cids: str) -> None:
    """Space on each of these cards."""
    for cid in cids:
        await select(app, pilot, cid)  # type: ignore[arg-type]
        await pilot.press("space")  # type: ignore[attr-defined]
    assert marked(app) == set(cids)


async def test_V_marks_every_card_the_filter_shows_in_every_column(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("1")  # 「A类」: beijing (intent) and acme (target)
        await until(
            app, pilot, lambda: sorted(ids(app, "intent") + ids(app, "target")) == ["acme", "beijing"]
        )
        await pilot.press("V")
        await until(app, pilot, lambda: marked(app) == {"acme", "beijing"})
        await pilot.press("0")  # everyone: V marks the rest too, not only the focused column
        await until(app, pilot, lambda: len(ids(app, "target")) == 3)
        await pilot.press("V")
        await until(app, pilot, lambda: marked(app) == set(ALL))
        assert "已标记 5（esc 清除）" in title(app)
        await pilot.press("V")  # all shown were marked: V unmarks them
        await until(app, pilot, lambda: marked(app) == set())


async def test_marks_and_a_bulk_move_then_one_undo_for_the_batch(pipe: Path) -> None:
    before = {cid: text(pipe, cid) for cid in ("acme", "hangzhou", "ningbo", "suzhou")}
    async with board(pipe) as (app, pilot):
        await mark(app, pilot, "acme", "hangzhou", "ningbo")
        await select(app, pilot, "hangzhou")
        await pilot.press("space")  # unmark one
        assert len(app.screen.marks) == 2 and "已标记 2（esc 清除）" in title(app)
        assert sum("✔ ━" in line for line in screen_lines(app)) == 2  # the marks are drawn
        await pilot.press("shift+right")
        criteria = await screen_named(app, pilot, "CriteriaScreen")
        heading = str(criteria.heading())  # one checklist for both cards, named
        assert "等 2 个客户" in heading and "Acme Logistics" in heading
        await pilot.press("s")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: sorted(ids(app, "potential")) == ["acme", "ningbo"])
        for cid in ("acme", "ningbo"):
            assert read(pipe, cid)["history"][-1] == {"date": TODAY, "stage": "potential"}
        assert text(pipe, "hangzhou") == before["hangzhou"]
        assert notes(app)[-1] == "已移动 2 个客户"
        assert len(app.screen.marks) == 0 and not any("✔ ━" in line for line in screen_lines(app))

        await pilot.press("u")  # one undo: the whole batch, byte for byte
        await until(app, pilot, lambda: sorted(ids(app, "target")) == ["acme", "hangzhou", "ningbo"])
        for cid in ("acme", "ningbo"):
            assert text(pipe, cid) == before[cid]
        assert notes(app)[-1] == "已撤销 2 个客户的修改"
        assert app.screen.selected() is not None and app.screen.selected().id in ("acme", "ningbo")  # type: ignore[union-attr]


async def test_a_bulk_move_refuses_per_customer_and_undo_spares_later_edits(pipe: Path) -> None:
    async with board(pipe, debounce=60, rescan_every=600) as (app, pilot):  # no reload races the write
        await select(app, pilot, "acme")
        await pilot.press("space")
        await select(app, pilot, "suzhou")
        await pilot.press("space")
        # suzhou changes on disk before the board writes: refused, and shown as it is now.
        path = pipe / "customers" / "suzhou.toml"
        path.write_text(HAND_WRITTEN.replace('tier = "B"', 'tier = "A"'), "utf-8")
        await pilot.press("w")
        await screen_named(app, pilot, "CriteriaScreen")
        await pilot.press("s")
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: read(pipe, "acme")["stage"] == "won")
        assert read(pipe, "suzhou")["stage"] == "intent" and read(pipe, "suzhou")["tier"] == "A"
        assert any(
            n.startswith(
                "已移动 1 个客户，1 个未成功：苏州华东精密机械有限公司: suzhou.toml 读取后在磁盘上被改过"
            )
            for n in notes(app)
        )
        assert list(app.screen.marks.customers(app.board.customers)) == [app.board.customers["suzhou"]]  # type: ignore[union-attr]
        # Still marked, not focused: a write key's dialog names the customer it will change.
        await select(app, pilot, "hangzhou")
        await pilot.press("x")
        lost = await screen_named(app, pilot, "LostReasonScreen")
        assert "苏州华东精密机械有限公司" in str(lost.heading()) and "杭州" not in str(lost.heading())
        await pilot.press("escape")
        await back_on_board(app, pilot)

        # acme is edited after the batch: its undo is refused, nothing else is touched.
        acme = pipe / "customers" / "acme.toml"
        acme.write_text(acme.read_text("utf-8") + 'owner = "li.na"\n', "utf-8")
        edited = acme.read_text("utf-8")
        await pilot.press("u")
        await until(app, pilot, lambda: any("未撤销" in n for n in notes(app)))
        assert acme.read_text("utf-8") == edited


async def test_bulk_next_action_and_owner_and_tier(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await mark(app, pilot, "acme", "hangzhou", "ningbo")
        await pilot.press("a")
        await screen_named(app, pilot, "NextActionScreen")
        await pilot.press(*"寄资料", "enter")
        await back_on_board(app, pilot)
        await until(
            app, pilot, lambda: all("寄资料" in text(pipe, c) for c in ("acme", "hangzhou", "ningbo"))
        )
        for cid in ("acme", "hangzhou", "ningbo"):
            assert read(pipe, cid)["next"]["action"] == "寄资料"
        assert notes(app)[-1] == "已为 3 个客户设置下一步"

        await mark(app, pilot, "acme", "hangzhou", "ningbo")  # marks were cleared by the write
        await pilot.press("e")
        await screen_named(app, pilot, "BulkFieldsScreen")
        await pilot.press(*"li.na", "enter")
        await back_on_board(app, pilot)
        await until(
            app, pilot, lambda: all(read(pipe, c).get("owner") == "li.na" for c in ("acme", "hangzhou"))
        )
        assert read(pipe, "ningbo")["owner"] == "li.na"
        assert tomllib.loads(text(pipe, "acme"))["tier"] == "VIP"  # the tier was left as it was

        await pilot.press("V", "escape")  # esc with no search clears the marks
        await until(app, pilot, lambda: len(app.screen.marks) == 0)


async def test_a_tag_for_every_marked_card_and_one_undo(pipe: Path) -> None:
    before = {cid: text(pipe, cid) for cid in ALL}
    async with board(pipe) as (app, pilot):
        await mark(app, pilot, "suzhou", "acme")
        await pilot.press("e")
        await screen_named(app, pilot, "BulkFieldsScreen")
        await pilot.press("tab", "tab", *"重点", "comma", *"续费", "enter")  # owner, tier left unchanged
        await back_on_board(app, pilot)
        await until(app, pilot, lambda: read(pipe, "acme").get("tags") == ["重点", "续费"])
        assert read(pipe, "suzhou")["tags"] == ["ERP", "重点", "续费"] and read(pipe, "suzhou")["tier"] == "B"
        assert "# 手写的注释: the board must keep this" in text(pipe, "suzhou")
        assert text(pipe, "ningbo") == before["ningbo"]
        assert notes(app)[-1] == "已修改 2 个客户"
        await pilot.press("u")  # the batch, byte for byte
        await until(app, pilot, lambda: text(pipe, "acme") == before["acme"])
        assert text(pipe, "suzhou") == before["suzhou"]


async def test_the_view_survives_a_restart_and_a_hostile_state_file_is_ignored(pipe: Path) -> None:
    async with board(pipe) as (app, pilot):
        await pilot.press("1")
        await until(app, pilot, lambda: "视图: A类" in title(app))
    async with board(pipe) as (app, pilot):
        await until(app, pilot, lambda: ids(app, "target") == ["acme"])
        assert "视图: A类" in title(app)
        await pilot.press("0")
        await until(app, pilot, lambda: "视图" not in title(app))
    async with board(pipe) as (app, pilot):
        assert len(ids(app, "target")) == 3
    state = pipe / ".tuiboard" / "view"
    elsewhere = pipe / "elsewhere"
    elsewhere.write_text("A类")
    state.unlink()
    state.symlink_to(elsewhere)  # a cloned folder's planted link: not read, not written through
    async with board(pipe) as (app, pilot):
        assert len(ids(app, "target")) == 3
        await pilot.press("1")
        await until(app, pilot, lambda: "视图: A类" in title(app))
    assert elsewhere.read_text() == "A类" and not state.is_symlink()
