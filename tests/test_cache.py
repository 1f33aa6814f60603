"""The load cache treats its own file as untrusted: planted pickles, garbage, links, stale
stat keys, leftovers of killed writers and a broken `pipeline.toml` never cost a customer."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import os
import pickle
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, write_customer

import pipeline.folder as folder_mod
import pipeline.parsepool as parsepool
import pipeline.store as store_mod
from pipeline import cache
from pipeline.config import preset_text
from pipeline.model import Customer, Fingerprint, HistoryEntry, LogEntry, lazy_customer, lazy_data
from pipeline.query import Filter
from pipeline.store import Store
from tests.support import MINIMAL as GOOD
from tests.support import put
from tuiboard.cli import main
from tuiboard.viewmodel import build_view


def tb(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="tuiboard", catch_exceptions=False)


class Plant:
    """A pickle that creates ``marker`` when it is unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


def framed(payload: bytes, *, version: int = cache.VERSION) -> bytes:
    """``payload`` as a cache file with a right magic, the given version and a right checksum."""
    return cache.MAGIC + version.to_bytes(2, "big") + cache._digest(payload) + payload


# -- no code from the folder --------------------------------------------------------------


def test_a_planted_pickle_never_runs(folder: Path, tmp_path: Path) -> None:
    put(folder, "acme")
    marker = tmp_path / "pwned"
    bomb = pickle.dumps(Plant(marker))
    state = folder / ".tuiboard"
    state.mkdir()
    (state / "cache.pickle").write_bytes(bomb)  # the old cache's name
    (state / cache.CACHE_NAME).write_bytes(framed(bomb))
    assert list(Store(folder).load().customers) == ["acme"]
    assert not (state / "cache.pickle").exists()  # removed once the new cache is written
    (state / "cache.pickle").write_bytes(bomb)
    (state / cache.CACHE_NAME).write_bytes(bomb)
    assert tb("-C", folder, "check").exit_code == 0
    assert tb("-C", folder, "show", "acme").exit_code == 0
    assert not marker.exists()


def _deep(levels: int) -> bytes:
    return b"\x91" * levels + b"\x01"  # fixarrays of one, nested


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x80\x05garbage",
        cache.MAGIC,
        framed(b"\x93\x01\x02\x03", version=cache.VERSION + 1),
        framed(b"\x93\x01\x02\x03")[:-1] + b"\x04",  # the checksum no longer matches
        framed(msgspec.msgpack.encode([1, 2, 3])),  # the wrong shape
        framed(msgspec.msgpack.encode({"root": "x"})),
        framed(_deep(100_000)),
        framed(b"\xdd\xff\xff\xff\xff"),  # an array claiming 4 billion items
        framed(b"\xdb\xff\xff\xff\xff"),  # a string claiming 4 GiB
    ],
    ids=[
        "empty",
        "garbage",
        "magic only",
        "next version",
        "bad checksum",
        "wrong shape",
        "a map",
        "deep",
        "huge array",
        "huge string",
    ],
)
def test_a_damaged_cache_is_a_cold_start(folder: Path, content: bytes, parsed: Counter[str]) -> None:
    put(folder, "acme")
    (folder / ".tuiboard").mkdir()
    (folder / ".tuiboard" / cache.CACHE_NAME).write_bytes(content)
    board = Store(folder).load()
    assert list(board.customers) == ["acme"] and board.problems == []
    assert parsed == Counter({"acme.toml": 1})
    parsed.clear()
    assert list(Store(folder).load().customers) == ["acme"]  # rewritten, good this time
    assert sum(parsed.values()) == 0


def test_a_cache_over_the_size_bound_is_not_read(folder: Path, parsed: Counter[str]) -> None:
    put(folder, "acme")
    Store(folder).load()
    path = folder / ".tuiboard" / cache.CACHE_NAME
    os.truncate(path, cache.cache_limit(1) + 1)  # sparse: no disk is spent
    parsed.clear()
    assert list(Store(folder).load().customers) == ["acme"]
    assert parsed == Counter({"acme.toml": 1})


def test_a_forged_entry_cannot_say_what_a_file_holds(folder: Path) -> None:
    """A cache committed to a repository cannot know the clone's inodes and change times."""
    path = put(folder, "acme", "Acme")
    store = Store(folder, use_cache=False)
    store.load()
    st = path.stat()
    state = store._files["acme.toml"]
    forged = dataclasses.replace(state.customer, name="Forged")  # type: ignore[type-var]
    key = (st.st_mtime_ns, 0, 0, st.st_size)  # what a clone can reproduce: mtime and size
    files = {"acme.toml": state._replace(key=key, customer=forged, racy=False, packed=None)}
    cache.write(folder, folder / "customers", store.config, files, {})
    assert Store(folder).load().customers["acme"].name == "Acme"


