"""The reader under attack: mutated customer files never break or stall a load, every bad
file is reported with a place, and no file is touched by reading it."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import edit, rules
from pipeline.config import Config, preset_text
from pipeline.consistency import is_conflicted
from pipeline.format import parse_customer
from pipeline.problems import Problem
from pipeline.store import Board, Store
from pipeline.tomlread import MAX_DEPTH, MAX_FILE_BYTES
from tests.conftest import TODAY, TOML_TEST, needs_toml_test

if TYPE_CHECKING:
    from .conftest import Level, Tally

BOM = b"\xef\xbb\xbf"
BAD_UTF8 = (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8", b"\x80", b"\xf4\x90\x80\x80", b"\xfe\xff")
CONTROLS = (b"\x1b", b"\x1b[2J", b"\x7f", b"\x0b", b"\x0c", b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xc2\x9b")
Draw = Callable[[st.SearchStrategy[Any]], Any]

# -- mutations: each takes hypothesis' draw and a file's bytes, and returns new bytes -------------


def _insert(draw: Draw, raw: bytes, chunk: bytes) -> bytes:
    i = draw(st.integers(0, len(raw)))
    return raw[:i] + chunk + raw[i:]


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


def truncate(draw: Draw, raw: bytes) -> bytes:
    return raw[: draw(st.integers(0, len(raw)))]


def flip_bytes(draw: Draw, raw: bytes) -> bytes:
    out = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        if out:
            out[draw(st.integers(0, len(out) - 1))] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def invalid_utf8(draw: Draw, raw: bytes) -> bytes:
    return _insert(draw, raw, draw(st.sampled_from(BAD_UTF8)))


def byte_order_mark(draw: Draw, raw: bytes) -> bytes:
    return BOM + raw if draw(st.booleans()) else _insert(draw, raw, BOM)


def crlf(draw: Draw, raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def nul_bytes(draw: Draw, raw: bytes) -> bytes:
    return _insert(draw, raw, b"\x00" * draw(st.integers(1, 3)))


def control_chars(draw: Draw, raw: bytes) -> bytes:
    return _insert(draw, raw, draw(st.sampled_from(CONTROLS)))


def junk(draw: Draw, raw: bytes) -> bytes:
    return _insert(draw, raw, draw(st.binary(min_size=1, max_size=24)))


def big_string(draw: Draw, raw: bytes) -> bytes:
    sizes = [50_000, MAX_FILE_BYTES - len(raw) - 20, MAX_FILE_BYTES + 1, 3 * MAX_FILE_BYTES]
    n = draw(st.sampled_from(sizes))
    line = b'big = "' + b"\xe5\xa4\xa7x" * (max(n, 0) // 4) + b'"\n'
    return line + raw if draw(st.booleans()) else _insert(draw, raw, line)


def deep_nesting(draw: Draw, raw: bytes) -> bytes:
    depth = draw(st.sampled_from([50, 99, 100, 101, 400, 999, 1_000, 1_001, 3_000, 10_000]))
    kind = draw(st.sampled_from(["array", "inline", "dotted", "header"]))
    if kind == "array":
        value = b"deep = " + b"[" * depth + b"1" + b"]" * depth
    elif kind == "inline":
        value = b"deep = " + b"{a=" * depth + b"1" + b"}" * depth
    elif kind == "dotted":
        value = b".".join([b"d"] * depth) + b" = 1"
    else:
        value = b"[" + b".".join([b"h"] * depth) + b"]\nx = 1"
    if draw(st.booleans()):
        value = value[: draw(st.integers(0, len(value)))]  # unclosed
    return value + b"\n" + raw if kind != "header" else raw + b"\n" + value + b"\n"


TOML_SCALARS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _depth(value: Any) -> int:
    todo, deepest = [(value, 0)], 0
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        todo.extend((c, depth + 1) for c in children)
    return deepest


def wrong_types(draw: Draw, raw: bytes) -> bytes:
    """Valid TOML, wrong shapes: values of other types, keys dropped, entries replaced."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        if _depth(data) > 50:
            return raw
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return raw
    for _ in range(draw(st.integers(1, 6))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.integers(0, 4)) == 0:
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(TOML_VALUES)
    return tomli_w.dumps(data).encode("utf-8")


def duplicate_key(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    keyed = [i for i, ln in enumerate(lines) if b"=" in ln and not ln.lstrip().startswith(b"[")]
    if not keyed:
        return raw
    i = draw(st.sampled_from(keyed))
    return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])


