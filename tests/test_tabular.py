"""`tuiboard export` / `import`: XLSX round trip, CSV, the seed's Chinese form headers, updates
that say what they replace, dry runs, and cells that would make a bad file."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook

from pipeline.store import load_board
from pipeline.tabular import apply_import, column_paths, plan_import, read_table
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
        and header[-1] in ("history", "log", "objections")
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
    assert lines[0].startswith("skipped row 2 乙公司: unknown stage 'nowhere'")
    assert lines[1] == "created 丙公司 (customers/丙公司.toml)"
    assert "amount: 'lots' is not a number; left out" in lines[2] and "expected_close" in lines[3]
    assert lines[4].startswith("skipped row 4 甲公司: unknown tier 'Z'")
    assert lines[5] == "skipped row 5 (no name): no name"
    assert lines[6] == "skipped row 6 丙公司: the same customer as row 3"
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
    header = ["name", "amount"]
    plans = plan_import(board, header, [["甲公司", 99000]], column_paths(header, {}), TODAY)
    path.write_text(EXISTING.replace("50000", "55000"), encoding="utf-8")  # someone edits it meanwhile
    (plan,) = apply_import(board, plans)
    assert plan.action == "skip" and "changed on disk" in plan.notes[-1]
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
        "  note: contact.phone: contact is not a table; left out",
        "  note: amount: 'inf' is not a number; left out",
    ]
    assert lines[3:5] == ["unchanged 甲公司", "  note: company.region: company is not a table; left out"]
    created = load_board(folder).customers["乙公司"]
    assert created.data["contact"] == "张三" and created.amount is None
