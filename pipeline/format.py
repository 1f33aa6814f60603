"""Parse one customer file into a `Customer` plus problems, and write canonical new files.

The reader is strict about the schema but never raises: every deviation becomes a
`Problem` with a line and column, and whatever can still be shown is kept.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

import tomli
import tomli_w

from .config import Config
from .consistency import conflict_markers, history_problems
from .contacts import check as check_contacts
from .lines import toml_lines
from .locate import KeyIndex, index_keys, key_position
from .model import INTENTS, Customer, Fingerprint, HistoryEntry, LogEntry
from .problems import Problem, Severity, decode_error_position, excerpt_at, plain_syntax, strip_position
from .rules import history_out_of_order

MAX_FILE_BYTES = 1 << 20  # a customer file is a few KB; bounding it bounds parse time
MAX_DEPTH = 100  # as tomlkit; deeper data overflows pickle (the cache), repr and deepcopy

# Canonical key order for new files and `fmt` (format.md, rule 5).
KEY_ORDER = (
    "name",
    "stage",
    "tier",
    "owner",
    "source",
    "amount",
    "probability",
    "expected_close",
    "intent",
    "tags",
    "competitor",
    "created",
    "lost_reason",
)
TABLE_ORDER = ("company", "contact", "next")
APPENDED = ("history", "log", "objections", "payments")


class _Checker:
    """Collects schema problems for one file; positions are looked up only on demand."""

    def __init__(self, path: Path, text: str, problems: list[Problem]) -> None:
        self.path, self.text = path, text
        self.problems = problems
        self._index: KeyIndex | None = None  # built on the first problem, shared by the rest
        self._lines: list[str] = []

    def add(self, keys: tuple[Any, ...], message: str, severity: Severity) -> None:
        if self._index is None:
            self._index, self._lines = index_keys(self.text), toml_lines(self.text)
        line, col = key_position(self.text, keys, self._index)
        excerpt = excerpt_at(self._lines[line - 1], 1, col) if line <= len(self._lines) else ""
        self.problems.append(Problem(self.path, line, col, severity, message, excerpt))

    def error(self, keys: tuple[Any, ...], message: str) -> None:
        self.add(keys, message, Severity.ERROR)

    def warning(self, keys: tuple[Any, ...], message: str) -> None:
        self.add(keys, message, Severity.WARNING)

    def string(self, data: dict[str, Any], keys: tuple[Any, ...]) -> str | None:
        value = data.get(keys[-1])
        if value is None:
            return None
        if isinstance(value, str):
            return value
        self.error(keys, f"{'.'.join(map(str, keys))} must be a string")
        return None

    def number(self, data: dict[str, Any], key: str, hi: float | None = None) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            self.error((key,), f"{key} must be a number")
            return None
        if value < 0:
            self.error((key,), f"{key} must not be negative")
            return None
        if hi is not None and value > hi:
            self.error((key,), f"{key} must be between 0 and {hi:g}")
            return None
        return float(value)

    def date(self, data: dict[str, Any], keys: tuple[Any, ...]) -> date | None:
        value = data.get(keys[-1])
        if value is None or type(value) is date:  # the common cases first: this runs per entry
            return value
        if isinstance(value, datetime):
            return value.date()
        name = ".".join(map(str, keys))
        if isinstance(value, str):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                self.warning(keys, f"{name} is not a date: {value!r} (write YYYY-MM-DD)")
                return None
            self.warning(keys, f"{name} is a quoted date; write it without quotes")
            return parsed
        self.warning(keys, f"{name} must be a date (YYYY-MM-DD)")
        return None


def read_text(raw: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """Decode a file's bytes, reporting size, encoding and BOM problems."""
    if len(raw) > MAX_FILE_BYTES:
        msg = f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; not loaded"
        return None, [Problem(path, 1, 1, Severity.ERROR, msg)]
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(Problem(path, 1, 1, Severity.WARNING, "file starts with a byte-order mark"))
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        msg = f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})"
        return None, [*problems, Problem(path, line, col, Severity.ERROR, msg)]


def parse_toml(text: str, path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """tomli is tomllib's own code compiled with mypyc: the same TOML 1.0, twice as fast."""
    if too_deep := _pathological(text):
        line, col, msg = too_deep
        return None, [Problem(path, line, col, Severity.ERROR, msg, excerpt_at(text, line, col))]
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        line, col = decode_error_position(str(exc), text)
        excerpt = excerpt_at(text, line, col)
        lines = toml_lines(text)
        source = lines[line - 1] if 1 <= line <= len(lines) else ""
        msg = plain_syntax(strip_position(str(exc)), source)
        return None, [Problem(path, line, col, Severity.ERROR, msg, excerpt)]
    except RecursionError:
        return None, [Problem(path, 1, 1, Severity.ERROR, "values nested too deeply")]
    # Any deep value needs that many brackets, braces or dots: most files skip the walk.
    if text.count("[") + text.count("{") + text.count(".") > MAX_DEPTH and (key := _deep_key(data)):
        line, col = key_position(text, (key,))
        msg = f"values nested more than {MAX_DEPTH} levels deep"
        return None, [Problem(path, line, col, Severity.ERROR, msg, excerpt_at(text, line, col))]
    return data, []


# Strings and comments, whose brackets and dots are text. Possessive loops: linear time on any input.
_OPAQUE = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*+"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+'|#[^\n]*+''',
    re.S,
)
_BRACKET = re.compile(r"[\[\]{}]")
_DEPTH = {"[": 1, "{": 1, "]": -1, "}": -1}
_LONG_KEY = re.compile(rf"(?<![\w.-])[\w-]++(?:[ \t]*+\.[ \t]*+[\w-]++){{{MAX_DEPTH},}}")


