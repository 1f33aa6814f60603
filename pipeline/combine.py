"""Two files that are one customer, combined into the first (`tuiboard merge-customers`).

KEEP's values win; OTHER's fill what KEEP leaves empty (a key it lacks, an empty string or
list, a key missing from one of its tables). Dated entries (history, log, objections,
payments, any other array of tables with dates) are united: OTHER's entries that KEEP does
not already hold go in date order, after KEEP's of the same date, so KEEP's entries never
move. Contacts and products are united by name. OTHER's old single ``[contact]``, when
KEEP's names someone else, becomes a ``[[contacts]]`` entry instead of mixing two people.
Pure: the changes for `pipeline.edit`; `pipeline.actions.merge_customers` writes them and
archives OTHER.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from typing import Any

import tomlkit

from .edit import Append, Change, SetKey, apply_document, keep_layout
from .lines import toml_lines
from .model import Customer

NAMED = ("contacts", "products")  # united by name, not by date
SINGLE_CONTACT_KEYS = ("name", "title", "phone", "email", "wechat")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _is_aot(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def combine_changes(keep: dict[str, Any], other: dict[str, Any]) -> list[Change]:
    """The changes that make ``keep`` hold what ``other`` adds (see the module's rules)."""
    changes: list[Change] = []
    moved_contact = _contact_moves(keep, other)
    for key, theirs in other.items():
        ours = keep.get(key)
        if key == "contact" and moved_contact:
            continue
        if _is_aot(theirs) and (ours is None or _is_aot(ours)):
            entries = list(theirs) + (moved_contact if key == "contacts" else [])
            changes += _unite(key, list(ours or []), entries)
        elif isinstance(theirs, dict) and isinstance(ours, dict):
            changes += [
                SetKey((key, k), v) for k, v in theirs.items() if _empty(ours.get(k)) and not _empty(v)
            ]
        elif isinstance(theirs, list) and isinstance(ours, list):
            added = [v for v in theirs if v not in ours]
            if added:
                changes.append(SetKey((key,), [*ours, *added]))
        elif _empty(ours) and not _empty(theirs):
            changes.append(SetKey((key,), theirs))
    if moved_contact and "contacts" not in other:
        changes += _unite("contacts", list(keep.get("contacts") or []), moved_contact)
    return changes


def _contact_moves(keep: dict[str, Any], other: dict[str, Any]) -> list[dict[str, Any]]:
    """OTHER's ``[contact]`` as a contacts entry, when KEEP's ``[contact]`` is someone else."""
    ours, theirs = keep.get("contact"), other.get("contact")
    if not (isinstance(ours, dict) and isinstance(theirs, dict)):
        return []
    if not isinstance(theirs.get("name"), str) or theirs.get("name") == ours.get("name"):
        return []
    return [{k: theirs[k] for k in SINGLE_CONTACT_KEYS if isinstance(theirs.get(k), str)}]


def _unite(key: str, ours: list[Any], theirs: list[dict[str, Any]]) -> list[Change]:
    """Appends for ``theirs`` entries that ``ours`` lacks, each at its place by date."""
    changes: list[Change] = []
    current = list(ours)
    names = {e.get("name") for e in current if isinstance(e, dict)}
    for entry in theirs:
        if entry in current:
            continue
        if key in NAMED:
            if entry.get("name") in names:
                continue
            names.add(entry.get("name"))
            at = None
        else:
            at = _place(current, entry.get("date"))
        changes.append(Append(key, entry, at))
        current.insert(len(current) if at is None else at, entry)
    return changes


def _place(entries: list[Any], when: Any) -> int | None:
    """Where an entry dated ``when`` goes: after every entry dated on or before it (None: at
    the end). An entry without a date goes at the end."""
    if not isinstance(when, date):
        return None
    for i, entry in enumerate(entries):
        theirs = entry.get("date") if isinstance(entry, dict) else None
        if isinstance(theirs, date) and _day(theirs) > _day(when):
            return i
    return None


def _day(value: date) -> date:
    """A datetime's day (a date and a datetime do not compare)."""
    return value.date() if isinstance(value, datetime) else value


def kept_over(keep: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, Any]]:
    """The values where both files say something different and KEEP's wins: (key path, OTHER's value)."""
    out: list[tuple[str, Any]] = []
    moved = bool(_contact_moves(keep, other))  # OTHER's [contact] becomes a contacts entry
    for key, theirs in other.items():
        ours = keep.get(key)
        if key == "contact" and moved:
            continue
        if isinstance(theirs, dict) and isinstance(ours, dict):
            out += [
                (f"{key}.{k}", v) for k, v in theirs.items() if not _empty(ours.get(k)) and ours.get(k) != v
            ]
        elif not isinstance(theirs, dict | list) and not _empty(ours) and ours != theirs:
            out.append((key, theirs))
    return out


def summary(changes: list[Change]) -> list[str]:
    """What the changes do, one line per kind: ``history: 2 entries``, ``fills: source, company.region``."""
    filled = [".".join(c.path) for c in changes if isinstance(c, SetKey)]
    counts: dict[str, int] = {}
    for c in changes:
        if isinstance(c, Append):
            counts[c.array] = counts.get(c.array, 0) + 1
    lines = [f"fills: {', '.join(filled)}"] if filled else []
    lines += [f"{array}: +{n} {'entry' if n == 1 else 'entries'}" for array, n in counts.items()]
    return lines


def preview(customer: Customer, changes: list[Change]) -> str:
    """A unified diff of what the changes would make of the customer's file (`--dry-run`);
    the same tomlkit edit the write makes, nothing written."""
    text = customer.path.read_bytes().decode("utf-8-sig")
    doc = tomlkit.parse(text)
    roundtrip = tomlkit.dumps(doc)
    apply_document(doc, changes)
    new = keep_layout(customer.path, text, roundtrip, tomlkit.dumps(doc))
    name = f"customers/{customer.path.name}"
    diff = difflib.unified_diff(
        toml_lines(text, keepends=True), toml_lines(new, keepends=True), name, name, n=1
    )
    return "".join(diff)
