"""`tuiboard ics`: RFC 5545 output read back by icalendar and by vobject, stable UIDs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from click.testing import CliRunner
from conftest import write_customer

from pipeline.ics import UID_KEY, customer_uid
from pipeline.store import load_board
from tuiboard.cli import main


def tb(*args: object) -> bytes:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(
        folder,
        "suzhou",
        'name = "苏州华东精密机械有限公司"\nstage = "intent"\nowner = "wang.li"\n'
        '[contact]\nname = "张伟"\ntitle = "信息部经理"\nphone = "+86 512 6666 8888"\n'
        '[next]\naction = "发送修订报价"\ndue = 2026-11-25\n',
    )
    write_customer(
        folder,
        "acme",
        'name = "Acme\\u001b[31m; evil"\nstage = "won"\nowner = "li.na"\n'
        '[next]\naction = "满意度回访\\nline two"\ndue = 2026-11-20\n',
    )
    write_customer(
        folder, "lost", 'name = "Lost Co"\nstage = "lost"\n[next]\naction = "x"\ndue = 2026-11-20\n'
    )
    write_customer(folder, "nodue", 'name = "No Due"\nstage = "target"\n')
    return folder


def by_uid_icalendar(data: bytes) -> dict[str, icalendar.cal.Component]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk() if e.name in ("VEVENT", "VTODO")}


def test_events_parse_in_two_libraries_with_customer_stage_and_phone(pipe: Path) -> None:
    data = tb("-C", pipe, "ics")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # RFC 5545 line ends
    events = by_uid_icalendar(data)
    assert len(events) == 2  # the lost customer and the one without a next action are left out
    board = load_board(pipe)
    suzhou = events[customer_uid(board.customers["suzhou"])]
    assert suzhou.name == "VEVENT"
    assert suzhou.decoded("DTSTART") == date(2026, 11, 25)
    assert suzhou.decoded("DTEND") == date(2026, 11, 26)  # all-day
    assert str(suzhou["SUMMARY"]) == "发送修订报价 · 苏州华东精密机械有限公司"
    text = str(suzhou["DESCRIPTION"])
    for part in (
        "苏州华东精密机械有限公司",
        "意向客户 (Intent)",
        "张伟 信息部经理",
        "+86 512 6666 8888",
        "wang.li",
    ):
        assert part in text

    second = vobject.readOne(data.decode("utf-8"))
    got = {ev.uid.value: ev for ev in second.vevent_list}
    assert set(got) == set(events)
    assert got[customer_uid(board.customers["suzhou"])].dtstart.value == date(2026, 11, 25)
    assert "+86 512 6666 8888" in got[customer_uid(board.customers["suzhou"])].description.value


def test_hostile_text_is_escaped(pipe: Path) -> None:
    data = tb("-C", pipe, "ics")
    assert b"\x1b" not in data
    [acme] = [e for e in by_uid_icalendar(data).values() if "Acme" in str(e["SUMMARY"])]
    assert str(acme["SUMMARY"]) == "满意度回访⏎line two · Acme\\x1b[31m; evil"


def test_reexport_keeps_uids_and_a_pinned_uid_survives_a_rename(pipe: Path) -> None:
    first = set(by_uid_icalendar(tb("-C", pipe, "ics")))
    path = pipe / "customers" / "suzhou.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-11-25", "2026-12-01"), encoding="utf-8")
    second = by_uid_icalendar(tb("-C", pipe, "ics"))
    assert set(second) == first  # the moved action updates its event
    suzhou_uid = customer_uid(load_board(pipe).customers["suzhou"])
    assert second[suzhou_uid].decoded("DTSTART") == date(2026, 12, 1)

    text = path.read_text(encoding="utf-8")
    path.write_text(f'{UID_KEY} = "pinned-1@example"\n' + text, encoding="utf-8")
    path.rename(pipe / "customers" / "suzhou-renamed.toml")
    assert "pinned-1@example" in by_uid_icalendar(tb("-C", pipe, "ics"))


def test_todo_owner_filter_and_output_file(pipe: Path, tmp_path: Path) -> None:
    out = tmp_path / "cal" / "next.ics"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["-C", str(pipe), "ics", "--todo", "--owner", "li.na", "-o", str(out)])
    assert result.exit_code == 0 and "wrote 1 next actions" in result.stderr
    [todo] = by_uid_icalendar(out.read_bytes()).values()
    assert todo.name == "VTODO" and todo.decoded("DUE") == date(2026, 11, 20) and "DTSTART" not in todo
    [second] = vobject.readOne(out.read_text(encoding="utf-8")).vtodo_list
    assert second.due.value == date(2026, 11, 20)


def test_a_demo_folder_exports_every_dated_open_or_won_action(demo_folder: Path) -> None:
    board = load_board(demo_folder)
    data = tb("-C", demo_folder, "ics")
    events = by_uid_icalendar(data)
    wanted = [
        c
        for c in board.customers.values()
        if c.next_due and c.next_action and board.config.stage(c.stage).kind in ("open", "won")
    ]
    assert len(events) == len(wanted) > 10
    assert len({customer_uid(c) for c in wanted}) == len(wanted)
    assert len(vobject.readOne(data.decode()).vevent_list) == len(wanted)
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == timedelta(days=1) for e in events.values())


def test_pin_uids_writes_them_through_the_edit_path_and_keeps_every_byte(pipe: Path) -> None:
    path = pipe / "customers" / "suzhou.toml"
    path.write_text("# 手写注释\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    uids = set(by_uid_icalendar(tb("-C", pipe, "ics")))
    result = CliRunner().invoke(main, ["-C", str(pipe), "ics", "--pin-uids"])
    assert result.exit_code == 0 and "pinned 2 UIDs" in result.stderr
    assert set(by_uid_icalendar(result.stdout_bytes)) == uids  # pinning changes no UID
    after = path.read_text(encoding="utf-8")
    uid = customer_uid(load_board(pipe).customers["suzhou"])
    assert after.startswith(before.split("[contact]")[0])  # comment and top keys untouched
    assert f'{UID_KEY} = "{uid}"' in after
    assert not (pipe / "customers" / "nodue.toml").read_text(encoding="utf-8").count(UID_KEY)
    path.rename(pipe / "customers" / "renamed.toml")
    assert uid in by_uid_icalendar(tb("-C", pipe, "ics"))
    again = CliRunner().invoke(main, ["-C", str(pipe), "ics", "--pin-uids"])
    assert "pinned 0 UIDs" in again.stderr
