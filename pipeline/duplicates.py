"""Likely duplicate customers: the same company under two files.

Two customers are likely one when their names match once the decoration is set aside
(full-width and half-width forms, spaces, punctuation, case, and legal suffixes such as
有限公司, 股份有限公司, 科技, Co., Ltd.), or when they share a phone number. `check` warns
on every such pair; `new` warns when a new name is close to an existing one (fuzzy, on
the same normalised names). Pure functions over customers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from .locate import key_position
from .model import Customer
from .problems import Problem, Severity, excerpt_at

# Stripped from the end, repeatedly (…科技有限公司): longest first, 股份有限公司 before 有限公司.
CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "集团公司", "有限公司", "集团", "股份", "公司", "科技")
# Whole trailing words only: "Zinc" keeps its "inc".
LATIN_SUFFIXES = frozenset(("co", "ltd", "inc", "corp", "corporation", "company", "limited", "llc", "gmbh"))
PHONE_MIN_DIGITS = 7  # shorter numbers (an extension, "8888") say nothing about a company
FUZZY_CUTOFF = 90.0  # rapidfuzz ratio of normalised names, for `similar`
FUZZY_MIN_LENGTH = 4


def normal_name(name: str) -> str:
    """``苏州华东精密机械有限公司`` and ``苏州 华东精密机械`` -> ``苏州华东精密机械``;
    ``ＡＣＭＥ Co., Ltd.`` -> ``acme``. Never empty for a name with a letter or digit."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", name).casefold())
    while len(words) > 1 and words[-1] in LATIN_SUFFIXES:
        words.pop()
    text = stripped = "".join(words).replace("_", "")
    while suffix := next((s for s in CJK_SUFFIXES if stripped.endswith(s) and len(stripped) > len(s)), ""):
        stripped = stripped[: -len(suffix)]
    return stripped or text


def normal_phone(phone: str) -> str:
    """The digits of a phone number without a +86 / 0086 country code; "" when too short."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch.isdigit())
    for code in ("0086", "86"):
        if digits.startswith(code) and len(digits) - len(code) >= 10:
            digits = digits[len(code) :]
            break
    return digits if len(digits) >= PHONE_MIN_DIGITS else ""


def phones(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(key path, normalised number) of every phone in ``[contact]`` and ``[[contacts]]``."""
    raw = data.get("contacts")
    found: list[tuple[tuple[Any, ...], Any]] = [(("contact", "phone"), data.get("contact"))]
    found += [(("contacts", i, "phone"), e) for i, e in enumerate(raw if isinstance(raw, list) else [])]
    for path, table in found:
        phone = table.get("phone") if isinstance(table, dict) else None
        if isinstance(phone, str) and (number := normal_phone(phone)):
            yield path, number


@dataclass(frozen=True, slots=True)
class Pair:
    """``other`` is likely the same customer as ``first`` (the first of the two by id)."""

    first: Customer
    other: Customer
    why: str  # "name" or "phone"
    keys: tuple[Any, ...]  # where in ``other``'s file: ("name",) or the phone's key path


def pairs(customers: Iterable[Customer]) -> list[Pair]:
    """Every likely duplicate: each customer against the first (oldest, then by id) it matches."""
    by_name: dict[str, Customer] = {}
    by_phone: dict[str, Customer] = {}
    out: list[Pair] = []
    for c in sorted(customers, key=lambda c: (c.created or date.max, c.id)):  # the older one first
        key = normal_name(c.name)
        first = by_name.setdefault(key, c)
        if first is not c:
            out.append(Pair(first, c, "name", ("name",)))
            continue
        for path, number in phones(c.data):
            first = by_phone.setdefault(number, c)
            if first is not c:
                out.append(Pair(first, c, "phone", path))
                break
    return out


def similar(name: str, customers: Iterable[Customer], limit: int = 3) -> list[Customer]:
    """Existing customers whose name is the same or close to ``name`` once normalised."""
    wanted = normal_name(name)
    scored = []
    for c in customers:
        other = normal_name(c.name)
        if other == wanted:
            scored.append((100.0, c))
        elif min(len(wanted), len(other)) >= FUZZY_MIN_LENGTH:
            score = fuzz.ratio(wanted, other, score_cutoff=FUZZY_CUTOFF)
            if score:
                scored.append((score, c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].id))
    return [c for _, c in scored[:limit]]


def same_names(names: Iterable[str], customers: Iterable[Customer]) -> dict[str, Customer]:
    """Each of ``names`` that an existing customer has once normalised: that customer (one
    index over the customers, so an import of many rows stays linear)."""
    index: dict[str, Customer] = {}
    for c in sorted(customers, key=lambda c: c.id):
        index.setdefault(normal_name(c.name), c)
    return {n: index[key] for n in names if (key := normal_name(n)) in index}


def problems(customers: Iterable[Customer]) -> list[Problem]:
    """A warning on the later file of each likely duplicate pair, at its name or phone."""
    out = []
    for pair in pairs(customers):
        path = pair.other.path
        try:
            text = path.read_bytes()[: 1 << 20].decode("utf-8-sig", "replace")
        except OSError:
            text = ""
        line, col = key_position(text, pair.keys) if text else (0, 0)
        same = "name" if pair.why == "name" else "phone number"
        message = (
            f"likely the same customer as {pair.first.path.name} (same {same}); if so, "
            f"`tuiboard merge-customers {pair.first.id} {pair.other.id}`"
        )
        out.append(
            Problem(path, line, col, Severity.WARNING, message, excerpt_at(text, line, col) if text else "")
        )
    return out
