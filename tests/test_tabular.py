"""`tuiboard export` / `import`: XLSX round trip, CSV, the seed's Chinese form headers, updates
that say what they replace, dry runs, and cells that would make a bad file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from pipeline import tablefile
from pipeline.canonical import dump_customer
from pipeline.config import preset_text
from pipeline.export_table import csv_escape, csv_unescape, customer_table, write_csv
from pipeline.export_table import write_xlsx as export_xlsx
from pipeline.import_table import Table, TableError, apply_import, column_paths, plan_import, read_table
from pipeline.problems import Severity
from pipeline.store import load_board
from tests.conftest import TODAY, write_customer
from tuiboard.cli import main


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def empty_folder(tmp_path: Path, name: str = "empty") -> Path:
    root = tmp_path / name
    assert run("init", root).exit_code == 0
    return root


def test_xlsx_export_reimported_into_an_empty_folder_reproduces_every_customer(
    demo_folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pipeline.xlsx"
    result = run("-C", demo_folder, "export", "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    fresh = empty_folder(tmp_path)
    result = run("-C", fresh, "import", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "60 created, 0 changed, 0 unchanged, 0 skipped"
    before, after = load_board(demo_folder), load_board(fresh)
    assert not after.problems
    assert {cid: c.data for cid, c in after.customers.items()} == {
        cid: c.data for cid, c in before.customers.items()
    }
    # and importing it again changes nothing
    again = run("-C", fresh, "import", out)
    assert again.output.splitlines()[-1] == "0 created, 0 changed, 60 unchanged, 0 skipped"


def test_xlsx_has_a_sheet_per_analysis(demo_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    assert run("-C", demo_folder, "export", "-o", out).exit_code == 0
    book = load_workbook(out)
    assert book.sheetnames[0] == "customers"
    for sheet in ("funnel", "conversion", "conversion_monthly", "win_rate", "time_in_stage", "forecast"):
        assert sheet in book.sheetnames
    for sheet in ("sources_won", "amount_buckets", "trend", "leak_rate", "capacity", "tier_mix", "shape"):
        assert sheet in book.sheetnames
    funnel = list(book["funnel"].iter_rows(values_only=True))
    assert funnel[0] == ("stage", "label", "count", "amount", "weighted")
    report = __import__("json").loads(run("-C", demo_folder, "report", "--json").output)
    assert [r[2] for r in funnel[1:]] == [r["count"] for r in report["funnel"]]
    monthly = list(book["conversion_monthly"].iter_rows(values_only=True))
    assert monthly[0][:2] == ("from", "from_label") and "entered" in monthly[0]
    assert len(monthly) == 1 + 12 * len(report["conversion"])
    header = [c.value for c in book["customers"][1]]
    assert header[:4] == ["id", "name", "stage", "tier"]
    assert (
        "company.industry" in header
        and "contact.phone" in header
        and header[-1] in ("history", "log", "objections", "payments")
    )


def test_csv_round_trip_keeps_the_known_fields(demo_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert run("-C", demo_folder, "export", "-o", out).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    fresh = empty_folder(tmp_path)
    result = run("-C", fresh, "import", out)
    assert result.exit_code == 0 and "60 created" in result.output
    before, after = load_board(demo_folder), load_board(fresh)
    for cid, c in before.customers.items():
        n = after.customers[cid]
        assert (n.name, n.stage, n.tier, n.amount, n.expected_close, n.created) == (
            c.name,
            c.stage,
            c.tier,
            c.amount,
            c.expected_close,
            c.created,
        )
        assert (n.next_action, n.next_due, n.history, n.tags, n.contact) == (
            c.next_action,
            c.next_due,
            c.history,
            c.tags,
            c.contact,
        )
        assert n.data["contact"]["phone"] == c.data["contact"]["phone"]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_the_seed_form_headers_are_recognised(folder: Path, tmp_path: Path) -> None:
    form = write_xlsx(
        tmp_path / "销售漏斗管理表.xlsx",
        [
            ["公司", "电话", "拟购主要产品", "拟购产品金额", "预计购买时间", "成功率(%)"],
            ["苏州华东精密机械有限公司", "0512-66668888", "ERP", "18万", "2026年12月", "40%"],
            ["北京云启科技", 13812345678, "OA", 50000, date(2027, 1, 15), 30],
        ],
    )
    result = run("-C", folder, "import", form)
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    board = load_board(folder)
    suzhou = next(c for c in board.customers.values() if c.name.startswith("苏州"))
    assert (suzhou.amount, suzhou.probability, suzhou.expected_close) == (180000, 40, date(2026, 12, 31))
    assert suzhou.data["contact"]["phone"] == "0512-66668888" and suzhou.data["product"] == "ERP"
    assert suzhou.stage == "target" and suzhou.created == TODAY and suzhou.history[0].date == TODAY
    beijing = next(c for c in board.customers.values() if c.name == "北京云启科技")
    assert beijing.data["contact"]["phone"] == "13812345678"  # a phone number stays text
    assert (beijing.amount, beijing.expected_close, beijing.probability) == (50000, date(2027, 1, 15), 30)


def test_the_boards_own_field_names_and_choice_labels_are_recognised(tmp_path: Path) -> None:
    """A sheet headed with the board's own words (阶段, 金额, 负责人 ...) and naming stages,
    tiers and sources by their labels: an import took only 客户名称 and wrote
    "阶段" = "意向客户" and "金额" = "20万" as unknown keys, the stage left at 目标客户."""
    root = empty_folder(tmp_path)
    sheet = tmp_path / "mine.csv"
    sheet.write_text(
        "客户名称,阶段,金额,负责人,级别,来源,下一步,到期,标签,probability\n"
        "杭州测试公司,意向客户,20万,wang.li,A级,展会及研讨会,约见决策人,2026-12-20,ERP,35\n"
        "Acme,Negotiation,1.5w,li.na,A,exhibition,call,2026-12-21,,\n",
        encoding="utf-8",
    )
    result = run("-C", root, "import", sheet)
    assert result.exit_code == 0 and "2 created" in result.output, result.output
    board = load_board(root)
    hz = next(c for c in board.customers.values() if c.name == "杭州测试公司")
    assert (hz.stage, hz.amount, hz.owner, hz.tier, hz.source) == (
        "intent",
        200000,
        "wang.li",
        "A",
        "exhibition",
    )
    assert (hz.next_action, hz.next_due, hz.tags, hz.probability) == (
        "约见决策人",
        date(2026, 12, 20),
        ("ERP",),
        35,
    )
    assert not set(hz.data) & {"阶段", "金额", "负责人", "级别", "来源", "下一步", "到期", "标签"}
    acme = next(c for c in board.customers.values() if c.name == "Acme")
    assert (acme.stage, acme.amount, acme.tier, acme.source) == ("negotiation", 15000, "A", "exhibition")


def test_an_import_reads_amounts_as_the_form_does(folder: Path, tmp_path: Path) -> None:
    """``1.5w`` and ``20k`` are amounts in the board's form and the CLI; an import read them
    as "not a number" and left them out."""
    sheet = tmp_path / "leads.csv"
    sheet.write_text("name,amount,expected_close\n甲公司,1.5w,2026/12/1\n乙公司,20k,2027年1月\n", "utf-8")
    result = run("-C", folder, "import", sheet)
    assert result.exit_code == 0 and "left out" not in result.output, result.output
    got = {c.name: (c.amount, c.expected_close) for c in load_board(folder).customers.values()}
    assert got == {"甲公司": (15000, date(2026, 12, 1)), "乙公司": (20000, date(2027, 1, 31))}


EXISTING = """# 重点客户
name = "甲公司"
stage = "intent"  # 已演示
amount = 50000
owner = "wang"

