"""Next actions as an RFC 5545 calendar (all-day events or to-dos) for a phone's calendar.

One entry per customer: a customer has one next action at a time, so its entry keeps one
UID and a re-export updates the same event (new action, new date) instead of adding one.
The UID is derived from the customer id (a UUID5), so exporting never writes to customer
files; a customer file may pin it with an ``ics_uid`` key, which keeps the UID when the
file is renamed (`tuiboard ics --pin-uids` writes it). icalendar is imported only when a
calendar is built, so the commands that merely name ``UID_KEY`` stay fast.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from . import rules
from .config import Config
from .model import Customer
from .problems import printable

if TYPE_CHECKING:
    from icalendar import Event, Todo

UID_KEY = "ics_uid"
UID_DOMAIN = "tuiboard"
# Fixed forever: changing it would change every exported UID.
_NAMESPACE = uuid.UUID("6c1b0f3e-2f1a-5d8e-9a57-7d3f0b6c8e21")
KINDS = ("event", "todo")


def customer_uid(customer: Customer) -> str:
    """The stable UID of a customer's next-action entry."""
    pinned = customer.data.get(UID_KEY)
    if isinstance(pinned, str) and pinned.strip():
        return printable(pinned.strip())
    return f"{uuid.uuid5(_NAMESPACE, customer.id)}@{UID_DOMAIN}"


def exported(customers: Iterable[Customer], config: Config, owner: str | None = None) -> list[Customer]:
    """Customers whose next action goes in the calendar: open ones and won ones (after-sales)."""
    picked = [
        c
        for c in customers
        if c.next_due is not None
        and c.next_action
        and not c.has_errors
        and rules.stage_kind(c, config) in ("open", "won")
        and (owner is None or c.owner == owner)
    ]
    picked.sort(key=lambda c: (c.next_due, c.name, c.id))
    return picked


def description(customer: Customer, config: Config) -> str:
    stage = config.stage(customer.stage)
    stage_text = f"{stage.label} ({stage.label_en})" if stage else customer.stage
    lines = [f"客户 Customer: {customer.name}", f"阶段 Stage: {stage_text}"]
    contact = customer.data.get("contact")
    if isinstance(contact, dict):
        who = " ".join(str(contact[k]) for k in ("name", "title") if isinstance(contact.get(k), str))
        if who:
            lines.append(f"联系人 Contact: {who}")
        for key, label in (("phone", "电话 Phone"), ("mobile", "手机 Mobile"), ("email", "邮箱 Email")):
            if isinstance(contact.get(key), str):
                lines.append(f"{label}: {contact[key]}")
    if customer.owner:
        lines.append(f"负责人 Owner: {customer.owner}")
    lines.append(f"ID: {customer.id}")
    return "\n".join(printable(line) for line in lines)


def calendar(
    customers: Iterable[Customer],
    config: Config,
    *,
    kind: str = "event",
    owner: str | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """The calendar of the customers' next actions as iCalendar bytes (CRLF lines, UTF-8)."""
    from icalendar import Calendar

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//tuiboard//sales pipeline next actions//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", printable(config.name))
    for c in exported(customers, config, owner):
        cal.add_component(_entry(c, config, kind, stamp))
    return cal.to_ical()


def _entry(c: Customer, config: Config, kind: str, stamp: datetime) -> Event | Todo:
    from icalendar import Event, Todo

    due: date = c.next_due  # type: ignore[assignment]  # exported() kept only dated ones
    entry = Event() if kind == "event" else Todo()
    entry.add("uid", customer_uid(c))
    entry.add("dtstamp", stamp)
    entry.add("summary", printable(f"{c.next_action} · {c.name}"))
    entry.add("description", description(c, config))
    if kind == "event":
        entry.add("dtstart", due)
        entry.add("dtend", due + timedelta(days=1))
        entry.add("transp", "TRANSPARENT")
    else:  # no DTSTART: RFC 5545 wants DUE later than it, and a to-do has no start
        entry.add("due", due)
        entry.add("status", "NEEDS-ACTION")
    stage = config.stage(c.stage)
    entry.add("categories", [printable(stage.label if stage else c.stage)])
    return entry
