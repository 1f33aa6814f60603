"""Contacts and products, duplicates, merge, archive and delete: rules on real files in
tmp_path, the commands through the real entry point, the details screen on the real board."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, write_customer
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select

from pipeline import actions, archive, contacts, duplicates, search
from pipeline.config import preset_text
from pipeline.errors import ConflictError, UsageError
from pipeline.lines import toml_lines
from pipeline.problems import Severity
from pipeline.store import Store, load_board
from tests.support import until
from tuiboard.cli import main
from tuiboard.screens.contacts import ContactFormScreen, ProductFormScreen
from tuiboard.screens.customer_form import EDIT_FIELDS, NEW_FIELDS

HAND = """\
# 手写: every byte of this stays
name = "苏州华东精密机械有限公司"   # 全称
stage = "intent"
amount = 180000
created = 2026-09-02

[contact]          # the old single contact stays valid
name = "张伟"
phone = "0512 6666 8888"

[[history]]
date = 2026-09-02
stage = "intent"
# after the last entry
"""

PEOPLE = """\
name = "杭州中联软件"
stage = "project"
amount = 100000

[[contacts]]
name = "王总"
role = "decision"
phone = "+86 138 0013 8000"

[[contacts]]
name = "李工"
role = "technical"
email = "li@example.com"

[[products]]
name = "ERP 标准版"
quantity = 10
unit_price = 9000

