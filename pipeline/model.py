"""The in-memory shape of a customer, read from one TOML file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .problems import Problem


def by_fields(self: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a slots dataclass as a constructor call: half the unpickling time of its
    default per-field ``__setstate__``, which matters for the 10,000-customer cache."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


INTENTS = ("high", "medium", "low")
LOG_KINDS = ("call", "visit", "email", "demo", "meeting", "note")
OBJECTION_TYPES = ("price", "function", "trust", "decision")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the board read: a write is refused unless the file on disk still matches."""

    mtime_ns: int
    size: int
    digest: str

    __reduce__ = by_fields

    @classmethod
    def of(cls, raw: bytes, mtime_ns: int) -> Fingerprint:
        return cls(mtime_ns, len(raw), hashlib.blake2b(raw, digest_size=16).hexdigest())


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    date: date
    stage: str

    __reduce__ = by_fields


@dataclass(frozen=True, slots=True)
class LogEntry:
    date: date | None
    kind: str
    note: str

    __reduce__ = by_fields


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

    __reduce__ = by_fields

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)