@pytest.mark.parametrize("bad", ["../acme.toml", "sub/acme.toml", "a\\b.toml", "..", ".", "", "a\0.toml"])
def test_an_entry_named_as_a_path_is_a_cold_start(folder: Path, bad: str) -> None:
    path = put(folder, "acme", "Acme")
    put(folder, "苏州 华东.v2", "华东")
    store = Store(folder, use_cache=False)
    store.load()
    files = dict(store._files)
    cache.write(folder, folder / "customers", store.config, files, {})
    assert cache.read(folder, folder / "customers", 2) is not None  # plain names, CJK and spaces included
    cache.write(folder, folder / "customers", store.config, {**files, bad: files["acme.toml"]}, {})
    assert cache.read(folder, folder / "customers", 3) is None
    cache.write(folder, folder / "customers", store.config, files, {bad: files["acme.toml"].customer})  # type: ignore[dict-item]
    assert cache.read(folder, folder / "customers", 3) is None
    path.unlink()
    cache.write(folder, folder / "customers", store.config, {}, {})
    assert cache.read(folder, folder / "customers", 0) is not None  # no names at all


# -- stale entries ------------------------------------------------------------------------


def same_size_same_mtime(path: Path, old: bytes, new: bytes) -> None:
    """What ``cp -p``, ``rsync -t`` or ``tar x`` do: new bytes, the old size and mtime."""
    assert len(old) == len(new)
    st = path.stat()
    path.write_bytes(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_mtime_ns, path.stat().st_size) == (st.st_mtime_ns, st.st_size)


def test_an_edit_keeping_size_and_mtime_is_seen(folder: Path) -> None:
    path = put(folder, "acme", "Acme")
    assert Store(folder).load().customers["acme"].name == "Acme"
    same_size_same_mtime(path, GOOD.format(name="Acme").encode(), GOOD.format(name="Bcme").encode())
    assert Store(folder).load().customers["acme"].name == "Bcme"
    assert "Bcme" in tb("-C", folder, "show", "acme").stdout
    assert "Bcme" in tb("-C", folder, "list").stdout
    logged = tb("-C", folder, "log", "acme", "call", "x")
    assert logged.exit_code == 0, logged.stderr
    assert 'note = "x"' in path.read_text(encoding="utf-8") and "Bcme" in path.read_text(encoding="utf-8")


def test_an_entry_read_in_the_same_tick_is_hashed_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch, parsed: Counter[str]
) -> None:
    """Where ctime and inode do not help (an edit in the same timestamp tick keeps them, or
    a file system lacks them), a file read within the racy window is re-hashed next time."""
    real_key = folder_mod.stat_key
    weak = lambda st, size: (*real_key(st, size)[:1], 0, 0, size)  # noqa: E731
    monkeypatch.setattr(folder_mod, "stat_key", weak)  # the listing's keys, a write's
    monkeypatch.setattr(store_mod, "stat_key", weak)
    monkeypatch.setattr(parsepool, "_key", weak)  # and the parse's
    path = put(folder, "acme", "Acme")
    put(folder, "bolt")
    Store(folder).load()
    same_size_same_mtime(path, GOOD.format(name="Acme").encode(), GOOD.format(name="Bcme").encode())
    parsed.clear()
    assert Store(folder).load().customers["acme"].name == "Bcme"
    assert parsed == Counter({"acme.toml": 1})  # bolt was hashed, not parsed


def test_an_entry_read_long_after_its_write_is_not_racy(folder: Path, parsed: Counter[str]) -> None:
    path = put(folder, "acme")
    old = time.time_ns() - 2 * cache.RACY_NS
    os.utime(path, ns=(old, old))  # the ctime is still now: racy until a later load
    Store(folder).load()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parsepool, "RACY_NS", 0)
        Store(folder).load()  # hashed once more, found the same, and no longer racy
    parsed.clear()
    store = Store(folder)
    store.load()
    assert not store._files["acme.toml"].racy and sum(parsed.values()) == 0


# -- no writes through planted links ------------------------------------------------------


@pytest.mark.parametrize("name", [".gitignore", cache.CACHE_NAME, "cache.{pid}.tmp"])
def test_planted_links_in_the_state_folder_are_never_written_through(
    folder: Path, tmp_path: Path, name: str
) -> None:
    name = name.format(pid=os.getpid())  # the old cache's temporary file
    put(folder, "acme")
    target = tmp_path / "bashrc"
    target.write_bytes(b"precious\n")
    (folder / ".tuiboard").mkdir()
    (folder / ".tuiboard" / name).symlink_to(target)
    for _ in range(2):
        assert list(Store(folder).load().customers) == ["acme"]
    assert target.read_bytes() == b"precious\n"