def _pathological(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of nesting deeper than MAX_DEPTH, found before tomllib parses it.

    tomllib recurses once per bracket (10,000 of them overflow the stack) and takes seconds
    over a key of thousands of dotted parts; this scan is linear, and most files skip it.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH and text.count(".") < MAX_DEPTH:
        return None
    masked = _OPAQUE.sub(lambda m: "s" * len(m.group()), text)
    brackets = _BRACKET.findall(masked)
    depths = list(accumulate(map(_DEPTH.__getitem__, brackets)))
    if depths and max(depths) > MAX_DEPTH:  # depth moves by one: the first level over is listed
        nth = depths.index(MAX_DEPTH + 1)
        found = next(islice(_BRACKET.finditer(masked), nth, None)).start()
        msg = f"values nested more than {MAX_DEPTH} levels deep"
    elif m := _LONG_KEY.search(masked):
        found, msg = m.start(), f"a dotted key of more than {MAX_DEPTH} parts"
    else:
        return None
    line = text.count("\n", 0, found) + 1
    return line, found - (text.rfind("\n", 0, found) + 1) + 1, msg


def _deep_key(data: dict[str, Any]) -> str | None:
    """The top-level key whose value nests deeper than MAX_DEPTH (walked without recursion)."""
    for key, value in data.items():
        todo = [(value, 1)]
        while todo:
            item, depth = todo.pop()
            if depth > MAX_DEPTH:
                return key
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            todo.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return None


def parse_customer(
    raw: bytes, path: Path, config: Config, mtime_ns: int = 0
) -> tuple[Customer | None, list[Problem]]:
    """One file's bytes -> (customer or None, problems). Never raises on bad input."""
    text, problems = read_text(raw, path)
    if text is None:
        return None, problems
    problems += conflict_markers(text, path)
    data, parse_problems = parse_toml(text, path)
    problems += parse_problems
    if data is None:
        return None, problems
    problems += history_problems(text, data, path, config.stage_ids)
    check = _Checker(path, text, problems)
    return _build(data, path, config, check, Fingerprint.of(raw, mtime_ns)), problems


def _build(
    data: dict[str, Any], path: Path, config: Config, check: _Checker, fingerprint: Fingerprint
) -> Customer | None:
    """The customer, or None when it has no name or stage; every problem lands in ``check``."""
    name = check.string(data, ("name",))
    stage = check.string(data, ("stage",))
    # A value of the wrong type was reported by string(); "required" is for missing or "".
    if not name and isinstance(data.get("name", ""), str):
        check.error(("name",), "name is required")
    if not stage:
        if isinstance(data.get("stage", ""), str):
            check.error(("stage",), "stage is required")
    elif config.stage(stage) is None:
        known = ", ".join(config.stage_ids)
        check.error(("stage",), f"unknown stage {stage!r} (known: {known})")
        stage = None
    if not name or not stage:
        return None

    tier = check.string(data, ("tier",))
    if tier is not None and config.tiers and config.tier(tier) is None:
        check.error(("tier",), f"unknown tier {tier!r} (known: {', '.join(t.id for t in config.tiers)})")
        tier = None
    source = check.string(data, ("source",))
    if source and config.sources and source not in config.sources:
        check.warning(("source",), f"source {source!r} is not one of pipeline.toml's sources")
    intent = check.string(data, ("intent",))
    if intent is not None and intent not in INTENTS:
        check.warning(("intent",), "intent must be high, medium or low")
        intent = None
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        check.error(("tags",), "tags must be a list of strings")
        tags = []

    next_action = next_due = None
    nxt = data.get("next")
    if isinstance(nxt, dict):
        next_action = check.string(nxt, ("next", "action"))
        next_due = check.date(nxt, ("next", "due"))
    elif nxt is not None:
        check.error(("next",), "next must be a table with action and due")

    contact = data.get("contact")
    contact_name = contact.get("name") if isinstance(contact, dict) else None

    lost_reason = check.string(data, ("lost_reason",))
    stage_kind = config.stage(stage).kind  # type: ignore[union-attr]  # unknown stages returned above
    if stage_kind == "lost" and not lost_reason:
        check.warning(("stage",), "lost customer has no lost_reason")
    owner = check.string(data, ("owner",))
    amount = check.number(data, "amount")
    probability = check.number(data, "probability", hi=100)
    expected_close = check.date(data, ("expected_close",))
    created = check.date(data, ("created",))
    history = _history(data, config, check)
    for i, entry, later in history_out_of_order(history):
        message = (
            f"history entry of {entry.date} is written after one of {later}: metrics read history"
            " by date; move the entry up or correct its date"
        )
        check.warning(("history", i), message)
    log = _log(data, check)
    _check_payments(data, check)
    check_contacts(_entries(data, "contacts", check), _entries(data, "products", check), amount, check)
    return Customer(
        id=path.stem,
        path=path,
        data=data,
        name=name,
        stage=stage,
        tier=tier,
        owner=owner,
        source=source,
        amount=amount,
        probability=probability,
        expected_close=expected_close,
        created=created,
        intent=intent,
        tags=tuple(tags),
        contact=contact_name if isinstance(contact_name, str) else None,
        next_action=next_action,
        next_due=next_due,
        lost_reason=lost_reason,
        history=history,
        log=log,
        fingerprint=fingerprint,
        problems=tuple(check.problems),  # last: every check above has run
    )


def _entries(data: dict[str, Any], key: str, check: _Checker) -> list[tuple[int, dict[str, Any]]]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        check.error((key,), f"{key} must be an array of tables ([[{key}]])")
        return []
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            out.append((i, item))
        else:
            check.error((key, i), f"{key} entries must be tables")
    return out


def _history(data: dict[str, Any], config: Config, check: _Checker) -> tuple[HistoryEntry, ...]:
    entries = []
    for i, item in _entries(data, "history", check):
        when = check.date(item, ("history", i, "date"))
        stage = check.string(item, ("history", i, "stage"))
        if when is None or stage is None:
            check.warning(("history", i), "history entries need a date and a stage")
            continue
        if config.stage(stage) is None:
            check.warning(("history", i, "stage"), f"history names unknown stage {stage!r}")
            continue
        entries.append(HistoryEntry(when, stage))
    return tuple(entries)


def _log(data: dict[str, Any], check: _Checker) -> tuple[LogEntry, ...]:
    entries = []
    for i, item in _entries(data, "log", check):
        when = check.date(item, ("log", i, "date"))
        kind = item.get("kind", "note")
        note = item.get("note", "")
        entries.append(LogEntry(when, str(kind), note if isinstance(note, str) else str(note)))
    return tuple(entries)


def _check_payments(data: dict[str, Any], check: _Checker) -> None:
    """``[[payments]]`` (回款): a date and a numeric amount each (a refund is negative);
    `rules.payments` leaves out what this reports."""
    for i, item in _entries(data, "payments", check):
        check.date(item, ("payments", i, "date"))
        amount = item.get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool) or amount != amount:
            check.error(("payments", i, "amount"), "a payment needs a numeric amount")


