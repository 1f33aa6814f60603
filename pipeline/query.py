"""Board filters as data: which customers a view (board, charts, list) shows, and in what order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, cast

from . import rules, search
from .config import Config
from .errors import UsageError
from .model import Customer
from .problems import Problem
from .views import FILTER_KEYS, SET_KEYS, Value, View, due_before


@dataclass(frozen=True, slots=True)
class Filter:
    """Every set field narrows the view; empty sets mean "any". Fields combine with AND."""

    stages: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    overdue: bool = False
    stale: bool = False
    no_next: bool = False
    text: str = ""  # incremental search: name, id, contact, phone, tags, pinyin (pipeline.search)
    due: str = ""  # open, with a next action due before a day: "<+3d" (`views.due_before`)

    @property
    def active(self) -> bool:
        return self != Filter()

    def with_text(self, text: str) -> Filter:
        return replace(self, text=text)

    def matches(self, c: Customer, config: Config, today: date) -> bool:
        if self.stages and c.stage not in self.stages:
            return False
        if self.tiers and rules.effective_tier(c, config) not in self.tiers:
            return False
        if self.owners and c.owner not in self.owners:
            return False
        if self.sources and c.source not in self.sources:
            return False
        if self.tags and not self.tags.intersection(c.tags):
            return False
        if self.overdue and not rules.is_overdue(c, config, today):
            return False
        if self.stale and not rules.is_stale(c, config, today):
            return False
        if self.no_next and not (rules.is_open(c, config) and not c.next_action):
            return False
        if self.due and not _due_by(c, config, due_before(self.due, today)):
            return False
        return not self.text or search.score(c, self.text) > 0

    def describe(self) -> str:
        """A short header line such as ``tier A,B · owner wang.li · overdue · "苏州"``."""
        parts = []
        for label, values in (
            ("stage", self.stages),
            ("tier", self.tiers),
            ("owner", self.owners),
            ("source", self.sources),
            ("tag", self.tags),
        ):
            if values:
                parts.append(f"{label} {','.join(sorted(values))}")
        parts += [
            name
            for name, on in (
                ("overdue", self.overdue),
                ("stale", self.stale),
                ("no next action", self.no_next),
            )
            if on
        ]
        if self.due:
            parts.append(f"due {self.due}")
        if self.text:
            parts.append(f'"{self.text}"')
        return " · ".join(parts)


def _due_by(c: Customer, config: Config, before: date) -> bool:
    return rules.is_open(c, config) and c.next_due is not None and c.next_due < before


def select(
    customers: list[Customer] | dict[str, Customer], flt: Filter, config: Config, today: date
) -> list[Customer]:
    values = customers.values() if isinstance(customers, dict) else customers
    return [c for c in values if flt.matches(c, config, today)]


# -- saved views (pipeline/views.py) ------------------------------------------------------------


def view_filter(view: View, me: str | None) -> Filter:
    """The filter a saved view stands for; ``me`` is who "mine" means (UsageError when unknown)."""
    values: dict[str, Any] = {
        FILTER_KEYS[key]: frozenset(cast(tuple[str, ...], value)) if key in SET_KEYS else value
        for key, value in view.criteria
    }
    if view.mine:
        if not me:
            raise UsageError(f"view {view.name!r} shows my deals: set TUIBOARD_OWNER or git config user.name")
        values["owners"] = frozenset({me})
    return Filter(**values)


def filter_criteria(flt: Filter) -> dict[str, Value]:
    """A filter as a view's criteria (pipeline.toml's keys); what it does not narrow is left out."""
    by_field = {field: key for key, field in FILTER_KEYS.items()}
    out: dict[str, Value] = {}
    for f in fields(Filter):
        value = getattr(flt, f.name)
        if value:
            out[by_field[f.name]] = tuple(sorted(value)) if isinstance(value, frozenset) else value
    return out


def view_named(views: tuple[View, ...], name: str, problems: Iterable[Problem] = ()) -> View:
    """The view called ``name``; a UsageError when there is none: why, if ``problems`` (those
    of pipeline.toml) say why the view is not available, else the valid names."""
    for view in views:
        if view.name == name:
            return view
    said = next((p for p in problems if p.message.startswith(f"view {name!r}:")), None)
    if said is not None:
        raise UsageError(f"{said.location()}: {said.message}")
    known = ", ".join(v.name for v in views) or "none: add [views.NAME] tables to pipeline.toml"
    raise UsageError(f"no view {name!r} (views: {known})")


# -- card order ------------------------------------------------------------------------------

SortKey = Callable[[Customer], tuple[object, ...]]


def sort_key(sort: str, config: Config, today: date) -> SortKey:
    """Cards in one of `views.SORT_IDS` orders (``due``, Pipedrive's, for any other id)."""
    if sort == "amount":
        return lambda c: (-(c.amount or 0.0), c.name)
    if sort == "probability":
        return lambda c: (-rules.effective_probability(c, config), c.name)
    if sort == "name":
        return lambda c: (c.name.casefold(), c.id)
    if sort == "days":
        return lambda c: (-(rules.days_in_stage(c, today) or 0), c.name)
    return lambda c: rules.card_sort_key(c, today)