[[history]]
date = 2026-10-01
stage = "intent"
"""


def test_updates_say_what_they_replace_and_keep_comments(folder: Path, tmp_path: Path) -> None:
    path = write_customer(folder, "jia", EXISTING)
    sheet = tmp_path / "u.csv"
    sheet.write_text(
        "name,amount,owner,next.action,next.due\n甲公司,60000,wang,发送报价,2026-12-01\n", "utf-8"
    )
    result = run("-C", folder, "import", sheet)
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[0]
    assert line.startswith("changed 甲公司:")
    assert "amount 50000 → 60000 (replaces the value on disk)" in line
    assert "next.action = 发送报价" in line and "owner" not in line
    text = path.read_text("utf-8")
    assert "# 重点客户" in text and 'stage = "intent"  # 已演示' in text
    c = load_board(folder).customers["jia"]
    assert (c.amount, c.next_action, c.next_due) == (60000, "发送报价", date(2026, 12, 1))


def test_a_stage_change_is_a_move_with_history(folder: Path, tmp_path: Path) -> None:
    write_customer(folder, "jia", EXISTING)
    sheet = write_xlsx(tmp_path / "s.xlsx", [["name", "stage"], ["甲公司", "project"]])
    assert run("-C", folder, "import", sheet).exit_code == 0
    c = load_board(folder).customers["jia"]
    assert c.stage == "project" and c.history[-1].stage == "project" and c.history[-1].date == TODAY
    lost = write_xlsx(tmp_path / "l.xlsx", [["name", "stage"], ["甲公司", "lost"]])
    result = run("-C", folder, "import", lost)
    assert "needs a reason" in result.output and load_board(folder).customers["jia"].stage == "project"
    lost = write_xlsx(tmp_path / "r.xlsx", [["name", "stage", "lost_reason"], ["甲公司", "lost", "价格过高"]])
    assert run("-C", folder, "import", lost).exit_code == 0
    c = load_board(folder).customers["jia"]
    assert (c.stage, c.lost_reason, c.history[-1].stage) == ("lost", "价格过高", "lost")


def test_dry_run_writes_nothing(folder: Path, tmp_path: Path) -> None:
    path = write_customer(folder, "jia", EXISTING)
    before = path.read_bytes()
    sheet = write_xlsx(tmp_path / "d.xlsx", [["name", "amount"], ["甲公司", 70000], ["乙公司", 1000]])
    result = run("-C", folder, "import", sheet, "--dry-run")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "would change 甲公司: amount 50000 → 70000 (replaces the value on disk)",
        "would create 乙公司",
        "1 created, 1 changed, 0 unchanged, 0 skipped (dry run: nothing written)",
    ]
    assert path.read_bytes() == before and sorted(p.name for p in (folder / "customers").iterdir()) == [
        "jia.toml"
    ]


def test_bad_cells_are_reported_and_never_written(folder: Path, tmp_path: Path) -> None:
    path = write_customer(folder, "jia", EXISTING)
    before = path.read_bytes()
    sheet = write_xlsx(
        tmp_path / "b.xlsx",
        [
            ["name", "stage", "amount", "expected_close", "tier"],
            ["乙公司", "nowhere", 1, None, None],
            ["丙公司", None, "lots", "soon", None],
            ["甲公司", None, None, None, "Z"],
            [None, "target", 5, None, None],
            ["丙公司", None, 3, None, None],
        ],
    )
    result = run("-C", folder, "import", sheet)
    lines = result.output.splitlines()
    assert lines[0] == "skipped row 2 乙公司"
    assert lines[1].startswith("b.xlsx:2: warning: unknown stage 'nowhere'")
    assert lines[2] == "created 丙公司 (customers/丙公司.toml)"
    assert lines[3] == "b.xlsx:3:3: warning: amount: 'lots' is not a number; left out"  # row 3, column C
    assert lines[4].startswith("b.xlsx:3:4: warning: expected_close: 'soon' is not a date")
    assert lines[5] == "skipped row 4 甲公司"
    assert lines[6].startswith("b.xlsx:4: warning: unknown tier 'Z'")
    assert lines[7:9] == ["skipped row 5 (no name)", "b.xlsx:5:1: warning: no name"]
    assert lines[9:11] == ["skipped row 6 丙公司", "b.xlsx:6:1: warning: the same customer as row 3"]
    assert path.read_bytes() == before
    c = load_board(folder).customers["丙公司"]
    assert c.amount is None and c.expected_close is None and not c.problems


def test_map_renames_and_ignores_columns(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "m.csv"
    sheet.write_text("客户全称,预算,备注\n丁公司,12000,随便写写\n", encoding="utf-8")
    result = run(
        "-C", folder, "import", sheet, "--map", "客户全称=name", "--map", "预算=amount", "--map", "备注=-"
    )
    assert result.exit_code == 0, result.output
    c = load_board(folder).customers["丁公司"]
    assert c.amount == 12000 and "备注" not in c.data
    assert run("-C", folder, "import", sheet).exit_code == 1  # no name column without --map
    assert "no column gives the customer's name" in run("-C", folder, "import", sheet).output
    assert run("-C", folder, "import", sheet, "--map", "nonsense").exit_code == 2
    assert "does not have: 其他" in run("-C", folder, "import", sheet, "--map", "其他=name").output


def test_formulas_from_files_are_never_formulas_in_a_spreadsheet(folder: Path, tmp_path: Path) -> None:
    write_customer(
        folder, "evil", 'name = "=HYPERLINK(\\"http://x\\")"\nstage = "target"\n[contact]\nphone = "+86 1"\n'
    )
    csv_out, xlsx_out = tmp_path / "e.csv", tmp_path / "e.xlsx"
    assert run("-C", folder, "export", "-o", csv_out).exit_code == 0
    assert run("-C", folder, "export", "-o", xlsx_out).exit_code == 0
    row = list(csv.reader(io.StringIO(csv_out.read_text("utf-8-sig"))))[1]
    assert row[1] == '\'=HYPERLINK("http://x")' and "'+86 1" in row
    cell = load_workbook(xlsx_out)["customers"]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    for exported in (csv_out, xlsx_out):
        table = read_table(exported)
        assert table.rows[0][table.header.index("name")] == '=HYPERLINK("http://x")'
        assert table.rows[0][table.header.index("contact.phone")] == "+86 1"


def test_a_file_changed_on_disk_after_planning_is_not_overwritten(folder: Path, tmp_path: Path) -> None:
    path = write_customer(folder, "jia", EXISTING)
    board = load_board(folder, use_cache=False)
    sheet = tmp_path / "a.csv"
    sheet.write_text("name,amount\n甲公司,99000\n", "utf-8")
    table = read_table(sheet)
    plans = plan_import(board, table, column_paths(table.header, {}), TODAY)
    path.write_text(EXISTING.replace("50000", "55000"), encoding="utf-8")  # someone edits it meanwhile
    (plan,) = apply_import(board, plans)
    assert plan.action == "skip" and "changed on disk" in plan.problems[-1].message
    assert "55000" in path.read_text("utf-8")


def test_cells_that_clash_with_the_shape_of_the_data_are_left_out(folder: Path, tmp_path: Path) -> None:
    write_customer(folder, "jia", 'company = "甲集团"\n' + EXISTING)
    sheet = tmp_path / "c.csv"
    sheet.write_text(
        "name,contact,contact.phone,company.region,amount\n乙公司,张三,123,苏州,inf\n甲公司,,,苏州,\n",
        "utf-8",
    )
    lines = run("-C", folder, "import", sheet).output.splitlines()
    assert lines[:3] == [
        "created 乙公司 (customers/乙公司.toml)",
        "c.csv:2:3: warning: contact.phone: contact is not a table; left out",
        "c.csv:2:5: warning: amount: 'inf' is not a number; left out",
    ]
    assert lines[3:5] == [
        "unchanged 甲公司",
        "c.csv:3:4: warning: company.region: company is not a table; left out",
    ]
    created = load_board(folder).customers["乙公司"]
    assert created.data["contact"] == "张三" and created.amount is None


# -- bounded input ---------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{target}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def tiny_xlsx(path: Path, rows_xml: str, dimension: str = "A1:B2") -> Path:
    """An XLSX written by hand, part by part: the sheet's XML says whatever the test wants."""
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )
    parts = {
        "[Content_Types].xml": _CT,
        "_rels/.rels": _RELS.format(target="xl/workbook.xml", kind="officeDocument"),
        "xl/workbook.xml": _BOOK,
        "xl/_rels/workbook.xml.rels": _RELS.format(target="worksheets/sheet1.xml", kind="worksheet"),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def bomb_rows(name: str, amount: str) -> str:
    """A header, one row with a cell far right, and a last cell at XFD1048576."""
    return (
        f'<row r="1">{text_cell("A1", name)}{text_cell("B1", amount)}</row>'
        f'<row r="2">{text_cell("A2", "甲公司")}<c r="B2"><v>5</v></c><c r="XFD2"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )


LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from tuiboard.cli import main
sys.argv = ["tuiboard", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("command", ["import", "report --json --sales-report"])
def test_a_tiny_xlsx_bomb_ends_with_a_note_under_a_memory_limit(
    folder: Path, tmp_path: Path, command: str
) -> None:
    header = ("name", "amount") if command == "import" else ("客户名称", "价税合计")
    bomb = tiny_xlsx(tmp_path / "bomb.xlsx", bomb_rows(*header), dimension="A1:XFD1048576")
    assert bomb.stat().st_size < 2000
    argv = [sys.executable, "-c", LIMITED, "-C", str(folder), *command.split(), str(bomb)]
    # the timeout only keeps a regression from hanging the suite (the old code ran for minutes)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    cut = ["rows from 1003 on not read: 1000 empty rows end the table", "1 cells beyond column 500 left out"]
    if command == "import":
        assert done.stdout.splitlines()[:2] == [
            f"bomb.xlsx:1003: warning: {cut[0]}",
            f"bomb.xlsx:2:501: warning: {cut[1]}",  # the first row with a cell that far right
        ]
        assert load_board(folder).customers["甲公司"].amount == 5
    else:
        report = json.loads(done.stdout)
        assert report["notes"] == cut and report["customers"] == 1


def found(table: Table) -> list[tuple[int, int, str]]:
    """What reading cut, as (row, column, message); every one a warning about the file."""
    assert all(p.severity is Severity.WARNING and p.path == table.path for p in table.problems)
    return [(p.line, p.column, p.message) for p in table.problems]


def test_rows_columns_cells_and_size_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = tmp_path / "big.csv"
    sheet.write_text("name,a,b,c\n" + "".join(f"n{i},1,2,3\n" for i in range(10)), "utf-8")
    monkeypatch.setattr(tablefile, "MAX_ROWS", 4)
    table = read_table(sheet)
    assert len(table.rows) == 3 and found(table) == [
        (5, 0, "rows from 5 on not read: 4 rows are read at most")
    ]
    monkeypatch.setattr(tablefile, "MAX_ROWS", 100)
    monkeypatch.setattr(tablefile, "MAX_CELLS", 10)
    assert found(read_table(sheet)) == [(3, 0, "rows from 3 on not read: 10 cells are read at most")]
    monkeypatch.setattr(tablefile, "MAX_CELLS", 1000)
    monkeypatch.setattr(tablefile, "MAX_COLUMNS", 2)
    table = read_table(sheet)
    assert table.header == ["name", "a"] and found(table) == [(1, 3, "22 cells beyond column 2 left out")]
    monkeypatch.setattr(tablefile, "MAX_FILE_BYTES", 50)
    with pytest.raises(TableError, match=r"big.csv: 0 MB is more than"):
        read_table(sheet)


def test_a_run_of_empty_rows_ends_a_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tablefile, "EMPTY_RUN", 3)
    sheet = tmp_path / "gap.csv"
    sheet.write_text("name\n甲\n\n,\n乙\n\n\n\n丙\n", "utf-8")
    table = read_table(sheet)
    assert table.rows == [["甲"], ["乙"]] and table.numbers == [2, 5]  # rows as the file numbers them
    assert found(table) == [(9, 0, "rows from 9 on not read: 3 empty rows end the table")]


def test_an_xlsx_that_unpacks_too_big_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tiny_xlsx(tmp_path / "z.xlsx", f'<row r="1">{text_cell("A1", "name")}</row>')
    monkeypatch.setattr(tablefile, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(TableError, match=r"^z.xlsx: unpacks to 0 MB, more than the 0 MB read at most$"):
        read_table(path)


def test_a_broken_file_is_one_line(folder: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = run("-C", folder, "import", broken)
    assert result.exit_code == 1
    assert result.output.startswith("tuiboard: broken.xlsx: not an XLSX file openable here:")
    assert result.output.count("\n") == 1


def test_formulas_without_a_saved_value_are_reported(folder: Path, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx", [["name", "amount", "tier"], ["甲公司", "=1+1", "A"], ["乙公司", 5, "=B2"]]
    )
    result = run("-C", folder, "import", path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [  # row 2 column 2 is B2
        "f.xlsx:2:2: warning: Sheet!B2: a formula with no saved value; left out",
        "f.xlsx:3:3: warning: Sheet!C3: a formula with no saved value; left out",
    ]
    board = load_board(folder)
    assert board.customers["甲公司"].amount is None and board.customers["甲公司"].tier == "A"


# -- export then import changes nothing ----------------------------------------------------

# Text that spreadsheets and CSV escaping trip on: formula starts, apostrophes, spaces around,
# separators, quotes, tabs and newlines (not \r: XML reads it back as \n, nor other controls,
# which XLSX cannot hold).
TRICKY = st.sampled_from(["", "'", "=", " =", "'=", "+", "-", "@", " ", "\t", "''", "' =", "  @", "["])
CHARS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(" \t\n,，、;'=\"[]")
TEXT = st.builds(lambda head, body: head + body, TRICKY, st.text(CHARS, max_size=10))
FILLED = TEXT.filter(str.strip)  # a blank cell means "nothing here": blank text is not kept
DAYS = st.dates(date(2020, 1, 1), date(2030, 12, 31))


@st.composite
def customer_data(draw: st.DrawFn, name: str) -> dict[str, Any]:
    stage = draw(st.sampled_from(["target", "intent", "project"]))
    data: dict[str, Any] = {"name": name, "stage": stage, "created": draw(DAYS)}
    optional = {
        # an XLSX holds 16 significant digits: a number with more changes in an empty folder
        "amount": st.integers(0, 10**15) | st.floats(0, 1e9).map(lambda x: float(f"{x:.16g}")),
        "tags": st.lists(TEXT, max_size=3),
        "contact": st.fixed_dictionaries({"phone": FILLED}),
        "next": st.fixed_dictionaries({"action": FILLED, "due": DAYS}),
        "remark": FILLED,
        "log": st.lists(
            st.fixed_dictionaries({"date": DAYS, "kind": st.just("call"), "note": TEXT}), max_size=2
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    data["history"] = [{"date": data["created"], "stage": stage}]
    return data


@st.composite
def customer_set(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(FILLED, min_size=1, max_size=4, unique_by=str.strip))
    return [draw(customer_data(name)) for name in names]


def new_folder(base: Path) -> Path:
    root = base / f"f{len(list(base.iterdir()))}"
    (root / "customers").mkdir(parents=True)
    (root / "pipeline.toml").write_text(preset_text("seven-stage"), encoding="utf-8")
    return root


def import_file(root: Path, path: Path) -> list[Any]:
    board = load_board(root, use_cache=False)
    table = read_table(path)
    return apply_import(board, plan_import(board, table, column_paths(table.header, {}), TODAY))


@pytest.mark.long(3)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(datas=customer_set())
def test_export_then_import_changes_nothing(tmp_path: Path, datas: list[dict[str, Any]]) -> None:
    root = new_folder(tmp_path)
    for i, data in enumerate(datas):
        write_customer(root, f"c{i}", dump_customer(data))
    board = load_board(root, use_cache=False)
    assume(not any(p.is_error for p in board.problems))
    before = {p.name: p.read_bytes() for p in (root / "customers").iterdir()}
    columns, rows = customer_table(board.customers.values())
    csv_file, xlsx_file = root.with_suffix(".csv"), root.with_suffix(".xlsx")
    csv_file.write_bytes(write_csv(columns, rows))
    xlsx_file.write_bytes(export_xlsx(columns, rows, {}))
    for exported in (csv_file, xlsx_file):  # into the same folder: every row unchanged, no byte written
        plans = import_file(root, exported)
        assert [(p.action, p.problems) for p in plans] == [("unchanged", [])] * len(datas)
        assert {p.name: p.read_bytes() for p in (root / "customers").iterdir()} == before
    fresh = new_folder(tmp_path)  # into an empty folder: every field as it was
    assert {p.action for p in import_file(fresh, xlsx_file)} == {"create"}
    got = load_board(fresh, use_cache=False)
    assert not got.problems
    assert sorted((c.name, c.data) for c in got.customers.values()) == sorted((d["name"], d) for d in datas)


@pytest.mark.parametrize("text", ["'=literal", " =1+1", "=1+1", "'abc", "''=x", "+86 1", "\t=1", "plain", ""])
def test_the_csv_escape_is_undone_exactly(text: str) -> None:
    escaped = csv_escape(text)
    assert csv_unescape(escaped) == text
    assert not escaped.lstrip().startswith(("=", "+", "-", "@"))  # never a formula in a spreadsheet


def test_an_apostrophe_typed_before_a_formula_is_taken_off() -> None:
    assert csv_unescape("'=SUM(A1)") == "=SUM(A1)" and csv_unescape("'abc") == "'abc"


def test_literal_formula_text_survives_export_and_import(folder: Path, tmp_path: Path) -> None:
    text = 'name = "\'=literal"\nstage = "target"\nremark = " =1+1"\n\n[contact]\nphone = "\'+86 1"\n'
    path = write_customer(folder, "lit", text)
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"lit.{fmt}"
        assert run("-C", folder, "export", "-o", out).exit_code == 0
        result = run("-C", folder, "import", out)
        assert result.output.splitlines()[-1] == "0 created, 0 changed, 1 unchanged, 0 skipped", result.output
        assert path.read_bytes() == text.encode()
        fresh = empty_folder(tmp_path, f"fresh-{fmt}")
        assert run("-C", fresh, "import", out).exit_code == 0
        (got,) = load_board(fresh).customers.values()
        assert (got.name, got.data["remark"], got.data["contact"]) == (
            "'=literal",
            " =1+1",
            {"phone": "'+86 1"},
        )


ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e"  # OSC 52 (clipboard), clear screen, bidi override


def test_headers_names_and_paths_are_printed_harmlessly(folder: Path, tmp_path: Path) -> None:
    write_customer(folder, "jia", EXISTING)
    sheet = tmp_path / f"evil{ESCAPES}.csv"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["name", f"remark{ESCAPES}", f"amount{ESCAPES}", "tier", ""],
                ["甲公司", "x", "", "", ""],
                [f"乙{ESCAPES}", "", "lots", "", "", "right of the header"],
            ]
        )
    outputs = [run("-C", folder, "import", sheet, *extra).output for extra in (("--dry-run",), ())]
    outputs.append(run("-C", folder, "import", sheet, "--map", "x\x1b[2J\u202e=name").output)
    outputs.append(run("-C", folder, "report", "--sales-report", sheet).output)
    for out in outputs:
        assert not any(ch in out for ch in "\x1b\x07\u202e"), out
    shown = "\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x202e"
    assert f"would change 甲公司: remark{shown} = x" in outputs[0]
    assert f"evil{shown}.csv:3:6: warning: 1 cells right of the last header column left out" in outputs[0]
    assert f"created 乙{shown} (customers/" in outputs[1]
    assert "does not have: x\\x1b[2J\\x202e" in outputs[2]
    assert f"evil{shown}.csv: no header row" in outputs[3]


def test_a_gbk_csv_is_read_even_when_its_first_rows_are_ascii(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "gbk.csv"
    sheet.write_bytes(
        ("name,amount\n" + "".join(f"c{i},1\n" for i in range(3000)) + "苏州公司,2\n").encode("gb18030")
    )
    table = read_table(sheet)
    assert len(table.rows) == 3001 and table.rows[-1] == ["苏州公司", "2"] and not table.problems


def test_a_progress_bar_on_a_terminal_and_none_when_piped(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "p.csv"
    sheet.write_text("name\n" + "".join(f"客户{i}\n" for i in range(5)), "utf-8")
    argv = [sys.executable, "-m", "tuiboard", "-C", str(folder), "import", "--dry-run", str(sheet)]
    piped = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    assert piped.stderr == "" and piped.stdout.splitlines()[-1].startswith("5 created")
    argv.remove("--dry-run")
    leader, follower = os.openpty()
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=follower, timeout=120, check=True)
        os.close(follower)
        screen = b""
        with contextlib.suppress(OSError):  # EIO once everything written has been read
            while chunk := os.read(leader, 4096):
                screen += chunk
    finally:
        os.close(leader)
    assert b"checking" in screen and b"writing" in screen and b"100%" in screen
    assert b"writing" not in done.stdout and done.stdout.decode().splitlines()[-1].startswith("5 created")


def test_a_finding_names_the_row_the_file_numbers_even_after_empty_rows(folder: Path, tmp_path: Path) -> None:
    """Empty rows are not kept, yet a cell's warning is at the row a spreadsheet shows."""
    sheet = tmp_path / "gaps.csv"
    sheet.write_text("name,stage,amount\n甲公司,target,1\n\n,,\n乙公司,target,lots\n", "utf-8")
    lines = run("-C", folder, "import", sheet).output.splitlines()
    assert lines[1:3] == [
        "created 乙公司 (customers/乙公司.toml)",
        "gaps.csv:5:3: warning: amount: 'lots' is not a number; left out",
    ]


def test_an_xlsx_row_after_a_gap_keeps_its_number(folder: Path, tmp_path: Path) -> None:
    path = tiny_xlsx(
        tmp_path / "g.xlsx",
        f'<row r="1">{text_cell("A1", "name")}{text_cell("B1", "tier")}</row>'
        f'<row r="7">{text_cell("A7", "甲公司")}{text_cell("B7", "Z")}</row>',
    )
    table = read_table(path)
    assert table.numbers == [7]
    (plan,) = plan_import(load_board(folder), table, column_paths(table.header, {}), TODAY)
    assert plan.action == "skip" and [(p.path, p.line, p.column) for p in plan.problems] == [(path, 7, 0)]


def test_a_sales_report_says_what_it_left_out_at_the_cell(folder: Path, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", [["客户名称", "价税合计"], ["甲公司", 100], ["乙公司", "=B2*2"], ["丙公司", 50]]
    )
    result = run("-C", folder, "report", "--sales-report", path, "--width", "60")
    assert result.exit_code == 0, result.output
    assert (
        "r.xlsx:3:2: warning: Sheet!B3: a formula with no saved value; left out" in result.output.splitlines()
    )
    as_json = json.loads(run("-C", folder, "report", "--sales-report", path, "--json").output)
    assert as_json["notes"] == ["Sheet!B3: a formula with no saved value; left out"]  # JSON as it was
