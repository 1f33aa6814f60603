"""The writes a person makes, one function each: the board and the CLI both call these.

Each one locks the folder, checks the customer's fingerprint, edits with tomlkit, verifies
the result reads back as intended and writes atomically (`pipeline.edit`), then notes the
new state in the `Store`, so the store is current and the watcher's echo of the write
reports nothing new. Each returns the `WriteResult` (the customer as written, and the bytes
before and after, for undo).

When the file changed on disk since the caller read it, ``reread=False`` (the board)
refuses with `ConflictError`; ``reread=True`` (the CLI, which read the folder a moment
ago) re-reads that one file and applies the change to what is there now, once, still
under the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import archive, contacts, rules
from .autocommit import commit_file
from .canonical import dump_customer
from .combine import combine_changes
from .config import Config
from .edit import (
    Change,
    SetKey,
    WriteResult,
    create_customer,
    edit_customer,
    log_changes,
    move_changes,
    next_changes,
    refuse_broken,
    restore,
    rewrite_customer,
)
from .errors import ConflictError, TuiboardError, UsageError, WriteError
from .lock import write_lock
from .model import Customer
from .store import Store

Fields = Mapping[tuple[str, ...], Any]  # ("next", "due") -> value, as a form or the CLI gives them


# -- new customers ------------------------------------------------------------------------


def new_customer_data(fields: Fields, config: Config, today: date) -> dict[str, Any]:
    """A new customer's data from the fields a person filled in: the first stage unless one
    is given, ``created`` today, a first ``history`` entry, and a next action's due date
    from the follow-up cadence when none was given."""
    values = {path: value for path, value in fields.items() if value is not None and value != ""}
    name = str(values.get(("name",), "")).strip()
    if not name:
        raise UsageError("the name must not be empty")
    values[("name",)] = name
    stage = values.setdefault(("stage",), config.stages[0].id)
    rules.known_stage(config, stage)
    tier = values.get(("tier",))
    if tier and config.tier(tier) is None:
        raise UsageError(f"unknown tier {tier!r} (known: {', '.join(t.id for t in config.tiers)})")
    amount = values.get(("amount",))
    if isinstance(amount, float) and amount.is_integer():
        values[("amount",)] = int(amount)
    values.setdefault(("created",), today)
    if ("next", "action") in values:
        values.setdefault(("next", "due"), default_due(values, config, today))
    else:  # a due date is the due date of an action: without one there is nothing to write
        values.pop(("next", "due"), None)
    data = nested(values)
    data["history"] = [{"date": today, "stage": stage}]
    return data


def default_due(fields: Fields, config: Config, today: date) -> date:
    """The cadence's due date for a customer with these fields (intent, else tier or amount)."""
    probe = Customer(
        id="",
        path=Path(),
        data={},
        name="",
        stage=fields.get(("stage",)) or config.stages[0].id,
        tier=fields.get(("tier",)),
        amount=fields.get(("amount",)),
        intent=fields.get(("intent",)),
    )
    return rules.default_due(probe, config, today)


def new_customer(store: Store, fields: Fields, today: date, *, taken: set[str] | None = None) -> WriteResult:
    """Create a customer's file (named from its name, never over another) and note it."""
    result = create_customer(
        store.root, store.config, new_customer_data(fields, store.config, today), taken=taken
    )
    store.note_written(result.customer)
    commit_file(store.root, result.customer.path, store.config)
    return result


def nested(values: Fields) -> dict[str, Any]:
    """``{("next", "due"): d}`` -> ``{"next": {"due": d}}``."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        table = out
        for key in path[:-1]:
            table = table.setdefault(key, {})
        table[path[-1]] = value
    return out


# -- edits of one customer ----------------------------------------------------------------


def write(
    store: Store, customer: Customer, make: Callable[[Customer], Sequence[Change]], *, reread: bool = False
) -> WriteResult:
    """The changes ``make`` builds from the customer, written under the folder's lock."""
    with write_lock(store.root):
        try:
            result = edit_customer(customer, store.config, make(customer))
        except ConflictError:
            if not reread:
                raise
            fresh = store.reload([customer.path]).board.customers.get(customer.id)
            if fresh is None:
                raise ConflictError(
                    f"{customer.path.name} was deleted on disk; not written",
                    "deleted",
                    file=customer.path.name,
                ) from None
            result = edit_customer(fresh, store.config, make(fresh))
        store.note_written(result.customer)
        commit_file(store.root, result.customer.path, store.config)
        return result


