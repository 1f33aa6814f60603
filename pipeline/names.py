"""Safe, unique file names (customer ids) from customer names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_STEM_BYTES = 120  # well under every filesystem's 255-byte name limit, CJK included
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\s\u200b-\u200f\u202a-\u202e\u2066-\u2069]+')


def slug(name: str) -> str:
    """A file stem from a name: CJK kept, ASCII lower-cased, separators and dots made safe."""
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"-{2,}", "-", text).strip(".- ").lstrip("#~.- ")  # the store ignores .x, #x, ~x
    text = "".join(ch.lower() if ch.isascii() else ch for ch in text)
    text = _truncate_bytes(text, MAX_STEM_BYTES).rstrip(".- ")
    if not text:
        text = "customer"
    head, dot, tail = text.partition(".")
    if head in _RESERVED:  # Windows reserves CON and CON.anything alike
        text = _truncate_bytes(f"{head}-customer{dot}{tail}", MAX_STEM_BYTES).rstrip(".- ")
    return text


class TakenIds:
    """Ids in use, folded as `unique_id` compares them: a writer of many files (the demo)
    adds each new id here instead of passing a list that is folded again on every call."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._keys = {_fold(i) for i in ids}

    def __contains__(self, cid: object) -> bool:
        return isinstance(cid, str) and _fold(cid) in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, cid: str) -> None:
        self._keys.add(_fold(cid))


def _fold(cid: str) -> str:
    return unicodedata.normalize("NFC", cid).casefold()


def unique_id(name: str, existing: Iterable[str] | TakenIds) -> str:
    """``slug(name)``, with -2, -3 … appended until no existing id clashes (case-insensitively)."""
    taken = existing if isinstance(existing, TakenIds) else TakenIds(existing)
    base = slug(name)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = _truncate_bytes(base, MAX_STEM_BYTES - len(suffix)).rstrip(".- ") + suffix
    return candidate


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")
