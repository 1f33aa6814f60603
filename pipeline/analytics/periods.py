"""The report's periods: months (trend, conversion, sources) and seed 000's half-months (漏网率)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = 12  # trend and monthly conversion look back this many months, the as-of month included
HALF_MONTHS = 12  # the leak-rate trend: this many half-months, the reporting one included


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_ends(as_of: date, months: int = MONTHS) -> list[date]:
    """The last day of each of the last ``months`` months, the as-of month's capped at as_of."""
    out = []
    first = as_of.replace(day=1)
    for _ in range(months):
        nxt = (first + timedelta(days=32)).replace(day=1)
        out.append(min(nxt - timedelta(days=1), as_of))
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


@dataclass(frozen=True, slots=True)
class HalfMonth:
    """A reporting period of seed 000's form: the 1st-15th or the 16th-month end."""

    start: date
    end: date

    @classmethod
    def of(cls, d: date) -> HalfMonth:
        if d.day <= 15:
            return cls(d.replace(day=1), d.replace(day=15))
        nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        return cls(d.replace(day=16), nxt - timedelta(days=1))

    @property
    def key(self) -> str:
        return f"{month_key(self.start)}-{'H1' if self.start.day == 1 else 'H2'}"

    @property
    def label(self) -> str:
        return f"{month_key(self.start)} {'上半月' if self.start.day == 1 else '下半月'}"

    def previous(self) -> HalfMonth:
        return HalfMonth.of(self.start - timedelta(days=1))

    def record(self) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def half_months(last: HalfMonth, n: int = HALF_MONTHS) -> list[HalfMonth]:
    out = [last]
    while len(out) < n:
        out.append(out[-1].previous())
    return out[::-1]