def move(
    store: Store,
    customer: Customer,
    target: str,
    when: date,
    reason: str | None = None,
    *,
    criteria: Sequence[str] = (),
    reread: bool = False,
) -> WriteResult:
    """Move to stage ``target``: set ``stage`` (and ``lost_reason``), append a history entry
    (with the entry ``criteria`` the rep ticked)."""
    return write(
        store,
        customer,
        lambda c: move_changes(c, store.config, target, when, reason, criteria),
        reread=reread,
    )


def won(store: Store, customer: Customer, when: date, *, reread: bool = False) -> WriteResult:
    stage = store.config.won_stage
    if stage is None:
        raise UsageError("pipeline.toml has no won stage")
    return move(store, customer, stage.id, when, reread=reread)


def lost(store: Store, customer: Customer, reason: str, when: date, *, reread: bool = False) -> WriteResult:
    stage = store.config.lost_stage
    if stage is None:
        raise UsageError("pipeline.toml has no lost stage")
    return move(store, customer, stage.id, when, reason, reread=reread)


def next_action(
    store: Store, customer: Customer, action: str | None, due: date, *, reread: bool = False
) -> WriteResult:
    changes = next_changes(action, due)  # an empty action is refused before anything is locked
    return write(store, customer, lambda _: changes, reread=reread)


def log(
    store: Store, customer: Customer, kind: str, note: str, when: date, *, reread: bool = False
) -> WriteResult:
    if not note.strip():  # an empty entry says nothing a manager could read later
        raise WriteError("a log entry needs a note: what was said or done")
    changes = log_changes(kind, note, when)
    return write(store, customer, lambda _: changes, reread=reread)


def set_fields(store: Store, customer: Customer, fields: Fields, *, reread: bool = False) -> WriteResult:
    """Set these values (the edit form): each replaces the value in place, comments kept."""
    changes = [SetKey(path, value) for path, value in fields.items()]
    return write(store, customer, lambda _: changes, reread=reread)


# -- many customers at once --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    customer: Customer
    reason: str  # one line, as a `TuiboardError` says it
    error: TuiboardError | None = None  # that error, for a caller that words it (`errors.Worded`)


@dataclass(frozen=True, slots=True)
class BulkResult:
    """Every customer of a bulk write is in exactly one of the two, in the order given."""

    written: tuple[WriteResult, ...]
    refused: tuple[Refusal, ...]


def bulk(
    store: Store,
    customers: Iterable[Customer],
    make: Callable[[Customer], Sequence[Change]],
    *,
    veto: Callable[[Customer], str | None] | None = None,
    reread: bool = False,
) -> BulkResult:
    """`write` for each customer in turn, each file on its own (lock, fingerprint check,
    verify, atomic write): one refused file does not stop the rest, and none is left out
    of the result, so a caller can report and undo exactly what was written.

    ``veto``: asked first for each customer; a reason refuses that one (a ``pre-move`` hook).
    The lock is held per file, not for the batch: a veto may run a hook for seconds.
    """
    written: list[WriteResult] = []
    refused: list[Refusal] = []
    for customer in customers:
        try:
            why = veto(customer) if veto is not None else None
            if why is not None:
                refused.append(Refusal(customer, why))
                continue
            written.append(write(store, customer, make, reread=reread))
        except TuiboardError as exc:
            refused.append(Refusal(customer, str(exc), exc))
        except Exception as exc:  # a bug in one edit must not lose the record of the others
            refused.append(Refusal(customer, f"{customer.path.name}: {type(exc).__name__}: {exc}"))
    return BulkResult(tuple(written), tuple(refused))


def bulk_move(
    store: Store,
    customers: Iterable[Customer],
    target: str,
    when: date,
    reason: str | None = None,
    *,
    criteria: Sequence[str] = (),
    veto: Callable[[Customer], str | None] | None = None,
    reread: bool = False,
) -> BulkResult:
    """`move` for each customer (one already in ``target`` is refused: nothing to write)."""
    rules.known_stage(store.config, target)  # once, not once per customer
    return bulk(
        store,
        customers,
        lambda c: move_changes(c, store.config, target, when, reason, criteria),
        veto=veto,
        reread=reread,
    )