def test_a_state_folder_that_is_a_link_is_neither_read_nor_written(
    folder: Path, tmp_path: Path, parsed: Counter[str]
) -> None:
    put(folder, "acme")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    Store(folder).load()
    (folder / ".tuiboard").rename(elsewhere / "real")
    (folder / ".tuiboard").symlink_to(elsewhere / "real")
    before = {p.name: p.read_bytes() for p in (elsewhere / "real").iterdir()}
    parsed.clear()
    for _ in range(2):
        assert list(Store(folder).load().customers) == ["acme"]
    assert parsed == Counter({"acme.toml": 2})  # uncached
    assert {p.name: p.read_bytes() for p in (elsewhere / "real").iterdir()} == before


# -- leftovers of killed writers ----------------------------------------------------------


def test_stale_temporary_files_of_killed_writers_are_removed(folder: Path, tmp_path: Path) -> None:
    put(folder, "acme")
    customers = folder / "customers"

    def leftover(stem: str, age_s: float) -> Path:
        fd, name = tempfile.mkstemp(prefix=f".{stem[:40]}.", suffix=".tmp", dir=customers)
        os.close(fd)  # exactly the name `pipeline.edit.atomic_write` makes
        when = time.time_ns() - int(age_s * 1e9)
        os.utime(name, ns=(when, when))
        return Path(name)

    old = [leftover("acme", 120), leftover("苏州华东精密" * 10, 3600)]
    fresh = leftover("acme", 5)  # a writer may be about to rename it
    outside = tmp_path / "keep.txt"
    outside.write_text("keep")
    link = customers / ".acme.abcd1234.tmp"
    link.symlink_to(outside)
    os.utime(link, ns=(0, 0), follow_symlinks=False)
    other = customers / ".notes.tmp"  # not the writers' pattern
    other.write_text("mine")
    os.utime(other, ns=(0, 0))
    assert list(Store(folder).load().customers) == ["acme"]
    assert [p.exists() for p in old] == [False, False]
    assert fresh.exists() and link.is_symlink() and outside.read_text() == "keep" and other.exists()


def test_a_cache_write_killed_midway_leaves_nothing_for_long(folder: Path) -> None:
    put(folder, "acme")
    Store(folder).load()
    state = folder / ".tuiboard"
    stale, fresh = state / ".cache.msgpack.0badc0de.tmp", state / ".cache.msgpack.12345678.tmp"
    for path in (stale, fresh):
        path.write_bytes(b"half a cache")
    os.utime(stale, ns=(0, 0))
    put(folder, "bolt")
    Store(folder).load()  # writes the cache
    assert not stale.exists() and fresh.exists()


# -- a broken or changed pipeline.toml ----------------------------------------------------


@pytest.fixture
def aida(folder: Path) -> Path:
    """A folder on the AIDA preset, whose stages the default preset does not have."""
    (folder / "pipeline.toml").write_text(preset_text("aida"), encoding="utf-8")
    write_customer(folder, "acme", 'name = "Acme"\nstage = "interest"\n')
    write_customer(folder, "bolt", 'name = "Bolt"\nstage = "awareness"\n')
    return folder


def test_a_broken_config_keeps_the_last_good_one_in_a_session(aida: Path) -> None:
    store = Store(aida)
    store.load()
    (aida / "pipeline.toml").write_text("stages = [\n", encoding="utf-8")
    board = store.rescan().board
    assert sorted(board.customers) == ["acme", "bolt"] and board.config.preset == "aida"
    messages = [p.message for p in board.problems if p.path.name == "pipeline.toml"]
    assert len(messages) == 2 and store_mod.KEPT_CONFIG in messages


def test_a_broken_config_keeps_the_cached_one_in_a_new_process(aida: Path) -> None:
    Store(aida).load()
    (aida / "pipeline.toml").write_text("stages = [\n", encoding="utf-8")
    board = Store(aida).load()
    assert sorted(board.customers) == ["acme", "bolt"] and board.config.preset == "aida"
    assert any(p.path.name == "pipeline.toml" and p.is_error for p in board.problems)
    checked = tb("-C", aida, "check")
    assert checked.exit_code == 1 and "pipeline.toml" in checked.stdout


