"""What a sync says in words: the actions a customer file's change stands for (the commit
message: ``move 杭州中联 intent → project``, ``log 杭州中联 call``) and what came in from
whom. Read from the files' data before and after, never from the commit's own text."""

from __future__ import annotations

from typing import Any

from .model import APPENDED
from .problems import printable

MAX_LISTED = 3  # customer names shown per author in "what came in"


def describe_change(cid: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The actions one customer file's change stands for, for the commit message."""
    name = display_name(cid, after if after is not None else before)
    if after is None:
        return [f"delete {name}"]
    if before is None:
        return [f"new {name} ({printable(str(after.get('stage', '?')))})"]
    out: list[str] = []
    if before.get("stage") != after.get("stage"):
        out.append(
            f"move {name} {printable(str(before.get('stage')))} → {printable(str(after.get('stage')))}"
        )
    for entry in _added(before.get("log"), after.get("log")):
        out.append(f"log {name} {printable(str(entry.get('kind', 'note')))}")
    if _added(before.get("objections"), after.get("objections")):
        out.append(f"objection {name}")
    if before.get("next") != after.get("next"):
        out.append(f"next {name}")
    edited = [
        k
        for k in [*after, *(k for k in before if k not in after)]
        if k not in ("stage", "next", *APPENDED) and before.get(k) != after.get(k)
    ]
    if edited:
        out.append(f"edit {name} {', '.join(printable(k) for k in edited)}")
    if not out and before != after:  # history or log rewritten, entries removed
        out.append(f"edit {name} {', '.join(k for k in APPENDED if before.get(k) != after.get(k))}")
    return out or [f"edit {name} (layout)"]


def display_name(cid: str, data: dict[str, Any] | None) -> str:
    """The customer's name as the file holds it, or its id when it has none."""
    name = data.get("name") if data else None
    return printable(name if isinstance(name, str) and name.strip() else cid)


def _added(before: Any, after: Any) -> list[dict[str, Any]]:
    old = [repr(e) for e in before] if isinstance(before, list) else []
    new = after if isinstance(after, list) else []
    out = []
    for entry in new:
        if repr(entry) in old:
            old.remove(repr(entry))
        elif isinstance(entry, dict):
            out.append(entry)
    return out


def commit_message(actions: list[str]) -> str:
    if len(actions) == 1:
        return actions[0]
    return f"sync: {len(actions)} changes\n\n" + "\n".join(f"- {a}" for a in actions)


def describe_incoming(incoming: dict[str, set[str]]) -> list[str]:
    """``3 customers changed by wang.li (杭州中联, …)``, one line per author."""
    out = []
    for author, names in sorted(incoming.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(sorted(names)[:MAX_LISTED]) + (", …" if len(names) > MAX_LISTED else "")
        noun = "customer" if len(names) == 1 else "customers"
        out.append(f"{len(names)} {noun} changed by {printable(author)} ({shown})")
    return out
