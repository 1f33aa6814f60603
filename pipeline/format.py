"""Parse one customer file into a `Customer` plus problems (the schema of docs/format.md).

The file is read as TOML within bounds by `pipeline.tomlread`; the canonical text new files
get is `pipeline.canonical`'s. The reader is strict about the schema but never raises: every
deviation becomes a `Problem` with a line and column, and whatever can still be shown is kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .config import Config
from .consistency import conflict_markers, first_side, history_problems
from .contacts import check as check_contacts
from .lines import toml_lines
from .locate import KeyIndex, index_keys, key_position
from .model import FIELD, INTENTS, Customer, Field, Fingerprint, HistoryEntry, LogEntry, is_number
from .problems import Problem, Severity, excerpt_at
from .rules import history_out_of_order
from .tomlread import parse_toml, read_text

# Customer attributes read from the file as their kind says, with no rule of their own.
PLAIN_FIELDS = tuple(FIELD[k] for k in ("owner", "amount", "probability", "expected_close", "created"))


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
        if not is_number(value):
            self.error((key,), f"{key} must be a number")
            return None
        if value < 0:
            self.error((key,), f"{key} must not be negative")
            return None
        if hi is not None and value > hi:
            self.error((key,), f"{key} must be between 0 and {hi:g}")
            return None
        return float(value)

    def by_kind(self, data: dict[str, Any], field: Field) -> Any:
        """A top-level text, amount, percent or date field, checked as its kind asks."""
        if field.kind == "amount":
            return self.number(data, field.key)
        if field.kind == "percent":
            return self.number(data, field.key, hi=100)
        if field.kind == "date":
            return self.date(data, field.path)
        return self.string(data, field.path)

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


def parse_customer(
    raw: bytes, path: Path, config: Config, mtime_ns: int = 0
) -> tuple[Customer | None, list[Problem]]:
    """One file's bytes -> (customer or None, problems). Never raises on bad input."""
    text, problems = read_text(raw, path)
    if text is None:
        return None, problems
    markers = conflict_markers(text, path)
    problems += markers
    data, parse_problems = parse_toml(text, path)
    problems += parse_problems
    if data is None:
        return (_first_side(text, raw, path, config, mtime_ns, problems) if markers else None), problems
    problems += history_problems(text, data, path, config.stage_ids)
    check = _Checker(path, text, problems)
    return _build(data, path, config, check, Fingerprint.of(raw, mtime_ns)), problems


def _first_side(
    text: str, raw: bytes, path: Path, config: Config, mtime_ns: int, problems: list[Problem]
) -> Customer | None:
    """A file git left conflicted, as its first side reads (`consistency.first_side`), with
    the file's own problems: the board shows the card (marked, its writes refused) instead of
    losing it when no earlier read of the file is kept to show."""
    side = first_side(text)
    data, _ = parse_toml(side, path)
    if data is None:
        return None
    customer = _build(data, path, config, _Checker(path, side, []), Fingerprint.of(raw, mtime_ns))
    return None if customer is None else replace(customer, problems=tuple(problems))


def _build(
    data: dict[str, Any], path: Path, config: Config, check: _Checker, fingerprint: Fingerprint
) -> Customer | None:
    """The customer, or None when it has no name or stage; every problem lands in ``check``."""
    name = check.string(data, ("name",))
    stage = check.string(data, ("stage",))
    # A value of the wrong type was reported by string(); "required" is for missing or "".
    if not name and isinstance(data.get("name", ""), str):
        check.error(("name",), "name is required")
    known_stage = config.stage(stage) if stage else None
    if not stage:
        if isinstance(data.get("stage", ""), str):
            check.error(("stage",), "stage is required")
    elif known_stage is None:
        known = ", ".join(config.stage_ids)
        check.error(("stage",), f"unknown stage {stage!r} (known: {known})")
    if not name or known_stage is None:
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
    if known_stage.kind == "lost" and not lost_reason:
        check.warning(("stage",), "lost customer has no lost_reason")
    plain = {f.key: check.by_kind(data, f) for f in PLAIN_FIELDS}
    history = _history(data, config, check)
    for i, entry, later in history_out_of_order(history):
        message = (
            f"history entry of {entry.date} is written after one of {later}: metrics read history"
            " by date; move the entry up or correct its date"
        )
        check.warning(("history", i), message)
    log = _log(data, check)
    _check_payments(data, check)
    check_contacts(
        _entries(data, "contacts", check), _entries(data, "products", check), plain.get("amount"), check
    )
    return Customer(
        id=path.stem,
        path=path,
        data=data,
        name=name,
        stage=known_stage.id,
        tier=tier,
        source=source,
        intent=intent,
        **plain,
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
        if not is_number(amount):
            check.error(("payments", i, "amount"), "a payment needs a numeric amount")