[[products]]
name = "实施服务"
unit_price = 10000
"""


def tb(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        main, [str(a) for a in args], input=stdin, prog_name="tuiboard", catch_exceptions=False
    )


def text(root: Path, cid: str, folder: str = "customers") -> str:
    return (root / folder / f"{cid}.toml").read_text("utf-8")


def problems(root: Path, cid: str) -> list[tuple[int, int, Severity, str]]:
    board = load_board(root, use_cache=False)
    return [(p.line, p.column, p.severity, p.message) for p in board.problems_for(cid)]


def only_added(before: str, after: str) -> list[str]:
    """The lines ``after`` adds; fails if any line of ``before`` went or changed."""
    old, new = toml_lines(before, keepends=True), toml_lines(after, keepends=True)
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        added += new[j1:j2] if tag == "insert" else []
    return added


# -- the format ---------------------------------------------------------------------------


def test_contacts_and_products_load_without_problems(folder: Path) -> None:
    write_customer(folder, "hz", PEOPLE)
    write_customer(folder, "sz", HAND)
    assert problems(folder, "hz") == [] and problems(folder, "sz") == []  # 100000 = 10 x 9000 + 10000


def test_every_contact_and_product_problem_is_located(folder: Path) -> None:
    write_customer(
        folder,
        "bad",
        'name = "X"\nstage = "intent"\n\n[[contacts]]\nrole = "boss"\nphone = 13800138000\n\n'
        '[[products]]\nname = "ERP"\nunit_price = "9000"\ndiscount = 120\n',
    )
    found = problems(folder, "bad")
    assert (4, 1, Severity.WARNING, "a contact needs a name") in found
    assert any(p[:3] == (5, 1, Severity.WARNING) and "unknown role 'boss'" in p[3] for p in found)
    assert any(p[:3] == (6, 1, Severity.WARNING) and "quote it" in p[3] for p in found)
    assert any(p[:3] == (10, 1, Severity.ERROR) and "unit_price must be a number" in p[3] for p in found)
    assert any(p[:3] == (11, 1, Severity.ERROR) and "between 0 and 100" in p[3] for p in found)
    write_customer(folder, "shape", 'name = "Y"\nstage = "intent"\ncontacts = "张伟"\n')
    assert problems(folder, "shape") == [
        (3, 1, Severity.ERROR, "contacts must be an array of tables ([[contacts]])")
    ]


def test_amount_is_checked_against_the_products_total(folder: Path) -> None:
    write_customer(folder, "hz", PEOPLE.replace("amount = 100000", "amount = 150000"))
    (found,) = problems(folder, "hz")
    assert found[:3] == (3, 1, Severity.WARNING) and "products' total 100,000" in found[3]
    write_customer(folder, "hz", PEOPLE.replace("amount = 100000", "amount = 100500"))  # within 1 %
    assert problems(folder, "hz") == []
    write_customer(folder, "hz", PEOPLE.replace("unit_price = 10000\n", ""))  # a product without a price
    assert problems(folder, "hz") == []


def test_roles_are_read_in_either_language() -> None:
    assert contacts.role_of("决策人") == contacts.role_of("Decision maker") == "decision"
    assert contacts.role_of("使用者") == "user"
    with pytest.raises(UsageError, match="unknown role"):
        contacts.role_of("老板")
    assert contacts.product_line({"name": "ERP", "quantity": 20, "unit_price": 9000, "discount": 10}) == (
        "ERP · 20 × 9,000 -10% = 162,000"
    )


# -- writing contacts and products --------------------------------------------------------


def test_add_and_remove_keep_every_hand_written_byte(folder: Path) -> None:
    path = write_customer(folder, "sz", HAND)
    store = Store(folder)
    c = store.load().customers["sz"]
    c = actions.add_entry(store, c, "contacts", contacts.new_contact("李娜", "决策人", phone="138")).customer
    c = actions.add_entry(store, c, "contacts", contacts.new_contact("王五", "user")).customer
    c = actions.add_entry(store, c, "products", contacts.new_product("ERP", 20, 9000)).customer
    after = path.read_text("utf-8")
    added = only_added(HAND, after)
    assert "[[contacts]]\n" in added and 'role = "decision"\n' in added and "unit_price = 9000\n" in added
    assert after.index("[[contacts]]") < after.index("[[history]]")  # history stays last (format rule 5)
    assert [e["name"] for e in contacts.entries(c.data, "contacts")] == ["李娜", "王五"]
    c = actions.remove_entry(store, c, "contacts", "2").customer
    c = actions.remove_entry(store, c, "products", "ERP").customer
    c = actions.remove_entry(store, c, "contacts", "李娜").customer
    assert path.read_text("utf-8") == HAND  # byte-identical again


def test_remove_names_the_entry_exactly(folder: Path) -> None:
    write_customer(folder, "hz", PEOPLE + '\n[[contacts]]\nname = "王总"\n')
    store = Store(folder)
    c = store.load().customers["hz"]
    with pytest.raises(UsageError, match="give the number"):
        actions.remove_entry(store, c, "contacts", "王总")
    with pytest.raises(UsageError, match="1 to 3"):
        actions.remove_entry(store, c, "contacts", "4")
    with pytest.raises(UsageError, match="no product named"):
        actions.remove_entry(store, c, "products", "OA")


def test_a_changed_file_refuses_the_board_and_rereads_for_the_cli(folder: Path) -> None:
    path = write_customer(folder, "hz", PEOPLE)
    store = Store(folder)
    c = store.load().customers["hz"]
    path.write_text(PEOPLE.replace("李工", "李工程师"), "utf-8")  # someone's edit meanwhile
    with pytest.raises(ConflictError):
        actions.add_entry(store, c, "contacts", {"name": "赵"})
    actions.remove_entry(store, c, "contacts", "王总", reread=True)
    assert "王总" not in path.read_text("utf-8") and "李工程师" in path.read_text("utf-8")


def test_search_finds_every_contact_by_name_and_phone(folder: Path) -> None:
    write_customer(folder, "hz", PEOPLE)
    c = load_board(folder, use_cache=False).customers["hz"]
    for query in ("李工", "wangzong", "138 0013", "li@example"):
        assert search.score(c, query) > 0, query
    write_customer(
        folder,
        "two",
        PEOPLE.replace("[[contacts]]", '[contact]\nphone = "0512 6666 8888"\n\n[[contacts]]', 1),
    )
    c = load_board(folder, use_cache=False).customers["two"]
    assert search.score(c, "0512 6666") > 0 and search.score(c, "138 0013") > 0
    assert search.score(c, "8888 8613") == 0  # the digits of two numbers never run together


# -- duplicates ---------------------------------------------------------------------------


def test_names_are_compared_without_their_decoration() -> None:
    same = [
        "苏州华东精密机械有限公司",
        "苏州 华东精密机械",
        "苏州华东精密机械股份有限公司",
        "苏州华东精密机械科技有限公司",
    ]
    assert {duplicates.normal_name(n) for n in same} == {"苏州华东精密机械"}
    assert duplicates.normal_name("ＡＣＭＥ Co., Ltd.") == duplicates.normal_name("acme inc") == "acme"
    assert duplicates.normal_name("Zinc") == "zinc"  # only whole words are suffixes
    assert duplicates.normal_phone("+86 138-0013-8000") == duplicates.normal_phone("13800138000")
    assert duplicates.normal_phone("8888") == ""


def test_check_warns_on_likely_duplicates(folder: Path) -> None:
    write_customer(folder, "a-first", 'name = "ＡＣＭＥ Co., Ltd."\nstage = "intent"\ncreated = 2026-01-01\n')
    write_customer(folder, "b-again", 'name = "Acme"\nstage = "target"\ncreated = 2026-02-01\n')
    write_customer(folder, "hz", PEOPLE)
    write_customer(folder, "hz2", 'name = "中联"\nstage = "target"\n\n[contact]\nphone = "13800138000"\n')
    result = tb("-C", folder, "check")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(
            "customers/b-again.toml:1:1: warning: likely the same customer as a-first.toml (same name)"
        )
        and "merge-customers a-first b-again" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("customers/hz2.toml:5:1: warning: likely the same customer as hz.toml")
        for line in lines
    )
    assert "2 warnings" in result.stderr


def test_new_warns_when_the_name_is_taken(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    result = tb("-C", folder, "new", "苏州华东精密机械 股份有限公司")
    assert result.exit_code == 0
    assert "looks like 苏州华东精密机械有限公司" in result.stderr and "tuiboard show sz" in result.stderr


# -- merge ----------------------------------------------------------------------------------

OTHER = """\
name = "苏州华东精密"
stage = "target"
owner = "li.na"
source = "exhibition"
amount = 999
tags = ["制造业"]

