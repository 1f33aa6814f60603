"""Saved views: named filters (and a sort) a team shares in ``pipeline.toml``.

```toml
[views."我的A类"]
tier = ["A"]
mine = true
sort = "amount"
```

A view is data: its criteria as written, checked against the stages and tiers when
``pipeline.toml`` is read (`config.parse_config` calls `parse_views`, so a bad view is a
``path:line:col`` problem like the rest of the config); `query.view_filter` turns one into
the board's `Filter`; `view_edit.save_view` writes one into ``pipeline.toml``.

This module imports nothing heavy: `config` imports it, and every command reads the config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .parse_input import parse_when
from .problems import Severity

Value = str | bool | tuple[str, ...]

# pipeline.toml's key -> the `query.Filter` field it sets: one table, read both ways (load, save).
SET_KEYS = {"stage": "stages", "tier": "tiers", "owner": "owners", "source": "sources", "tag": "tags"}
FLAG_KEYS = {"overdue": "overdue", "stale": "stale", "no_next": "no_next"}
TEXT_KEYS = {"search": "text", "due": "due"}
FILTER_KEYS = {**SET_KEYS, **FLAG_KEYS, **TEXT_KEYS}
KEYS = (*FILTER_KEYS, "mine", "sort")

# The board's card orders: (id, Chinese label, English label); the first is Pipedrive's order.
# The board's sort orders, the first Pipedrive's; their names are labels ("sort.<id>", tuiboard.labels).
SORT_IDS: tuple[str, ...] = ("due", "amount", "probability", "name", "days")

MAX_VIEWS = 100  # a folder is untrusted: counts are bounded
MAX_NAME = 40  # characters; the name is shown in the board's title


@dataclass(frozen=True, slots=True)
class View:
    name: str
    criteria: tuple[tuple[str, Value], ...] = ()  # the FILTER_KEYS as written, in file order
    mine: bool = False  # only the user's own customers (TUIBOARD_OWNER, else git's user.name)
    sort: str = ""  # a SORT_IDS id; "" keeps the board's sort

    def table(self) -> dict[str, Any]:
        """The view as pipeline.toml holds it (lists for sets)."""
        out: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.criteria}
        if self.mine:
            out["mine"] = True
        if self.sort:
            out["sort"] = self.sort
        return out


Bad = Callable[[tuple[Any, ...], str, Severity], None]  # (keys, message, severity): a located problem


def parse_views(
    raw: Any, bad: Bad, stage_ids: tuple[str, ...], tier_ids: tuple[str, ...]
) -> tuple[View, ...]:
    """``[views.NAME]`` tables -> views, in file order. A view with a problem is left out
    (a warning: a typo in a view must not switch off the rest of pipeline.toml), so no view
    ever shows more than its author meant."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        bad(("views",), 'views must be tables of named filters: [views."我的A类"]', Severity.WARNING)
        return ()
    views: list[View] = []
    for index, (name, table) in enumerate(raw.items()):
        if index == MAX_VIEWS:
            bad(("views", name), f"more than {MAX_VIEWS} views; the rest are ignored", Severity.WARNING)
            break
        problem, view = _parse_view(name, table, stage_ids, tier_ids)
        if problem is not None:
            keys, message = problem
            message = f"view {name!r}: {message}; the view is not available"
            bad(("views", name, *keys), message, Severity.WARNING)
        elif view is not None:
            views.append(view)
    return tuple(views)


def _parse_view(
    name: str, table: Any, stage_ids: tuple[str, ...], tier_ids: tuple[str, ...]
) -> tuple[tuple[tuple[str, ...], str] | None, View | None]:
    """(None, the view) or ((keys, what is wrong), None)."""
    if not name.strip() or len(name) > MAX_NAME:
        return ((), f"a view's name must be 1 to {MAX_NAME} characters"), None
    if not isinstance(table, dict):
        return ((), 'must be a table of filter keys (tier = ["A"], overdue = true …)'), None
    criteria: list[tuple[str, Value]] = []
    known = {"stage": stage_ids, "tier": tier_ids}
    for key, value in table.items():
        where = (key,)
        if key not in KEYS:
            return (where, f"unknown key {key!r} (known: {', '.join(KEYS)})"), None
        if key in SET_KEYS:
            values = [value] if isinstance(value, str) else value
            if not (isinstance(values, list) and values and all(isinstance(v, str) and v for v in values)):
                return (where, f"{key} must be a string or a list of strings"), None
            ids = known.get(key)
            unknown = [v for v in values if ids is not None and v not in ids]
            if unknown:
                return (where, f"unknown {key} {unknown[0]!r} (known: {', '.join(ids or ())})"), None
            criteria.append((key, tuple(dict.fromkeys(values))))
        elif key in FLAG_KEYS or key == "mine":
            if not isinstance(value, bool):
                return (where, f"{key} must be true or false"), None
            if key in FLAG_KEYS and value:
                criteria.append((key, True))
        elif key == "sort":
            if value not in SORT_IDS:
                return (where, f"sort must be one of {', '.join(SORT_IDS)}"), None
        elif not isinstance(value, str):  # search, due
            return (where, f"{key} must be a string"), None
        elif key == "due":
            try:
                due_before(value, date.today())
            except ValueError as exc:
                return (where, str(exc)), None
            criteria.append((key, value))
        elif value:
            criteria.append((key, value))
    if table.get("mine") is True and "owner" in table:
        return (("mine",), "mine and owner contradict each other: keep one"), None
    return None, View(name, tuple(criteria), table.get("mine") is True, table.get("sort", ""))


def due_before(spec: str, today: date) -> date:
    """The first day a ``due`` criterion leaves out: ``<+3d`` is today + 3 (so today, the
    next two days and everything overdue are in), ``<=+3d`` today + 4, ``<today`` today
    (overdue only). The day after ``<`` is `parse_input.parse_when`'s, the one date grammar."""
    text = spec.strip()
    if text.startswith("<="):
        return parse_when(text[2:], today) + timedelta(days=1)
    if text.startswith("<"):
        return parse_when(text[1:], today)
    raise ValueError(
        f'due must be "<" or "<=" and a day, such as "<+3d", "<today" or "<=2026-12-31": {spec!r}'
    )


def find(views: tuple[View, ...], name: str) -> View | None:
    return next((v for v in views if v.name == name), None)


def view_table(criteria: Mapping[str, Value], *, mine: bool = False, sort: str = "") -> dict[str, Any]:
    """What `view_edit.save_view` writes for these criteria (empty sets, false flags and "" left out)."""
    items = tuple((k, v) for k, v in criteria.items() if v not in ((), False, ""))
    return View("", items, mine, sort).table()
