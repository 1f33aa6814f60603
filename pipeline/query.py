"""Board filters as data: which customers a view (board, charts, list) shows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from . import rules, search
from .config import Config
from .model import Customer


@dataclass(frozen=True, slots=True)
class Filter:
    """Every set field narrows the view; empty sets mean "any". Fields combine with AND."""

    tiers: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    overdue: bool = False
    stale: bool = False
    no_next: bool = False
    text: str = ""  # incremental search: name, id, contact, phone, tags, pinyin (pipeline.search)

    @property
    def active(self) -> bool:
        return self != Filter()

    def with_text(self, text: str) -> Filter:
        return replace(self, text=text)

    def matches(self, c: Customer, config: Config, today: date) -> bool:
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
        return not self.text or search.score(c, self.text) > 0

    def describe(self) -> str:
        """A short header line such as ``tier A,B · owner wang.li · overdue · "苏州"``."""
        parts = []
        for label, values in (
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
        if self.text:
            parts.append(f'"{self.text}"')
        return " · ".join(parts)


def select(
    customers: list[Customer] | dict[str, Customer], flt: Filter, config: Config, today: date
) -> list[Customer]:
    values = customers.values() if isinstance(customers, dict) else customers
    return [c for c in values if flt.matches(c, config, today)]
