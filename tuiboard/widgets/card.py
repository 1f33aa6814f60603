"""One card as lines of text: a pure function of (customer, config, today, width, language).

Every line is exactly ``width`` cells wide (CJK characters count two), so columns line up.
All text from the file goes through `textout.fit`/`safe` (printable) into rich `Text`
objects: nothing from a file is ever markup-interpreted.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from rich.cells import cell_len
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Text

from pipeline import rules
from pipeline.config import Config
from pipeline.model import Customer

from ..labels import Labels
from ..textout import fit, money, prefix_within, safe

CARD_HEIGHT = 4  # three lines of content and a rule
COMPACT_BELOW = 22  # cells: a narrower card drops the badge's padding, the probability and "停滞"
OVERDUE = "bold red"
TODAY = "bold yellow"
WARNING = "yellow"
MUTED = "dim"


def card_lines(
    customer: Customer, config: Config, today: date, width: int, words: Labels, conflicted: bool = False
) -> list[Text]:
    """The card's ``CARD_HEIGHT`` lines, each exactly ``width`` cells (compact below COMPACT_BELOW).
    ``conflicted``: a merge left the file conflicted; that says so instead of the next action."""
    width = max(width, 8)
    compact = width < COMPACT_BELOW
    if conflicted:
        third = _fitted(Text(words("card.conflict"), style="bold red"), width)
    else:
        third = _next_line(customer, config, today, width, words, compact)
    return [
        _title_line(customer, config, width, words, compact),
        _figures_line(customer, config, today, width, words, compact),
        third,
        Text("─" * width, style=MUTED),
    ]


def _spread(left: Text, right: Text, width: int) -> Text:
    """``left`` truncated to leave room for ``right`` at the end of the line."""
    room = width - right.cell_len - (1 if right.cell_len else 0)
    if room < 1:
        right, room = Text(""), width
    out = _fitted(left, room)
    if right.cell_len:
        out.append(" ")
        out.append_text(right)
    return out


def _fitted(text: Text, width: int) -> Text:
    """``text`` cut or padded to ``width`` cells, keeping its styles."""
    if text.cell_len <= width:
        return text + Text(" " * (width - text.cell_len))
    kept, used = prefix_within(text.plain, width - 1)
    return text[:kept] + Text("…" + " " * (width - 1 - used))


def _title_line(c: Customer, config: Config, width: int, words: Labels, compact: bool) -> Text:
    left = Text()
    if any(p.is_error for p in c.problems):
        left.append("✖ ", style="bold red")
    elif c.problems:
        left.append("⚠ ", style=WARNING)
    left.append(safe(c.name), style="bold")
    return _spread(left, _badge(c, config, words, compact), width)


def _badge(c: Customer, config: Config, words: Labels, compact: bool) -> Text:
    tier_id = rules.effective_tier(c, config)
    if tier_id is None:
        return Text("")
    tier = config.tier(tier_id)
    pad = "" if compact else " "
    if tier is None:
        return Text(f"{pad}{safe(tier_id)[:6]}{pad}", style="reverse")
    label = safe(tier.label_en if words.english else tier.label)
    if cell_len(label) > 6:
        label = fit(label, 6).rstrip()  # a long label from the config: the badge stays small
    return Text(f"{pad}{label}{pad}", style=tier_style(tier.color))


@lru_cache(maxsize=64)
def tier_style(color: str) -> Style:
    """The badge style for a config colour; an unknown colour falls back to plain reverse."""
    try:
        return Style(color="black", bgcolor=color, bold=True)
    except (StyleSyntaxError, Exception):  # rich raises ColorParseError for unknown names
        return Style(reverse=True, bold=True)


def _figures_line(c: Customer, config: Config, today: date, width: int, words: Labels, compact: bool) -> Text:
    """The amount, then the due date or days in stage, then the probability: each shown whole
    or not at all, in that order (a cut figure reads as another: "29.6…" for 29.6万)."""
    amount = Text(money(c.amount, config.currency), style="bold")
    right = _figures_right(c, config, today, words, compact)
    if amount.cell_len + 1 + right.cell_len > width:
        right = Text()
    left = amount
    if not compact:
        probability = rules.effective_probability(c, config)
        share = Text(f" · {probability:.0f}%", style=MUTED if c.probability is None else "")
        if amount.cell_len + share.cell_len + (right.cell_len + 1 if right.cell_len else 0) <= width:
            left = amount + share
    return _spread(left, right, width)


def _figures_right(c: Customer, config: Config, today: date, words: Labels, compact: bool) -> Text:
    days = rules.days_in_stage(c, today)
    right = Text()
    if compact and c.next_action and c.next_due and rules.stage_kind(c, config) != "lost":
        right = _due(c, config, today, words)  # the next line has no room left for it
    elif days is not None:
        if rules.is_stale(c, config, today):
            if not compact:  # the colour alone says stale on a compact card
                right.append(words("card.stale"), style="bold dark_orange")
            right.append(words("card.days", days=days), style="dark_orange")
        else:
            right.append(words("card.days", days=days), style=MUTED)
    return right


def _next_line(c: Customer, config: Config, today: date, width: int, words: Labels, compact: bool) -> Text:
    kind = rules.stage_kind(c, config)
    if kind == "lost":
        reason = safe(c.lost_reason) if c.lost_reason else words("card.no_reason")
        return _fitted(Text(f"✗ {reason}", style=MUTED), width)
    if not c.next_action:
        if kind != "open":
            return Text(" " * width)
        return _fitted(Text(words("card.no_next"), style=WARNING), width)
    style = _STATUS_STYLES.get(_status(c, config, today), "")
    right = Text() if compact else _due(c, config, today, words)
    return _spread(Text(f"▸ {safe(c.next_action)}", style=style), right, width)


_STATUS_STYLES = {rules.DueStatus.OVERDUE: OVERDUE, rules.DueStatus.TODAY: TODAY}


def _status(c: Customer, config: Config, today: date) -> rules.DueStatus:
    """Only an open customer is ever 逾期 (rules.is_overdue); a won one's action is after-sales."""
    return rules.due_status(c, today) if rules.stage_kind(c, config) == "open" else rules.DueStatus.UPCOMING


def _due(c: Customer, config: Config, today: date, words: Labels) -> Text:
    status = _status(c, config, today)
    text = _due_text(c, today, words, status is rules.DueStatus.OVERDUE)
    return Text(text, style=_STATUS_STYLES.get(status) or MUTED)


def _due_text(c: Customer, today: date, words: Labels, overdue: bool) -> str:
    due = c.next_due
    if due is None:
        return ""
    if due == today:
        return words("card.today")
    if due < today and overdue:
        late = (today - due).days
        return words("card.late", days=late)
    return due.strftime("%m-%d") if due.year == today.year else due.isoformat()