def canonical_order(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in the format's order: known scalars, other scalars, tables, appended arrays."""
    ordered: dict[str, Any] = {k: data[k] for k in KEY_ORDER if k in data}
    rest = [k for k in data if k not in ordered and k not in TABLE_ORDER and k not in APPENDED]
    scalars = [k for k in rest if not isinstance(data[k], dict) and not _is_aot(data[k])]
    tables = [k for k in rest if k not in scalars]
    for key in scalars:
        ordered[key] = data[key]
    for key in (*(k for k in TABLE_ORDER if k in data), *tables, *(k for k in APPENDED if k in data)):
        ordered[key] = data[key]
    return ordered


def _is_aot(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dump_customer(data: dict[str, Any]) -> str:
    """Canonical text of a customer: UTF-8, LF, trailing newline, keys in the format's order.

    tomli-w writes short arrays of tables inline; the appended arrays are written as
    ``[[history]]`` blocks instead, so that each entry is its own lines in a diff.
    """
    ordered = canonical_order(data)
    blocks = {k: v for k, v in ordered.items() if _is_flat_aot(v)}
    text = tomli_w.dumps({k: v for k, v in ordered.items() if k not in blocks})
    for key, entries in blocks.items():
        for entry in entries:
            text += f"\n[[{toml_key(key)}]]\n" + tomli_w.dumps(entry)
    return text.lstrip("\n")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it is ASCII letters, digits, ``_`` and ``-`` only,
    else a quoted string (``"拜访记录"``, ``"visits.2025"``, ``""``), as tomli-w quotes them."""
    if _BARE_KEY.fullmatch(key):
        return key
    return tomli_w.dumps({key: 0}).rsplit(" = ", 1)[0]


def _is_flat_aot(value: Any) -> bool:
    return _is_aot(value) and not any(isinstance(v, dict | list) for e in value for v in e.values())


def has_comments(text: str) -> bool:
    """Does the TOML text hold a comment, i.e. a ``#`` outside every string?"""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            return True
        if ch in "\"'":
            triple = text.startswith(ch * 3, i)
            end_mark = ch * 3 if triple else ch
            i += len(end_mark)
            while i < n and not text.startswith(end_mark, i):
                if ch == '"' and text[i] == "\\":
                    i += 1
                elif not triple and text[i] == "\n":
                    break  # an unterminated string; tomllib reports it
                i += 1
            i += len(end_mark)
            continue
        i += 1
    return False