def test_a_stage_removed_while_the_board_is_open_keeps_its_customers(aida: Path) -> None:
    store = Store(aida)
    store.load()
    text = preset_text("aida")
    start = text.index('[[stages]]\nid = "interest"')
    (aida / "pipeline.toml").write_text(text[:start] + text[text.index("[[stages]]", start + 1) :], "utf-8")
    board = store.rescan().board
    assert board.customers["acme"].stage == "interest" and board.config.stage_ids[-1] == "interest"
    assert [p.is_error for p in board.problems_for("acme")] == [True]


def test_customers_in_a_removed_stage_stay_on_the_board(aida: Path) -> None:
    Store(aida).load()
    text = preset_text("aida")
    start = text.index('[[stages]]\nid = "interest"')
    end = text.index("[[stages]]", start + 1)
    (aida / "pipeline.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    board = Store(aida).load()  # a new process: the stage is known from the cache
    assert sorted(board.customers) == ["acme", "bolt"] and board.config.stage_ids[-1] == "interest"
    view = build_view(board, Filter(), "due", TODAY)
    assert [c.id for c in view.columns["interest"]] == ["acme"]
    [problem] = board.problems_for("acme")
    assert "'interest' was removed from pipeline.toml" in problem.message
    # Moved out of it, the stage goes; the board shows the config's stages only.
    path = aida / "customers" / "acme.toml"
    path.write_text('name = "Acme"\nstage = "decision"\n', encoding="utf-8")
    board = Store(aida).load()
    assert "interest" not in board.config.stage_ids and board.problems == []


# -- what comes back from the cache -------------------------------------------------------

EVERY_TYPE = """\
name = "全类型"
stage = "intent"
amount = 1.5e3
created = 2026-01-02
[extra]
when = 1979-05-27T07:32:00-08:00
local = 1979-05-27T07:32:00.999999
at = 07:32:00
big = 9223372036854775807
inf = inf
flag = true
"键 with space" = ["a", 1, 2.0, 2026-03-04, {x = 1}]
[[history]]
date = 2026-01-02
stage = "intent"
[[log]]
date = 2026-01-03
kind = "call"
note = "说了\\n两行"
"""


def test_a_cached_customer_equals_a_parsed_one(folder: Path) -> None:
    write_customer(folder, "every", EVERY_TYPE)
    fresh = Store(folder, use_cache=False).load().customers["every"]
    Store(folder).load()
    cached = Store(folder).load().customers["every"]
    assert cached == fresh and cached.data == fresh.data
    assert type(cached.data["extra"]["when"]) is type(fresh.data["extra"]["when"])
    assert cached.data["extra"]["when"].utcoffset() == fresh.data["extra"]["when"].utcoffset()
    assert dataclasses.replace(cached, name="x").data == fresh.data


def test_lazy_data_is_made_once_and_only_for_data() -> None:
    calls: list[int] = []

    def make() -> dict[str, Any]:
        calls.append(1)
        return {"name": "A"}

    customer = lazy_data(Customer("a", Path("a.toml"), {}, "A", "intent"), make)
    assert customer.data == {"name": "A"} and customer.data is customer.data and calls == [1]
    assert copy.copy(customer) == customer and calls == [1]
    with pytest.raises(AttributeError):
        customer.nothing  # noqa: B018


def test_lazy_customer_is_the_customer_lazy_data_makes() -> None:
    """The warm load's fast constructor sets every field, in order: a field added to
    Customer and not to it fails here."""
    names = [f.name for f in dataclasses.fields(Customer) if f.init and f.name != "data"]
    assert list(inspect.signature(lazy_customer).parameters) == ["id", "path", "make", *names[2:]]
    values = dict(
        name="甲公司", stage="intent", tier="A", owner="wang", source="web", amount=1.5, probability=40.0,
        expected_close=date(2026, 1, 2), created=date(2025, 1, 1), intent="high", tags=("x", "y"),
        contact="李", next_action="call", next_due=date(2026, 1, 3), lost_reason="price",
        history=(HistoryEntry(date(2025, 1, 1), "lead"),), log=(LogEntry(None, "note", "n"),),
        fingerprint=Fingerprint(1, 2, "ab"),
        problems=(),
    )  # fmt: skip
    data = {"name": "甲公司", "extra": 1}
    fast = lazy_customer("c1", Path("c1.toml"), lambda: dict(data), *values.values())
    slow = lazy_data(Customer("c1", Path("c1.toml"), {}, **values), lambda: dict(data))
    assert type(fast) is Customer
    assert fast == slow and repr(fast) == repr(slow)
    assert all(getattr(fast, n) == getattr(slow, n) for n in names) and fast.data == data
    assert dataclasses.replace(fast, name="乙").data == data
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "乙"  # type: ignore[misc]