def bulk_next(
    store: Store, customers: Iterable[Customer], action: str | None, due: date, *, reread: bool = False
) -> BulkResult:
    changes = next_changes(action, due)  # an empty action is refused before anything is written
    return bulk(store, customers, lambda _: changes, reread=reread)


def bulk_set(
    store: Store,
    customers: Iterable[Customer],
    fields: Fields,
    *,
    add_tags: Sequence[str] = (),
    reread: bool = False,
) -> BulkResult:
    """`set_fields` for each customer (the owner or tier of many at once), and ``add_tags``
    appended to the ``tags`` of each customer that lacks them, in the same write (one file,
    one undo entry). A customer with nothing to change is refused: nothing to write."""
    changes: list[Change] = [SetKey(path, value) for path, value in fields.items()]

    def make(c: Customer) -> list[Change]:
        missing = [t for t in add_tags if t not in c.tags]
        return [*changes, SetKey(("tags",), [*c.tags, *missing])] if missing else changes

    def veto(c: Customer) -> str | None:
        if changes or not add_tags or any(t not in c.tags for t in add_tags):
            return None
        return f"{c.id} already has the tags {', '.join(add_tags)}"

    return bulk(store, customers, make, veto=veto, reread=reread)


def add_entry(
    store: Store, customer: Customer, array: str, entry: dict[str, Any], *, reread: bool = False
) -> WriteResult:
    """Append a ``[[contacts]]`` or ``[[products]]`` entry (`pipeline.contacts`)."""
    changes = contacts.add_changes(array, entry)
    return write(store, customer, lambda _: changes, reread=reread)


def remove_entry(
    store: Store, customer: Customer, array: str, which: str, *, reread: bool = False
) -> WriteResult:
    """Remove the ``[[contacts]]`` or ``[[products]]`` entry ``which`` names (number or name)."""
    return write(store, customer, lambda c: contacts.remove_changes(c.data, array, which), reread=reread)


def merge_customers(store: Store, keep: Customer, other: Customer) -> WriteResult | None:
    """Combine ``other`` into ``keep`` (`pipeline.combine`), then archive ``other``; None
    when ``other`` added nothing (it is archived all the same). Both files must be the
    ones that were read."""
    if keep.id == other.id:
        raise UsageError("a customer cannot be merged into itself")
    refuse_broken(other)
    with write_lock(store.root):
        archive.check_unchanged(other)
        changes = combine_changes(keep.data, other.data)
        result = write(store, keep, lambda _: changes) if changes else None
        archive.archive(store, other)
    return result


# -- undo and fmt -------------------------------------------------------------------------


def undo(store: Store, path: Path, before: bytes | None, after: bytes) -> Customer | None:
    """Put back ``before`` if the file still holds ``after`` (None: the write made the file,
    which is removed). The restored customer, or None when the file is gone."""
    customer = restore(path, before, after, store.config)
    if customer is None:
        store.reload([path])
    else:
        store.note_written(customer)
    commit_file(store.root, path, store.config, undo=True)
    return customer


def undo_bulk(
    store: Store, results: Iterable[tuple[Path, bytes | None, bytes]]
) -> tuple[list[Path], list[tuple[Path, TuiboardError]]]:
    """`undo` each write of a batch, each file only if it still holds what the batch wrote:
    the paths put back, and the ones refused with why (another edit since, a file gone)."""
    restored: list[Path] = []
    refused: list[tuple[Path, TuiboardError]] = []
    for path, before, after in results:
        try:
            undo(store, path, before, after)
        except TuiboardError as exc:
            refused.append((path, exc))
        else:
            restored.append(path)
    return restored, refused


def reformat(store: Store, customer: Customer) -> WriteResult | None:
    """Rewrite the file in the canonical layout; None when it already is. WriteError (and the
    file left alone) when the canonical text would not read back as the same data."""
    wanted = canonical_text(customer)
    if wanted is None:
        return None
    result = rewrite_customer(customer, store.config, wanted)
    store.note_written(result.customer)
    return result


def canonical_text(customer: Customer) -> str | None:
    """The canonical text of a customer's file, or None when the file already holds it."""
    try:
        current = customer.path.read_bytes()
    except OSError as exc:
        raise WriteError(f"{customer.path}: {exc.strerror or exc}") from exc
    wanted = dump_customer(customer.data)
    return None if current == wanted.encode("utf-8") else wanted
