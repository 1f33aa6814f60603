"""The in-memory shape of a customer, read from one TOML file."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeGuard

import msgspec

from .problems import Problem

INTENTS = ("high", "medium", "low")
LOG_KINDS = ("call", "visit", "email", "demo", "meeting", "note")

# What a field holds, and so how it is typed, parsed and shown. `stage`, `tier`, `source`
# and `intent` are text chosen from pipeline.toml's (or INTENTS') list.
Kind = Literal["text", "stage", "tier", "source", "intent", "amount", "percent", "date", "tags"]


@dataclass(frozen=True, slots=True)
class Field:
    """One customer field the tool knows: its key in the file, kind and labels."""

    key: str  # dotted: "amount", "next.due", "contact.phone"
    kind: Kind
    zh: str
    en: str
    ordered: bool = True  # False: no place in the canonical order (kept where it stands)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))

    @property
    def label(self) -> str:
        """Both languages, as forms and dialogs show them: ``金额 Amount``."""
        return f"{self.zh} {self.en}"


# The fields the tool knows, in the file format's key order (docs/format.md, rule 5): the
# top-level ones first, then those inside the `contact` and `next` tables. Every list of
# fields (canonical order, `show`, the form, import and export columns) is taken from here.
FIELDS = (
    Field("name", "text", "名称", "Name"),
    Field("stage", "stage", "阶段", "Stage"),
    Field("tier", "tier", "级别", "Tier"),
    Field("owner", "text", "负责人", "Owner"),
    Field("source", "source", "来源", "Source"),
    Field("amount", "amount", "金额", "Amount"),
    Field("probability", "percent", "成功率", "Prob. %"),
    Field("expected_close", "date", "预计成交", "Close"),
    Field("intent", "intent", "意向", "Intent"),
    Field("tags", "tags", "标签", "Tags"),
    Field("competitor", "text", "竞争对手", "Rival"),
    Field("created", "date", "创建", "Created"),
    Field("lost_reason", "text", "丢单原因", "Lost reason"),
    Field("product", "text", "拟购产品", "Product", ordered=False),  # the seed's form has it
    Field("next.action", "text", "下一步", "Next"),
    Field("next.due", "date", "到期", "Due"),
    Field("contact.name", "text", "联系人", "Contact"),
    Field("contact.title", "text", "职务", "Title"),
    Field("contact.phone", "text", "电话", "Phone"),
    Field("contact.email", "text", "邮箱", "E-mail"),
)
FIELD = {f.key: f for f in FIELDS}
KEY_ORDER = tuple(f.key for f in FIELDS if f.ordered and "." not in f.key)  # top-level scalars first
TABLE_ORDER = ("company", "contact", "next")  # then these tables
APPENDED = ("history", "log", "objections", "payments")  # arrays of tables, last: entries are appended


def is_number(value: object) -> TypeGuard[int | float]:
    """A value sums and charts can take: an int or float, finite, not a bool (TOML writes inf
    and nan too: one amount = inf crashed the charts and the report)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# The small records are msgspec Structs: the load cache decodes them in C, without a
# Python call per entry (`pipeline.cache`). Same constructor, fields and equality as before.
class Fingerprint(msgspec.Struct, frozen=True, array_like=True):
    """What the board read: a write is refused unless the file on disk still matches."""

    mtime_ns: int
    size: int
    digest: str

    @classmethod
    def of(cls, raw: bytes, mtime_ns: int) -> Fingerprint:
        import hashlib  # 4 ms (OpenSSL): only a parse needs it, not a warm load

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


def data_once(customer: Customer) -> dict[str, Any]:
    """``customer.data`` for one read, not kept decoded on the customer: a pass over every
    customer (the search keys) would otherwise hold all their data (2 KB each)."""
    make = customer._make_data
    return make() if make is not None else customer.data


# One slot setter per field, in `Customer`'s order (data is left unset: `lazy_customer`).
(
    _set_id, _set_path, _, _set_name, _set_stage, _set_tier, _set_owner, _set_source, _set_amount,
    _set_probability, _set_expected_close, _set_created, _set_intent, _set_tags, _set_contact,
    _set_next_action, _set_next_due, _set_lost_reason, _set_history, _set_log, _set_fingerprint,
    _set_problems, _set_make_data,
) = (Customer.__dict__[name].__set__ for name in Customer.__slots__)  # fmt: skip
_new = object.__new__


def lazy_customer(  # every field of Customer, in order
    id: str,
    path: Path,
    make: Callable[[], dict[str, Any]],
    name: str,
    stage: str,
    tier: str | None,
    owner: str | None,
    source: str | None,
    amount: float | None,
    probability: float | None,
    expected_close: date | None,
    created: date | None,
    intent: str | None,
    tags: tuple[str, ...],
    contact: str | None,
    next_action: str | None,
    next_due: date | None,
    lost_reason: str | None,
    history: tuple[HistoryEntry, ...],
    log: tuple[LogEntry, ...],
    fingerprint: Fingerprint | None,
    problems: tuple[Problem, ...],
) -> Customer:
    """``lazy_data(Customer(id, path, {}, name, ...), make)``, built at under half its cost:
    a warm load builds 10,000 of them, and the frozen dataclass's ``__init__`` calls
    ``object.__setattr__`` by name for every field. The same values, the same object."""
    c = _new(Customer)
    _set_id(c, id)
    _set_path(c, path)
    _set_name(c, name)
    _set_stage(c, stage)
    _set_tier(c, tier)
    _set_owner(c, owner)
    _set_source(c, source)
    _set_amount(c, amount)
    _set_probability(c, probability)
    _set_expected_close(c, expected_close)
    _set_created(c, created)
    _set_intent(c, intent)
    _set_tags(c, tags)
    _set_contact(c, contact)
    _set_next_action(c, next_action)
    _set_next_due(c, next_due)
    _set_lost_reason(c, lost_reason)
    _set_history(c, history)
    _set_log(c, log)
    _set_fingerprint(c, fingerprint)
    _set_problems(c, problems)
    _set_make_data(c, make)
    return c
