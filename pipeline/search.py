"""Finding a customer from a few keystrokes: name, id, contact, phone, tags; Chinese names by
pinyin and initials (``hzzl`` and ``hangzhou`` find 杭州中联软件); Latin names despite a typo.

Pure functions over `Customer`. What a customer is searched by (`keys`) is computed once per
distinct set of strings and cached, so a search over 10k customers costs a cache lookup and a
few substring tests per customer. Pinyin comes from pypinyin's per-character table: every
reading of a polyphonic character counts (重庆 is found by ``cq`` and by ``zq``), which is
what a rep typing from memory wants, and a table lookup is ~100x faster than pypinyin's
phrase segmentation. The table is read from pypinyin's JSON file by itself: importing
``pypinyin`` loads its phrase dictionary too (56 MB and 0.4 s, where the table alone is 8 MB
and 40 ms).
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product
from pathlib import Path

from .contacts import search_text
from .model import Customer, data_once

FUZZY_MIN_LENGTH = 4  # shorter queries match by substring only (fuzzy on 3 letters matches everything)
FUZZY_CUTOFF = 85.0  # rapidfuzz partial_ratio, 0-100
PHONE_MIN_DIGITS = 3


@cache
def _pinyin_table() -> dict[str, str]:
    """pypinyin's per-character table, code point (as a decimal string) to readings with
    tones; read on the first search, not at start."""
    spec = importlib.util.find_spec("pypinyin")  # finds the package without running it
    assert spec is not None and spec.submodule_search_locations, "pypinyin is a dependency"
    folder = Path(next(iter(spec.submodule_search_locations)))
    table: dict[str, str] = json.loads((folder / "pinyin_dict.json").read_bytes())
    return table


@lru_cache(maxsize=8192)
def readings(ch: str) -> tuple[str, ...]:
    """A Han character's common pinyin readings without tones (``重`` -> ``zhong, chong``); () if none."""
    table = _pinyin_table().get(str(ord(ch))) if ch > "\x7f" else None
    if not table:
        return ()
    out: list[str] = []
    for reading in table.split(","):
        bare = "".join(c for c in unicodedata.normalize("NFD", reading) if c.isascii() and c.isalpha())
        if bare and bare not in out:
            out.append(bare)
    return tuple(out[:READINGS])


READINGS = 2  # the table's first readings are the common ones (重 zhòng, chóng); the rest add noise
SPELLINGS_CAP = 4  # a name with more polyphonic combinations keeps the first reading for the rest


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def fold(text: str) -> str:
    """Text as search compares it: NFKC (é typed as one character or two, full-width letters as
    ASCII), casefolded, without invisible characters (zero-width spaces and joiners, soft
    hyphens), so what a person types finds what a file holds."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()


@lru_cache(maxsize=65536)
def spellings(text: str) -> tuple[str, ...]:
    """``text`` in pinyin, run together, then as initials, for each way its characters read
    (other characters kept, casefolded; spaces dropped): 重庆 -> zhongqing, zq, chongqing, cq.
    Empty when ``text`` has no Han character."""
    syllables: list[tuple[str, ...]] = []
    han = False
    for ch in text.casefold():
        if not ch.isspace():
            found = readings(ch)
            han = han or bool(found)
            syllables.append(found or (ch,))
    if not han:
        return ()
    choices, combos = [], 1
    for options in syllables:  # the first polyphonic characters get every reading, while within the cap
        if combos * len(options) > SPELLINGS_CAP:
            options = options[:1]
        combos *= len(options)
        choices.append(options)
    out: list[str] = []
    for variant in product(*choices):
        out += ("".join(variant), "".join(o[0] for o in variant))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Keys:
    """What one customer is found by, folded (`fold`), joined so that one ``in`` tests them all."""

    name: str
    words: str  # name, id, contact, tags, email, NUL-separated
    digits: str  # the phone number's digits
    pinyin: str  # the name's and the contact's `spellings`, NUL-separated


@lru_cache(maxsize=65536)
def _keys(name: str, cid: str, contact: str, tags: tuple[str, ...], phone: str, email: str) -> Keys:
    return Keys(
        fold(name),
        "\0".join(fold(w) for w in (name, cid, contact, *tags, email) if w),
        "".join(ch for ch in phone if ch.isdigit() or ch == "\0"),
        "\0".join((*spellings(name), *spellings(contact))),
    )


def keys(c: Customer) -> Keys:
    names, phones, emails = search_text(data_once(c))  # [contact] and every [[contacts]] entry
    return _keys(c.name, c.id, "\0".join(filter(None, (c.contact, names))), c.tags, phones, emails)


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # folded (`fold`), stripped
    pinyin: str  # the text without spaces when it is ASCII letters only (it may be pinyin), else ""
    digits: str  # a phone number being typed: its digits, else ""
    fuzzy: bool  # long enough to match despite a typo


@lru_cache(maxsize=256)
def query(text: str) -> Query:
    needle = fold(text).strip()
    compact = "".join(needle.split())
    phoneish = compact and all(ch.isdigit() or ch in "+-()" for ch in compact)
    digits = "".join(ch for ch in compact if ch.isdigit()) if phoneish else ""
    pinyin = compact if compact.isascii() and compact.isalpha() else ""
    phone = digits if len(digits) >= PHONE_MIN_DIGITS else ""
    return Query(needle, pinyin, phone, len(needle) >= FUZZY_MIN_LENGTH)


def score(c: Customer, text: str) -> float:
    """How well ``text`` finds ``c``: 0 for not at all, else up to 100 (the id itself)."""
    q = query(text)
    if not q.text:
        return 1.0
    k = keys(c)
    if q.text in k.words:
        if q.text == fold(c.id):
            return 100.0
        return 95.0 if k.name.startswith(q.text) else 90.0
    if q.digits and q.digits in k.digits:
        return 88.0
    if q.pinyin and q.pinyin in k.pinyin:
        return 86.0
    if q.fuzzy:
        from rapidfuzz import fuzz  # only typed queries of 4+ characters need it: not at start

        best = fuzz.partial_ratio(q.text, k.name, score_cutoff=FUZZY_CUTOFF)
        if q.pinyin and k.pinyin:
            best = max(best, fuzz.partial_ratio(q.pinyin, k.pinyin, score_cutoff=FUZZY_CUTOFF))
        return best * 0.8
    return 0.0


def rank(customers: Iterable[Customer], text: str, limit: int = 50) -> list[Customer]:
    """The customers ``text`` finds, best first (then by name)."""
    scored = [(s, c) for c in customers if (s := score(c, text)) > 0]
    scored.sort(key=lambda sc: (-sc[0], sc[1].name.casefold(), sc[1].id))
    return [c for _, c in scored[:limit]]


def warm(customers: Iterable[Customer]) -> None:
    """Compute every customer's keys now (a background thread after a load), not on the first keystroke."""
    for c in customers:
        keys(c)
