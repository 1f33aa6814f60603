"""Folder -> Board: the cache, incremental reloads, last-good customers, odd files."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import write_customer

import pipeline.store as store_mod
from pipeline.config import preset_text
from pipeline.problems import printable
from pipeline.store import NotAPipeline, Store, find_root, is_customer_file, load_board
from tests.support import MINIMAL as GOOD
from tests.support import put


def bump(path: Path, text: str) -> None:
    """Rewrite a file so that its (mtime_ns, size) key changes for sure."""
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_demo_folder_loads_clean(demo_folder: Path) -> None:
    board = load_board(demo_folder, use_cache=False)
    assert len(board.customers) == 60
    assert board.errors == []


def test_second_load_comes_from_the_cache(folder: Path, parsed: Counter[str]) -> None:
    for cid in ("a", "b", "c"):
        put(folder, cid)
    first = Store(folder).load()
    assert sum(parsed.values()) == 3 and (folder / ".tuiboard" / "cache.msgpack").is_file()
    assert (folder / ".tuiboard" / ".gitignore").read_text() == "*\n"
    parsed.clear()
    second = Store(folder).load()
    assert sum(parsed.values()) == 0
    assert second.customers == first.customers


def test_cache_reparses_only_changed_added_and_drops_removed(folder: Path, parsed: Counter[str]) -> None:
    for cid in ("a", "b", "c"):
        put(folder, cid)
    Store(folder).load()
    parsed.clear()
    bump(folder / "customers" / "a.toml", GOOD.format(name="Alpha"))
    (folder / "customers" / "b.toml").unlink()
    put(folder, "d")
    board = Store(folder).load()
    assert parsed == Counter({"a.toml": 1, "d.toml": 1})
    assert sorted(board.customers) == ["a", "c", "d"] and board.customers["a"].name == "Alpha"
    parsed.clear()
    assert sorted(Store(folder).load().customers) == ["a", "c", "d"]  # the write above was cached
    assert sum(parsed.values()) == 0


def test_a_change_and_a_removal_reach_the_cache(folder: Path, parsed: Counter[str]) -> None:
    for cid in ("a", "b", "c"):
        put(folder, cid)
    Store(folder).load()
    bump(folder / "customers" / "a.toml", GOOD.format(name="Alpha"))
    (folder / "customers" / "b.toml").unlink()
    Store(folder).load()
    parsed.clear()
    board = Store(folder).load()
    assert sorted(board.customers) == ["a", "c"] and board.customers["a"].name == "Alpha"
    assert sum(parsed.values()) == 0


def test_an_unchanged_folder_does_not_rewrite_the_cache(folder: Path) -> None:
    put(folder, "a")
    Store(folder).load()
    cache = folder / ".tuiboard" / "cache.msgpack"
    before = cache.stat().st_mtime_ns, cache.read_bytes()
    Store(folder).load()
    assert (cache.stat().st_mtime_ns, cache.read_bytes()) == before


def test_a_changed_config_revalidates_everything(folder: Path, parsed: Counter[str]) -> None:
    put(folder, "a")
    put(folder, "b")
    Store(folder).load()
    parsed.clear()
    (folder / "pipeline.toml").write_text(preset_text("aida"), encoding="utf-8")
    board = Store(folder).load()
    assert sum(parsed.values()) == 2
    # Their stage is gone from the config: they stay on the board, in a column of their own.
    assert sorted(board.customers) == ["a", "b"] and board.config.stage_ids[-1] == "intent"
    assert {p.message for p in board.errors} == {
        "stage 'intent' was removed from pipeline.toml; move this customer to a current stage"
    }


def test_a_damaged_cache_is_a_cold_start(folder: Path, parsed: Counter[str]) -> None:
    put(folder, "a")
    Store(folder).load()
    (folder / ".tuiboard" / "cache.msgpack").write_bytes(b"\x80\x05garbage")
    parsed.clear()
    assert list(Store(folder).load().customers) == ["a"]
    assert sum(parsed.values()) == 1


def test_a_moved_folder_does_not_trust_the_old_cache(folder: Path, tmp_path: Path) -> None:
    put(folder, "a")
    Store(folder).load()
    moved = folder.rename(tmp_path / "moved")
    board = Store(moved).load()
    assert board.customers["a"].path == moved / "customers" / "a.toml"


def test_no_cache_when_it_cannot_be_written(folder: Path) -> None:
    put(folder, "a")
    (folder / ".tuiboard").write_text("not a folder")  # mkdir fails, as in a read-only checkout
    assert list(Store(folder).load().customers) == ["a"]


def test_reload_reparses_only_the_given_paths(folder: Path, parsed: Counter[str]) -> None:
    paths = {cid: put(folder, cid) for cid in ("a", "b", "c")}
    store = Store(folder, use_cache=False)
    store.load()
    before = {cid: c.fingerprint for cid, c in store.board().customers.items()}
    parsed.clear()
    bump(paths["a"], GOOD.format(name="Alpha"))
    bump(paths["b"], GOOD.format(name="Beta"))  # changed but not announced: left alone
    paths["c"].unlink()
    new = put(folder, "d")
    result = store.reload(
        [paths["a"], paths["c"], new, folder / "customers" / ".a.toml.swp", folder / "x.toml"]
    )
    assert parsed == Counter({"a.toml": 1, "d.toml": 1})
    assert result.changed == {"a", "d"} and result.removed == {"c"}
    after = result.board.customers
    assert after["a"].name == "Alpha" and after["b"].name == "B"
    assert after["b"].fingerprint == before["b"]
    parsed.clear()
    rescan = store.rescan()  # the safety net finds what no event announced
    assert parsed == Counter({"b.toml": 1}) and rescan.changed == {"b"} and rescan.removed == set()


def test_reload_of_the_config_rescans_everything(folder: Path, parsed: Counter[str]) -> None:
    put(folder, "a")
    store = Store(folder, use_cache=False)
    store.load()
    parsed.clear()
    (folder / "pipeline.toml").write_text(preset_text("seven-stage") + "\n# touched\n", encoding="utf-8")
    store.reload([folder / "pipeline.toml"])
    assert parsed == Counter()  # the same settings: nothing to validate again
    (folder / "pipeline.toml").write_text(preset_text("seven-stage").replace("销售漏斗", "漏斗"), "utf-8")
    store.reload([folder / "pipeline.toml"])
    assert parsed == Counter({"a.toml": 1})


def test_a_broken_file_keeps_its_last_good_customer(folder: Path) -> None:
    path = put(folder, "a", "Acme")
    store = Store(folder)
    store.load()
    bump(path, 'name = "Acme v2"\nstage = "intent\n')  # half-typed in vim
    result = store.reload([path])
    shown = result.board.customers["a"]
    assert shown.name == "Acme" and shown.has_errors
    assert result.changed == {"a"}
    assert [p.line for p in result.board.problems_for("a")] == [2]
    # ... across a restart too: the cache remembers the last good customer
    restarted = Store(folder).load()
    assert restarted.customers["a"].name == "Acme" and restarted.customers["a"].has_errors
    bump(path, GOOD.format(name="Acme v2"))
    fixed = store.reload([path]).board.customers["a"]
    assert fixed.name == "Acme v2" and not fixed.problems


def test_a_new_broken_file_shows_only_as_a_problem(folder: Path) -> None:
    write_customer(folder, "bad", "name = \n")
    put(folder, "ok")
    board = Store(folder, use_cache=False).load()
    assert list(board.customers) == ["ok"]
    assert [p.path.name for p in board.errors] == ["bad.toml"]


def test_ids_differing_only_by_case_are_an_error(folder: Path) -> None:
    put(folder, "Acme")
    put(folder, "acme")
    board = Store(folder, use_cache=False).load()
    assert len(board.customers) == 2
    [problem] = board.errors
    assert "duplicate customer id" in problem.message and problem.path.name == "acme.toml"


def test_odd_entries_are_problems_not_crashes(folder: Path) -> None:
    customers = folder / "customers"
    (customers / "dir.toml").mkdir()
    (customers / "dangling.toml").symlink_to(customers / "nowhere.toml")
    os.mkfifo(customers / "fifo.toml")
    put(folder, "ok")
    board = Store(folder, use_cache=False).load()
    assert list(board.customers) == ["ok"]
    messages = {p.path.name: p.message for p in board.errors}
    assert messages == {
        "dir.toml": "is a directory, not a customer file",
        "dangling.toml": "dangling symlink: its target does not exist",
        "fifo.toml": "is not a regular file",
    }


def test_a_symlinked_customer_loads(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared.toml"
    elsewhere.write_text(GOOD.format(name="Shared"), encoding="utf-8")
    (folder / "customers" / "shared.toml").symlink_to(elsewhere)
    assert Store(folder, use_cache=False).load().customers["shared"].name == "Shared"


@pytest.mark.parametrize(
    ("name", "loaded"),
    [
        ("a.toml", True),
        ("北京云启.toml", True),
        (".a.toml", False),
        (".a.toml.swp", False),
        ("a.toml~", False),
        ("#a.toml#", False),
        ("~a.toml", False),
        (".toml", False),
        ("a.toml.bak", False),
        ("a.txt", False),
    ],
)
def test_which_files_are_customers(name: str, loaded: bool) -> None:
    assert is_customer_file(name) is loaded


def test_missing_customers_folder_is_an_empty_board(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text(preset_text("aida"), encoding="utf-8")
    board = Store(tmp_path).load()
    assert board.customers == {} and board.problems == []
    assert board.config.stage_ids[0] == "awareness"


def test_find_root_walks_up_like_git(folder: Path, tmp_path: Path) -> None:
    deep = folder / "customers" / "sub" / "deeper"
    deep.mkdir(parents=True)
    assert find_root(deep) == folder.resolve()
    with pytest.raises(NotAPipeline, match="tuiboard init"):
        find_root(tmp_path)


def test_the_process_pool_gives_the_same_board(
    folder: Path, monkeypatch: pytest.MonkeyPatch, parsed: Counter[str]
) -> None:
    for i in range(40):
        put(folder, f"c{i:02d}", f"客户{i}")
    write_customer(folder, "bad", 'name = "x"\nstage = 5\n')
    single = Store(folder, use_cache=False, workers=1).load()
    monkeypatch.setattr(store_mod, "POOL_THRESHOLD", 10)
    pooled = Store(folder, workers=2).load()
    assert pooled.customers == single.customers
    assert pooled.problems == single.problems
    parsed.clear()
    warm = Store(folder, workers=1).load()  # the cache written from the workers' results
    assert warm.customers == single.customers and warm.problems == single.problems
    assert sum(parsed.values()) == 0


def test_note_written_needs_no_reparse(folder: Path, parsed: Counter[str]) -> None:
    from conftest import TODAY

    from pipeline.edit import edit_customer, log_changes

    put(folder, "a")
    store = Store(folder, use_cache=False)
    board = store.load()
    result = edit_customer(board.customers["a"], board.config, log_changes("call", "hi", TODAY))
    store.note_written(result.customer)
    parsed.clear()
    rescan = store.rescan()
    assert sum(parsed.values()) == 0 and rescan.changed == set()
    assert store.board().customers["a"].log[-1].note == "hi"


def test_three_ids_differing_only_by_case_keep_the_first_in_order(folder: Path) -> None:
    for cid in ("acme", "ACME", "Acme"):
        put(folder, cid)
    board = Store(folder, use_cache=False).load()
    assert sorted((p.path.name, p.message) for p in board.errors) == [
        ("Acme.toml", "duplicate customer id: Acme.toml and ACME.toml differ only by case"),
        ("acme.toml", "duplicate customer id: acme.toml and ACME.toml differ only by case"),
    ]


def test_a_file_name_that_is_not_utf8_loads_is_shown_escaped_and_is_not_cached(folder: Path) -> None:
    """os.listdir hands such a name over with a lone surrogate, which the cache (msgpack)
    cannot hold: writing it crashed every command in the folder."""
    odd = os.fsdecode(b"\xff.toml")
    (folder / "customers" / odd).write_text('name = "x"\nstage = "target"\n', encoding="utf-8")
    write_customer(folder, "y", 'name = "y"\nstage = "target"\n')
    for _ in range(2):  # a cold load writes the cache, a warm one reads it
        assert sorted(Store(folder).load().customers) == sorted([odd[:-5], "y"])
    assert printable(odd) == "\\xff.toml"