def duplicate_table(draw: Draw, raw: bytes) -> bytes:
    headers = [ln for ln in _lines(raw) if ln.startswith(b"[") and not ln.startswith(b"[[")]
    header = draw(st.sampled_from(headers)) if headers else b"[contact]"
    other = draw(st.sampled_from([header, b"[[history]]", b"name.first", b"history.x"]))
    tail = other + b" = 1\n" if not other.startswith(b"[") else other + b"\nextra = 1\n"
    return raw + b"\n" + tail


def conflict_markers(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    i = draw(st.integers(0, len(lines)))
    j = draw(st.integers(i, len(lines)))
    theirs = [ln.replace(b"2026", b"2027") for ln in lines[i:j]] or [b"amount = 250000"]
    block = [b"<<<<<<< HEAD", *lines[i:j], b"=======", *theirs, b">>>>>>> origin/main"]
    return b"\n".join([*lines[:i], *block, *lines[j:]])


def swap_lines(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


MUTATIONS = (
    truncate,
    flip_bytes,
    invalid_utf8,
    byte_order_mark,
    crlf,
    nul_bytes,
    control_chars,
    junk,
    big_string,
    deep_nesting,
    wrong_types,
    duplicate_key,
    duplicate_table,
    conflict_markers,
    swap_lines,
)


def mutated(seeds: tuple[bytes, ...]) -> st.SearchStrategy[tuple[bytes, list[str]]]:
    """A seed file with one to three mutations, and their names."""

    @st.composite
    def files(draw: Draw) -> tuple[bytes, list[str]]:  # a closure: reports don't print the seeds
        raw = draw(st.sampled_from(seeds))
        applied = []
        for _ in range(draw(st.integers(1, 3))):
            mutation = draw(st.sampled_from(MUTATIONS))
            raw = mutation(draw, raw)
            applied.append(mutation.__name__)
        return raw, applied

    return files()


# -- what every load must guarantee -----------------------------------------------------------


def reader_must_reject(raw: bytes) -> bool:
    """An independent verdict: too big, not UTF-8, or not TOML (stdlib tomllib decides)."""
    if len(raw) > MAX_FILE_BYTES:
        return True
    try:
        tomllib.loads(raw.removeprefix(BOM).decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return True
    return False


def canonical(value: Any) -> Any:
    """Data compared by content: key order ignored, NaN equal to NaN."""
    if isinstance(value, dict):
        return sorted((k, canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, float) and value != value:
        return "NaN"
    return value


def make_folder(root: Path, files: dict[str, bytes]) -> None:
    (root / "customers").mkdir(parents=True)
    (root / "pipeline.toml").write_text(preset_text("seven-stage"), encoding="utf-8")
    for name, raw in files.items():
        (root / "customers" / name).write_bytes(raw)


def assert_located(p: Problem, path: Path, lines: int, harmless: Callable[[str, str], None]) -> None:
    """``lines``: the file's line count, counted once (60,000 problems in one file happen)."""
    assert p.path == path
    assert 1 <= p.line <= lines, p
    assert p.column >= 1, p
    assert p.message, p
    harmless(p.message, "a problem message")
    for excerpt_line in p.excerpt.split("\n"):
        harmless(excerpt_line, "a problem excerpt")


def assert_survives(
    root: Path, name: str, raw: bytes, harmless: Callable[[str, str], None]
) -> tuple[Board, Path]:
    """Load a folder holding ``name`` (and a valid neighbour); check every promise."""
    path = root / "customers" / name
    board = Store(root).load()  # pytest-timeout is the guard against a hang
    assert path.read_bytes() == raw, "reading a file changed it"
    problems = board.problems_by_file.get(path, [])
    lines = raw.count(b"\n") + 1
    for p in problems:
        assert_located(p, path, lines, harmless)
    has_error = any(p.is_error for p in problems)
    if reader_must_reject(raw):
        assert has_error, f"{name}: not a valid file, yet no error: {problems}"
        shown = board.customers.get(path.stem)  # only git's conflict: its first side, marked
        assert shown is None or (shown.has_errors and is_conflicted(shown.problems))
    if path.stem not in board.customers:
        assert has_error, f"{name}: no customer and no error"
    assert "neighbour" in board.customers, "a bad file stopped another from loading"
    assert not board.problems_for("neighbour")
    return board, path


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.long(10)
def test_mutated_files_load_safely(
    level: Level, seeds: tuple[bytes, ...], tmp_path: Path, tally: Tally, assert_harmless: Any
) -> None:
    """CI: 600 mutated files; `pytest -m soak`: 20,000 (`TUIBOARD_SOAK=N` multiplies them)."""
    counter = iter(range(10**9))

    @settings(
        max_examples=level.fuzz_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(case=mutated(seeds))
    def check(case: tuple[bytes, list[str]]) -> None:
        raw, applied = case
        root = tmp_path / f"case{next(counter)}"
        make_folder(root, {"fuzzed.toml": raw, "neighbour.toml": seeds[0]})
        try:
            assert_survives(root, "fuzzed.toml", raw, assert_harmless)
        finally:
            shutil.rmtree(root)
        tally.add("fuzz: mutated files loaded")
        for name in applied:
            tally.add(f"fuzz: mutation {name}")

    check()


@pytest.mark.long(6)
def test_edits_of_odd_but_valid_files_never_corrupt(
    level: Level, seeds: tuple[bytes, ...], tmp_path: Path, tally: Tally, config: Config, assert_harmless: Any
) -> None:
    """Whatever still loads as a customer can be edited: the edit is exact or refused.

    CI: 250 files; `pytest -m soak`: 5,000 (`TUIBOARD_SOAK=N` multiplies them)."""
    counter = iter(range(10**9))
    odd_but_valid = (crlf, byte_order_mark, wrong_types, swap_lines, duplicate_key, control_chars)

    @settings(max_examples=level.edit_examples, deadline=None, database=None)
    @given(
        seed=st.sampled_from(seeds),
        mutations=st.lists(st.sampled_from(odd_but_valid), min_size=1, max_size=2),
        action=st.sampled_from(["next", "log", "move"]),
        target=st.sampled_from(config.stage_ids),
        data=st.data(),
    )
    def check(seed: bytes, mutations: list[Any], action: str, target: str, data: st.DataObject) -> None:
        raw = seed
        for mutation in mutations:
            raw = mutation(data.draw, raw)
        root = tmp_path / f"edit{next(counter)}"
        make_folder(root, {"fuzzed.toml": raw, "neighbour.toml": seeds[0]})
        try:
            board, path = assert_survives(root, "fuzzed.toml", raw, assert_harmless)
            customer = board.customers.get("fuzzed")
            if customer is None or customer.has_errors:
                return
            tally.add("fuzz: odd files edited")
            try:
                if action == "next":
                    changes = edit.next_changes("回访", TODAY)
                elif action == "log":
                    changes = edit.log_changes("call", "聊了预算 # not a comment", TODAY)
                else:
                    changes = edit.move_changes(customer, config, target, TODAY, "价格")
                result = edit.edit_customer(customer, config, changes)
            except (edit.WriteError, rules.TransitionError) as exc:
                assert path.read_bytes() == raw, "a refused edit changed the file"
                reason = str(exc).rsplit(": ", 1)[-1] if isinstance(exc, edit.WriteError) else "a rule"
                tally.add(f"fuzz: edits refused ({reason[:40]})")
                return
            after = Store(root, use_cache=False).load()
            wanted = edit.apply_plain(customer.data, changes)
            assert canonical(after.customers["fuzzed"].data) == canonical(wanted)
            assert path.read_bytes() == result.after
            text_before = raw.removeprefix(BOM).decode("utf-8")
            kept = [ln for ln in text_before.splitlines() if ln.lstrip().startswith("#")]
            assert all(c in result.after.decode("utf-8") for c in kept), "a comment was lost"
        finally:
            shutil.rmtree(root)

    check()


@needs_toml_test
@pytest.mark.long(7)
@pytest.mark.timeout(120)
def test_toml_test_invalid_set(tmp_path: Path, tally: Tally, assert_harmless: Any) -> None:
    """toml-test's invalid/ files, each as a customer file: every one is a located error."""
    sources = sorted(p for p in (TOML_TEST / "invalid").rglob("*.toml"))
    assert len(sources) > 400
    files = {f"t{i:04d}.toml": src.read_bytes() for i, src in enumerate(sources)}
    root = tmp_path / "toml-test"
    make_folder(root, {**files, "neighbour.toml": tomli_w.dumps({"name": "n", "stage": "target"}).encode()})
    board = Store(root).load()
    rejected_by_toml = 0
    store = Store(root, use_cache=False)
    store.load()
    for name, raw in files.items():
        path = root / "customers" / name
        problems = store.reload([path]).board.problems_by_file.get(path, [])
        assert any(p.is_error for p in problems), f"{name} ({sources[int(name[1:5])]}) loaded cleanly"
        for p in problems:
            assert_located(p, path, raw.count(b"\n") + 1, assert_harmless)
        assert path.read_bytes() == raw
        rejected_by_toml += reader_must_reject(raw)
    assert "neighbour" in board.customers
    tally.add("fuzz: toml-test invalid files", len(files))
    # tomllib is TOML 1.0; the set has a few files only later versions reject. They still
    # fail here, as customers without a name and stage.
    assert rejected_by_toml >= len(files) * 0.95


HUGE = {
    "10 MB string": b'big = "' + b"x" * 10_000_000 + b'"\n',
    "string just under the limit": b'big = "' + b"x" * (MAX_FILE_BYTES - 200) + b'"\n',
    "20,000 broken history entries": b'[[history]]\ndate = "bad"\nstage = 1\n' * 20_000,
    "60,000 keys": b"".join(b"k%d = %d\n" % (i, i) for i in range(60_000)),
    "one 800 KB unclosed line": b"tags = [" + b'"a",' * 200_000 + b"\n",
    "100-deep arrays, 100-part dotted keys": (b"deep = " + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"\n")
    + b"".join(b".".join([b"d"] * (MAX_DEPTH - 1)) + b".k%d = 1\n" % i for i in range(4_000)),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("label", HUGE)
def test_huge_files(label: str, tmp_path: Path, tally: Tally, assert_harmless: Any) -> None:
    raw = b'name = "x"\nstage = "target"\n' + HUGE[label]
    root = tmp_path / "big"
    make_folder(root, {"fuzzed.toml": raw, "neighbour.toml": b'name = "n"\nstage = "target"\n'})
    assert_survives(root, "fuzzed.toml", raw, assert_harmless)
    tally.add("fuzz: huge files")


# Nesting past MAX_DEPTH, and where the reader must say it starts: (body, line, column).
DEEP = {
    "10,000-deep arrays": (b"deep = " + b"[" * 10_000 + b"]" * 10_000, 3, 8 + MAX_DEPTH),
    "10,000-deep inline tables": (b"deep = " + b"{a=" * 10_000 + b"1" + b"}" * 10_000, 3, 8 + 3 * MAX_DEPTH),
    "10,000-deep unclosed arrays": (b"deep = " + b"[" * 10_000, 3, 8 + MAX_DEPTH),
    "mixed arrays and tables": (b"deep = " + b"[{a=" * 5_000, 3, 8 + 4 * (MAX_DEPTH // 2)),
    "in a table, after strings": (b'[t]\ns = "[[[["\n# {{{\nd = ' + b"[" * 101, 6, 5 + MAX_DEPTH),
    "5,000-part dotted key": (b".".join([b"d"] * 5_000) + b" = 1", 3, 1),
    "101-part quoted dotted key": (b'a = 1\n  "q".' + b".".join([b"'q'"] * MAX_DEPTH) + b" = 1", 4, 3),
    "10,000-part table header": (b"[" + b".".join([b"h"] * 10_000) + b"]\nx = 1", 3, 2),
    "1,000-deep array headers": (b"[[" + b".".join([b"h"] * 1_000) + b"]]", 3, 3),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("label", DEEP)
def test_pathological_nesting_is_a_located_problem(
    label: str, tmp_path: Path, tally: Tally, config: Config, assert_harmless: Any
) -> None:
    """Refused by a linear scan before tomllib sees it: tomllib recurses once per level and is
    quadratic in a key's dotted parts (a 5,000-part key once took 2 s)."""
    body, line, column = DEEP[label]
    raw = b'name = "x"\nstage = "target"\n' + body + b"\n"
    path = tmp_path / "deep.toml"
    customer, [problem] = parse_customer(raw, path, config)
    assert customer is None
    assert (problem.line, problem.column) == (line, column), problem
    assert problem.is_error and f"more than {MAX_DEPTH}" in problem.message
    assert problem.excerpt.endswith("^")
    root = tmp_path / "folder"
    make_folder(root, {"fuzzed.toml": raw, "neighbour.toml": b'name = "n"\nstage = "target"\n'})
    board, _ = assert_survives(root, "fuzzed.toml", raw, assert_harmless)
    assert "fuzzed" not in board.customers, "over-deep values reached the board"
    tally.add("fuzz: pathological nesting")


def test_deep_but_allowed_values_stay_valid(config: Config) -> None:
    """The guard counts only real syntax: brackets and dots inside strings and comments are text."""
    text = (
        'name = "x"\nstage = "target"\n'
        f"note = \"{'[' * 500}\"\nlit = '{'{' * 500}'\n# {'[' * 500}\n"
        f'multi = """\n{"a." * 500}\n"""\n'
        f"deep = {'[' * MAX_DEPTH}{']' * MAX_DEPTH}\n"
        f"{'.'.join(['d'] * MAX_DEPTH)} = 1\n"
    )
    customer, problems = parse_customer(text.encode(), Path("ok.toml"), config)
    assert customer is not None and not problems
