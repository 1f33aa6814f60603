"""Many customers at once: bulk writes on real files, each through the one write path, and
their undo, file by file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, write_customer

from pipeline import actions
from pipeline.errors import TuiboardError
from pipeline.store import Store
from tuiboard.cli import main
from tuiboard.labels import labels
from tuiboard.marks import Marks, summary

HAND = """name = "苏州华东"   # 全称见合同
stage = "intent"
tier = "B"

[[history]]
date = 2026-11-01
stage = "intent"
# keep me
"""


def plain(name: str, stage: str = "intent") -> str:
    return f'name = "{name}"\nstage = "{stage}"\n\n[[history]]\ndate = 2026-11-01\nstage = "{stage}"\n'


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(folder, "suzhou", HAND)
    write_customer(folder, "acme", plain("Acme"))
    write_customer(folder, "bolt", plain("Bolt"))
    write_customer(folder, "coda", plain("Coda", "project"))
    return folder


def texts(root: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted((root / "customers").glob("*.toml"))}


def loaded(root: Path) -> tuple[Store, dict[str, object]]:
    store = Store(root)
    return store, dict(store.load().customers)


def test_a_bulk_move_writes_each_file_and_refuses_per_customer(pipe: Path) -> None:
    store, customers = loaded(pipe)
    # acme changed on disk after the board read it: refused, the others written.
    acme = pipe / "customers" / "acme.toml"
    acme.write_text(plain("Acme Renamed"), "utf-8")
    picked = [customers[k] for k in ("suzhou", "acme", "bolt", "coda")]
    result = actions.bulk_move(store, picked, "project", TODAY)  # type: ignore[arg-type]
    assert [w.customer.id for w in result.written] == ["suzhou", "bolt"]
    assert [(r.customer.id, r.reason) for r in result.refused] == [
        ("acme", "acme.toml changed on disk since it was read; reload and try again"),
        ("coda", "coda is already in stage 'project'"),
    ]
    text = (pipe / "customers" / "suzhou.toml").read_text("utf-8")
    assert '"苏州华东"   # 全称见合同' in text and "# keep me" in text  # hand-written bytes stay
    assert tomllib.loads(text)["history"][-1] == {"date": TODAY, "stage": "project"}
    assert "Acme Renamed" in acme.read_text("utf-8")  # the outside edit is not overwritten
    assert store.board().customers["bolt"].stage == "project"  # the store knows


def test_a_bulk_write_never_half_reports(pipe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A veto, a refusal and even a bug in one customer's edit: every customer is accounted for."""
    store, customers = loaded(pipe)

    def changes(c: object) -> list[object]:
        if getattr(c, "id", "") == "bolt":
            raise KeyError("a bug")
        return actions.next_changes("发报价", TODAY)  # type: ignore[return-value]

    picked = [customers[k] for k in ("suzhou", "acme", "bolt", "coda")]
    result = actions.bulk(
        store,
        picked,  # type: ignore[arg-type]
        changes,  # type: ignore[arg-type]
        veto=lambda c: "hook says no" if c.id == "coda" else None,
    )
    assert [w.customer.id for w in result.written] == ["suzhou", "acme"]
    assert [r.customer.id for r in result.refused] == ["bolt", "coda"]
    assert result.refused[0].reason == "bolt.toml: KeyError: 'a bug'"
    assert result.refused[1].reason == "hook says no"


def test_bulk_next_and_set(pipe: Path) -> None:
    store, customers = loaded(pipe)
    picked = [customers["acme"], customers["bolt"]]
    with pytest.raises(TuiboardError):  # an empty action is refused before anything is written
        actions.bulk_next(store, picked, " ", TODAY)  # type: ignore[arg-type]
    done = actions.bulk_next(store, picked, "寄资料", TODAY)  # type: ignore[arg-type]
    assert len(done.written) == 2 and not done.refused
    board = store.board()
    done = actions.bulk_set(
        store, [board.customers["acme"], board.customers["bolt"]], {("owner",): "wang.li", ("tier",): "A"}
    )
    for cid in ("acme", "bolt"):
        data = tomllib.loads((pipe / "customers" / f"{cid}.toml").read_text("utf-8"))
        assert data["next"] == {"action": "寄资料", "due": TODAY}
        assert (data["owner"], data["tier"]) == ("wang.li", "A")


def test_bulk_set_adds_tags_to_each_customer_that_lacks_them(pipe: Path) -> None:
    write_customer(pipe, "dyna", 'name = "Dyna"\nstage = "intent"\ntags = ["ERP", "重点"]  # 年底\n')
    store, customers = loaded(pipe)
    picked = [customers[k] for k in ("suzhou", "acme", "dyna")]
    result = actions.bulk_set(store, picked, {}, add_tags=("重点",))  # type: ignore[arg-type]
    assert [w.customer.id for w in result.written] == ["suzhou", "acme"]
    assert [(r.customer.id, r.reason) for r in result.refused] == [("dyna", "dyna already has the tags 重点")]
    suzhou = (pipe / "customers" / "suzhou.toml").read_text("utf-8")
    assert tomllib.loads(suzhou)["tags"] == ["重点"] and "# keep me" in suzhou and "# 全称见合同" in suzhou
    # With a field to set, a customer that has the tag is still written, its tags left as they are.
    board = store.board()
    again = [board.customers[k] for k in ("acme", "dyna")]
    result = actions.bulk_set(store, again, {("tier",): "A"}, add_tags=("重点", "续费"))
    assert not result.refused
    dyna = (pipe / "customers" / "dyna.toml").read_text("utf-8")
    assert tomllib.loads(dyna)["tags"] == ["ERP", "重点", "续费"] and tomllib.loads(dyna)["tier"] == "A"
    assert read_tags(pipe, "acme") == ["重点", "续费"]
    restored, refused = actions.undo_bulk(
        store, [(w.customer.path, w.before, w.after) for w in result.written]
    )
    assert len(restored) == 2 and not refused and read_tags(pipe, "acme") == ["重点"]