[contact]
name = "周敏"
phone = "0512 1111 2222"

[company]
region = "苏州"

[[contacts]]
name = "王总"
role = "decision"

[[history]]
date = 2026-08-01
stage = "target"

[[history]]
date = 2026-09-02
stage = "intent"

[[log]]
date = 2026-09-20
kind = "call"
note = "问了价格"
"""


def test_merge_unites_history_and_log_in_date_order_and_keeps_comments(folder: Path) -> None:
    keep = write_customer(folder, "sz", HAND)
    write_customer(folder, "sz2", OTHER)
    result = tb("-C", folder, "merge-customers", "sz", "sz2", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert keep.read_text("utf-8") == HAND and (folder / "customers" / "sz2.toml").exists()  # nothing written
    assert (
        "+[[log]]" in result.stdout and "would move customers/sz2.toml to archive/sz2.toml" in result.stdout
    )
    result = tb("-C", folder, "merge-customers", "sz", "sz2")
    assert result.exit_code == 0, result.stderr
    after = keep.read_text("utf-8")
    only_added(HAND, after)  # every hand-written line stays
    data = load_board(folder, use_cache=False).customers["sz"].data
    assert data["name"] == "苏州华东精密机械有限公司" and data["amount"] == 180000  # KEEP's values win
    assert data["owner"] == "li.na" and data["company"] == {"region": "苏州"}  # OTHER's fill the gaps
    assert data["contact"] == {"name": "张伟", "phone": "0512 6666 8888"}
    assert [c["name"] for c in data["contacts"]] == ["王总", "周敏"]  # OTHER's [contact] is someone else
    assert [(h["date"].isoformat(), h["stage"]) for h in data["history"]] == [
        ("2026-08-01", "target"),
        ("2026-09-02", "intent"),  # held by both: once
    ]
    assert data["log"] == [{"date": data["log"][0]["date"], "kind": "call", "note": "问了价格"}]
    assert not (folder / "customers" / "sz2.toml").exists()
    assert (folder / "archive" / "sz2.toml").read_text("utf-8") == OTHER  # archived byte for byte
    assert "sz2" not in load_board(folder, use_cache=False).customers


def test_merge_refuses_itself_and_a_broken_file(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    write_customer(folder, "bad", 'name = "X"\nstage = "intent"\ntags = 3\n')
    store = Store(folder)
    board = store.load()
    with pytest.raises(UsageError):
        actions.merge_customers(store, board.customers["sz"], board.customers["sz"])
    result = tb("-C", folder, "merge-customers", "sz", "bad")
    assert result.exit_code == 1 and "bad.toml:3:1: fix this file first" in result.stderr
    assert text(folder, "sz") == HAND and (folder / "customers" / "bad.toml").exists()


# -- archive, unarchive, delete -----------------------------------------------------------


def test_archive_list_and_unarchive(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    assert tb("-C", folder, "archive", "sz").exit_code == 0
    assert (folder / "archive" / "sz.toml").read_text("utf-8") == HAND
    assert "sz" not in load_board(folder, use_cache=False).customers
    listed = tb("-C", folder, "list", "--archived", "--json")
    assert '"id": "sz"' in listed.stdout and '"path": "archive/sz.toml"' in listed.stdout
    assert '"sz"' not in tb("-C", folder, "list", "--json").stdout
    result = tb("-C", folder, "unarchive", "sz")
    assert result.exit_code == 0 and text(folder, "sz") == HAND


def test_archive_never_moves_over_a_file_or_into_a_planted_link(folder: Path, tmp_path: Path) -> None:
    write_customer(folder, "sz", HAND)
    (folder / "archive").mkdir()
    (folder / "archive" / "sz.toml").write_text("older\n", "utf-8")
    result = tb("-C", folder, "archive", "sz")
    assert result.exit_code == 1 and "archive/sz.toml already exists" in result.stderr
    assert text(folder, "sz") == HAND and (folder / "archive" / "sz.toml").read_text("utf-8") == "older\n"
    (folder / "archive" / "sz.toml").unlink()
    (folder / "archive").rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "archive").symlink_to(elsewhere)
    result = tb("-C", folder, "archive", "sz")
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == [] and text(folder, "sz") == HAND


def test_archive_refuses_a_file_changed_since_it_was_read(folder: Path) -> None:
    path = write_customer(folder, "sz", HAND)
    store = Store(folder)
    c = store.load().customers["sz"]
    path.write_text(HAND + "\n# edited meanwhile\n", "utf-8")
    with pytest.raises(ConflictError):
        archive.archive(store, c)
    assert path.exists() and not (folder / "archive" / "sz.toml").exists()


def test_delete_asks_and_can_be_undone(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    refused = tb("-C", folder, "delete", "sz")  # no terminal to ask on: needs --yes
    assert refused.exit_code == 1 and "needs --yes" in refused.stderr and text(folder, "sz") == HAND
    result = tb("-C", folder, "delete", "sz", "--yes")
    assert result.exit_code == 0, result.stderr
    assert not (folder / "customers" / "sz.toml").exists()
    assert (folder / ".tuiboard" / "deleted.sz.toml").read_text("utf-8") == HAND
    assert tb("-C", folder, "unarchive", "sz").exit_code == 0
    assert text(folder, "sz") == HAND and not (folder / ".tuiboard" / "deleted.sz.toml").exists()


def test_delete_of_an_archived_customer(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    tb("-C", folder, "archive", "sz")
    assert tb("-C", folder, "delete", "sz", "--yes").exit_code == 0
    assert not (folder / "archive" / "sz.toml").exists()


def test_a_planted_state_folder_link_refuses_delete(folder: Path, tmp_path: Path) -> None:
    write_customer(folder, "sz", HAND)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    load_board(folder, use_cache=False)
    (folder / ".tuiboard").symlink_to(elsewhere)
    result = tb("-C", folder, "delete", "sz", "--yes")
    assert result.exit_code == 1 and text(folder, "sz") == HAND and list(elsewhere.iterdir()) == []


# -- the CLI ------------------------------------------------------------------------------


def test_contact_and_product_commands(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    assert (
        tb(
            "-C", folder, "contact", "add", "sz", "李娜", "--role", "决策人", "--phone", "138 0013 8000"
        ).exit_code
        == 0
    )
    assert (
        tb("-C", folder, "product", "add", "sz", "ERP", "--quantity", "20", "--price", "0.9万").exit_code == 0
    )
    done = tb("-C", folder, "product", "add", "sz", "实施", "--price", "1万")
    assert "products' total 190,000" in done.stdout and "differs" in done.stderr  # amount is 180000
    shown = tb("-C", folder, "show", "sz").stdout
    assert "1  李娜 · 决策人 decision maker · 138 0013 8000" in shown
    assert "1  ERP · 20 × 9,000 = 180,000" in shown and "products' total 19.0万" in shown
    bad = tb("-C", folder, "contact", "add", "sz", "赵", "--role", "老板")
    assert bad.exit_code == 2 and "unknown role" in bad.stderr and "老板" not in text(folder, "sz")
    assert tb("-C", folder, "product", "rm", "sz", "2").exit_code == 0
    assert tb("-C", folder, "product", "rm", "sz", "ERP").exit_code == 0
    assert tb("-C", folder, "contact", "rm", "sz", "李娜").exit_code == 0
    assert text(folder, "sz") == HAND
    none_left = tb("-C", folder, "contact", "rm", "sz", "1")  # said "(1 to 0)"
    assert none_left.exit_code == 2 and "there are no contacts to remove" in none_left.stderr
    main = tb("-C", folder, "contact", "rm", "sz", "张伟")  # said "no contact named '张伟'"
    assert main.exit_code == 2 and "张伟 is the main contact ([contact])" in main.stderr
    assert text(folder, "sz") == HAND
    assert "Examples:" in tb("contact", "--help").stdout and "决策人" in tb("contact", "add", "--help").stdout


def test_new_help_lists_the_folders_stages_and_tiers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ten"
    root.mkdir()
    (root / "pipeline.toml").write_text(preset_text("ten-level"), "utf-8")
    shown = tb("-C", root, "new", "--help").stdout
    assert "A21 (A21 资料级)" in shown and "A01 (A01" in shown and "VIP" in shown
    monkeypatch.chdir(tmp_path)  # not in a pipeline folder: the default preset's
    shown = tb("new", "--help").stdout
    assert "default preset, seven-stage" in shown and "target (目标客户)" in shown


def test_new_takes_every_field_of_the_form(folder: Path) -> None:
    result = tb(
        "-C", folder, "new", "北京云启科技", "--stage", "intent", "--tier", "A", "--amount", "25万",
        "--probability", "30", "--close", "+1q", "--intent", "high", "--owner", "wang.li",
        "--source", "exhibition", "--contact", "陈静", "--title", "CIO", "--phone", "010 8888 6666",
        "--competitor", "用友", "--tag", "ERP", "--tag", "SaaS", "--next", "约演示", "--due", "+3d",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    c = load_board(folder, use_cache=False).customers["北京云启科技"]
    assert c.problems == ()
    for spec in (*NEW_FIELDS, *EDIT_FIELDS):  # every key path either form sets, `new` sets too
        node = c.data
        for key in spec.path:
            node = node[key]
        assert node not in (None, "", []), spec.path
    assert c.amount == 250000 and c.tags == ("ERP", "SaaS") and c.expected_close is not None
    assert c.expected_close > TODAY


def test_commands_through_a_real_process(folder: Path) -> None:
    write_customer(folder, "sz", HAND)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "tuiboard", "-C", str(folder), *args]
        return subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )

    assert run("contact", "add", "sz", "李娜", "--role", "user").returncode == 0
    assert run("archive", "sz").returncode == 0
    listed = run("list", "--archived")
    assert listed.returncode == 0 and "sz" in listed.stdout
    refused = run("delete", "sz")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "needs --yes" in refused.stderr
    assert run("unarchive", "sz").returncode == 0 and "李娜" in text(folder, "sz")


# -- the board ----------------------------------------------------------------------------


@asynccontextmanager
async def board_with_people(folder: Path) -> AsyncIterator[tuple[App[Any], Pilot[Any]]]:
    """The board on a customer with contacts and products in the first column, loaded."""
    from tuiboard.app import BoardApp

    write_customer(folder, "hz", PEOPLE.replace('stage = "project"', 'stage = "target"'))
    app = BoardApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(app, pilot, lambda: getattr(app.screen, "view", None) is not None)
        yield app, pilot


async def test_details_screen_lists_contacts_and_products(folder: Path) -> None:
    async with board_with_people(folder) as (app, pilot):
        await pilot.press("enter")
        await until(app, pilot, lambda: type(app.screen).__name__ == "DetailsScreen")
        screen = app.screen
        assert type(screen).__name__ == "DetailsScreen"
        lines = "\n".join(strip.text for strip in screen._compositor.render_strips())
        for expected in (
            "联系人",
            "1. 王总 · 决策人 decision maker · +86 138 0013 8000",
            "2. 李工 · 技术把关 technical evaluator · li@example.com",
            "拟购产品",
            "1. ERP 标准版 · 10 × 9,000 = 90,000",
            "合计 10.0万",
        ):
            assert expected in lines, expected
        assert "contacts[0].name" not in lines  # not repeated among the plain fields


async def test_the_edit_form_shows_contacts_and_products_read_only(folder: Path) -> None:
    async with board_with_people(folder) as (app, pilot):
        await pilot.press("e")
        await until(app, pilot, lambda: type(app.screen).__name__ == "CustomerFormScreen")
        shown = str(app.screen.query_one("#people").render())
        assert "C / P" in shown and "只读" in shown, shown
        assert "• 王总 · 决策人 decision maker · +86 138 0013 8000" in shown
        assert "• ERP 标准版 · 10 × 9,000 = 90,000" in shown
        assert not app.screen.query("#people Input")  # read-only: nothing to type into


def test_import_warns_when_a_new_row_looks_like_a_customer(folder: Path, tmp_path: Path) -> None:
    write_customer(folder, "sz", HAND)
    sheet = tmp_path / "leads.csv"
    sheet.write_text("name,stage\n苏州华东精密机械股份有限公司,target\n北京云启科技,target\n", "utf-8")
    result = tb("-C", folder, "import", sheet)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("created 苏州华东精密机械股份有限公司")))
    assert lines[at + 1] == "leads.csv:2:1: warning: looks like 苏州华东精密机械有限公司 (sz)"
    assert not any("warning" in line for line in lines[at + 2 :])  # 北京云启科技 is new


class Host(App[None]):
    """Pushes one dialog and records what it returns."""

    def __init__(self, dialog: Any) -> None:
        super().__init__()
        self.dialog, self.results = dialog, []  # type: ignore[var-annotated]

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


async def test_contact_form_returns_the_entry_the_cli_would_write() -> None:
    app = Host(ContactFormScreen("恶意\x1b[31m客户"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")  # no name: refused, the dialog stays
        assert app.results == [] and "请先修正标出的字段" in str(app.screen.query_one("#status").render())
        await pilot.press(*"王建国")
        app.screen.query_one("#c-role", Select).value = "decision"
        app.screen.query_one("#c-phone", Input).value = "+86 138 0013 8000"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [{"name": "王建国", "role": "decision", "phone": "+86 138 0013 8000"}]


async def test_product_form_reads_amounts_as_reps_type_them() -> None:
    app = Host(ProductFormScreen("Acme"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"ERP")
        app.screen.query_one("#p-quantity", Input).value = "20"
        app.screen.query_one("#p-price", Input).value = "0.9万"
        app.screen.query_one("#p-discount", Input).value = "120"
        await pilot.press("enter")  # a discount over 100 is refused
        assert app.results == []
        app.screen.query_one("#p-discount", Input).value = "10"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [{"name": "ERP", "quantity": 20, "unit_price": 9000, "discount": 10}]
    escaped = Host(ProductFormScreen("Acme"))
    async with escaped.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert escaped.results == [None]


async def _board_ready(app: Any, pilot: Any) -> None:
    """Until the board has loaded and its first card has the focus."""
    for _ in range(400):
        await pilot.pause()
        screen = app.screen
        if app.board is not None and type(screen).__name__ == "BoardScreen" and screen.need_selected():
            return
    raise AssertionError("the board did not load")


async def _screen(app: Any, pilot: Any, name: str) -> Any:
    for _ in range(400):
        await pilot.pause()
        if type(app.screen).__name__ == name:
            return app.screen
    raise AssertionError(f"no {name}")


async def test_board_keys_add_a_contact_and_a_product_and_undo_them(folder: Path) -> None:
    from tuiboard.app import BoardApp

    hand = HAND.replace('stage = "intent"', 'stage = "target"')  # the first column: its card has the focus
    path = write_customer(folder, "sz", hand)
    app = BoardApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await _board_ready(app, pilot)
        await pilot.press("C")
        await _screen(app, pilot, "ContactFormScreen")
        await pilot.press(*"王建国")
        app.screen.query_one("#c-role", Select).value = "decision"
        await pilot.press("enter")
        await _screen(app, pilot, "BoardScreen")
        for _ in range(400):
            await pilot.pause()
            if "王建国" in path.read_text("utf-8"):
                break
        added = only_added(hand, path.read_text("utf-8"))
        assert added == [
            "[[contacts]]\n",
            'name = "王建国"\n',
            'role = "decision"\n',
            "\n",
        ]  # before [[history]]
        await pilot.press("P")
        await _screen(app, pilot, "ProductFormScreen")
        await pilot.press(*"ERP")
        app.screen.query_one("#p-price", Input).value = "18万"
        await pilot.press("enter")
        await _screen(app, pilot, "BoardScreen")
        for _ in range(400):
            await pilot.pause()
            if "unit_price = 180000" in path.read_text("utf-8"):
                break
        assert "unit_price = 180000" in path.read_text("utf-8")
        for _ in range(2):
            await pilot.press("u")
            await pilot.pause()
        for _ in range(400):
            await pilot.pause()
            if path.read_text("utf-8") == hand:
                break
        assert path.read_text("utf-8") == hand


async def test_the_read_only_board_refuses_the_contact_key(folder: Path) -> None:
    from tuiboard.app import BoardApp

    path = write_customer(folder, "sz", HAND.replace('stage = "intent"', 'stage = "target"'))
    app = BoardApp(folder, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _board_ready(app, pilot)
        await pilot.press("C")
        await pilot.pause()
        assert type(app.screen).__name__ == "BoardScreen"
    assert "contacts" not in path.read_text("utf-8")
