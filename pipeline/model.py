"""The in-memory shape of a customer, read from one TOML file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from .problems import Problem

INTENTS = ("high", "medium", "low")
LOG_KINDS = ("call", "visit", "email", "demo", "meeting", "note")
OBJECTION_TYPES = ("price", "function", "trust", "decision")


# The small records are msgspec Structs: the load cache decodes them in C, without a
# Python call per entry (`pipeline.cache`). Same constructor, fields and equality as before.
class Fingerprint(msgspec.Struct, frozen=True, array_like=True):
    """What the board read: a write is refused unless the file on disk still matches."""

    mtime_ns: int
    size: int
    digest: str

    @classmethod
    def of(cls, raw: bytes, mtime_ns: int) -> Fingerprint:
        return cls(mtime_ns, len(raw), hashlib.blake2b(raw, digest_size=16).hexdigest())


class HistoryEntry(msgspec.Struct, frozen=True, array_like=True):
    date: date
    stage: str


class LogEntry(msgspec.Struct, frozen=True, array_like=True):
    date: date | None
    kind: str
    note: str


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    path: Path
    data: dict[str, Any]  # the file's whole parsed content, unknown keys included
    name: str
    stage: str
    tier: str | None = None
    owner: str | None = None
    source: str | None = None
    amount: float | None = None
    probability: float | None = None
    expected_close: date | None = None
    created: date | None = None
    intent: str | None = None
    tags: tuple[str, ...] = ()
    contact: str | None = None
    next_action: str | None = None
    next_due: date | None = None
    lost_reason: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    log: tuple[LogEntry, ...] = ()
    fingerprint: Fingerprint | None = None
    problems: tuple[Problem, ...] = field(default=())
    # Set by `lazy_data` instead of data: what makes data on first use.
    _make_data: Callable[[], dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __getattr__(self, name: str) -> Any:
        """Only reached for an unset slot: the data of a customer from `lazy_data`."""
        if name != "data":
            raise AttributeError(name)
        make = self._make_data
        if make is None:  # made meanwhile by another thread (else AttributeError, rightly)
            return _DATA_SLOT.__get__(self)
        value = make()
        _DATA_SLOT.__set__(self, value)
        _MAKE_DATA_SLOT.__set__(self, None)  # what it held can go
        return value

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


_DATA_SLOT = Customer.__dict__["data"]
_MAKE_DATA_SLOT = Customer.__dict__["_make_data"]


def lazy_data(customer: Customer, make: Callable[[], dict[str, Any]]) -> Customer:
    """``customer`` with its data made by ``make()`` on first use (the load cache decodes
    the rest of 10,000 customers in a third of the time; the board never reads data).

    Equality, `dataclasses.replace` and ``repr`` read ``data`` and so make it as needed.
    """
    _DATA_SLOT.__delete__(customer)
    _MAKE_DATA_SLOT.__set__(customer, make)
    return customer