def read_tags(root: Path, cid: str) -> list[str]:
    return tomllib.loads((root / "customers" / f"{cid}.toml").read_text("utf-8")).get("tags", [])


def test_undo_of_a_batch_restores_each_file_only_if_unchanged_since(pipe: Path) -> None:
    before = texts(pipe)
    store, customers = loaded(pipe)
    picked = [customers[k] for k in ("suzhou", "acme", "bolt")]
    result = actions.bulk_move(store, picked, "project", TODAY)  # type: ignore[arg-type]
    bolt = pipe / "customers" / "bolt.toml"
    bolt.write_text(bolt.read_text("utf-8") + 'owner = "li.na"\n', "utf-8")  # someone edits one since
    edited = bolt.read_bytes()
    restored, refused = actions.undo_bulk(
        store, [(w.customer.path, w.before, w.after) for w in result.written]
    )
    assert [p.stem for p in restored] == ["suzhou", "acme"]
    assert [(p.stem, str(why)) for p, why in refused] == [
        ("bolt", "bolt.toml changed on disk since the edit; not undone")
    ]
    now = texts(pipe)
    assert now["suzhou"] == before["suzhou"] and now["acme"] == before["acme"]  # byte for byte
    assert now["bolt"] == edited  # the later edit is never undone
    assert store.board().customers["suzhou"].stage == "intent"


def tb(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="tuiboard", catch_exceptions=False)


def test_cli_moves_several_ids(pipe: Path) -> None:
    result = tb("-C", pipe, "move", "suzhou", "acme", "bolt", "project")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "苏州华东: intent → project (customers/suzhou.toml)",
        "Acme: intent → project (customers/acme.toml)",
        "Bolt: intent → project (customers/bolt.toml)",
    ]
    stages = {cid: tomllib.loads(t.decode())["stage"] for cid, t in texts(pipe).items()}
    assert stages == {"acme": "project", "bolt": "project", "coda": "project", "suzhou": "project"}


def test_cli_bulk_move_says_each_refusal_and_exits_1(pipe: Path) -> None:
    os.chmod(pipe / "customers" / "bolt.toml", 0o444)
    result = tb("-C", pipe, "move", "acme", "bolt", "coda", "project")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["Acme: intent → project (customers/acme.toml)"]
    assert result.stderr.splitlines() == [
        f"tuiboard: Bolt: {pipe / 'customers' / 'bolt.toml'}: the file is read-only; not written",
        "tuiboard: Coda: coda is already in stage 'project'",
        "tuiboard: 1 moved, 2 refused",
    ]
    one = tb("-C", pipe, "move", "coda", "project")  # one id: one line, as before
    assert one.exit_code == 1 and one.stderr == "tuiboard: coda is already in stage 'project'\n"


def test_cli_bulk_move_checks_every_id_before_writing(pipe: Path) -> None:
    before = texts(pipe)
    result = tb("-C", pipe, "move", "acme", "nobody", "project")
    assert result.exit_code == 1 and "no customer 'nobody'" in result.stderr
    early = tb("-C", pipe, "move", "acme", "bolt", "project", "--date", "2026-10-01")
    assert early.exit_code == 1 and "Acme: 2026-10-01 is before the last history entry" in early.stderr
    assert texts(pipe) == before


# -- the board's marks and its one-line summary (tuiboard/marks.py) -----------------------


def test_marks_keep_their_order_and_drop_customers_no_longer_shown(pipe: Path) -> None:
    _, customers = loaded(pipe)
    marks = Marks()
    assert marks.toggle("bolt") and marks.toggle("acme") and not marks.toggle("bolt")
    assert marks.toggle_all(["suzhou", "acme"]) and len(marks) == 2
    assert not marks.toggle_all(["suzhou", "acme"]) and len(marks) == 0  # all marked: unmark them
    marks.toggle_all(["coda", "acme", "gone"])
    assert [c.id for c in marks.customers(customers)] == ["coda", "acme"]  # type: ignore[arg-type]
    assert "gone" not in marks and marks.clear() == 2 and len(marks) == 0


def test_the_summary_is_one_line_in_the_board_language(pipe: Path) -> None:
    store, customers = loaded(pipe)
    picked = [customers[k] for k in ("acme", "bolt", "coda", "suzhou")]
    result = actions.bulk_move(store, picked, "project", TODAY)  # type: ignore[arg-type]
    assert (
        summary(result, "bulk.moved", labels("en"))
        == "3 moved, 1 refused: Coda: coda is already in stage 'project'"
    )
    assert summary(result, "bulk.moved", labels("zh")) == (
        "已移动 3 个客户，1 个未成功：Coda: coda is already in stage 'project'"
    )
    five = actions.BulkResult((), tuple(actions.Refusal(customers["acme"], "no\x1b[31m") for _ in range(5)))  # type: ignore[arg-type]
    line = summary(five, "bulk.moved", labels("en"))
    assert line.endswith("(+2)") and "\x1b" not in line and line.count("Acme") == 3
