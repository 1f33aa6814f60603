"""Everything about one customer: every field (unknown keys too), computed values, the stage
timeline, the log, objections, entry criteria and the file's problems. Read-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from pipeline import contacts, rules
from pipeline.config import Config
from pipeline.model import Customer
from pipeline.problems import Problem, printable
from pipeline.timeline import stage_spans

from ..textout import fit, money
from .dialog import Dialog, titled
from .log_entry import KIND_LABELS

SECTIONS = (
    "history",
    "log",
    "objections",
    "contacts",
    "products",
)  # arrays of tables with a section of their own
PEOPLE = (("contacts", contacts.contact_line), ("products", contacts.product_line))  # details.KEY
BAR_WIDTH = 24
KIND_WORDS = {**KIND_LABELS, "price": "价格", "function": "功能", "trust": "信任", "decision": "决策"}


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every leaf of ``data`` with its dotted path: ``company.industry``, ``payments[0].amount``."""
    if isinstance(data, dict):
        if not data and prefix:
            return [(prefix, "{}")]
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            out += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        return [leaf for i, v in enumerate(data) for leaf in flatten(v, f"{prefix}[{i}]")]
    return [(prefix, data)]


def shown(value: Any) -> str:
    """A TOML value as one printable line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) if value else "[]"
    return printable(str(value))


class DetailsScreen(Dialog[None]):
    DEFAULT_CSS = """
    DetailsScreen > #dialog { width: 100; height: 90%; }
    DetailsScreen #details { height: 1fr; }
    DetailsScreen .heading { margin-top: 1; text-style: bold; color: $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "cancel", "key.close", show=False),
        Binding("q", "cancel", "key.close", show=False),
    ]
    KEYS = (("↑↓ pgup pgdn", "key.scroll"), ("esc/enter/q", "key.close"))

    def __init__(self, customer: Customer, config: Config, problems: list[Problem], today: date) -> None:
        super().__init__()
        self.customer, self.config, self.problems, self.today = customer, config, problems, today

    def heading(self) -> Text:
        return titled(self.words("details.title"), name=self.customer.name)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="details"):
            for heading, body in self.sections():
                if heading:
                    yield Static(Text(self.words(heading)), classes="heading", markup=False)
                yield Static(body, markup=False)

    def on_mount(self) -> None:
        self.query_one("#details").focus()

    def sections(self) -> list[tuple[str, RenderableType]]:
        """(a heading's catalog key, or "" for none; the section)."""
        c = self.customer
        out: list[tuple[str, RenderableType]] = [
            ("", Text(printable(f"{c.path.parent.name}/{c.path.name}"), "dim"))
        ]
        out.append(("details.summary", self._summary()))
        plain = {k: v for k, v in c.data.items() if not (k in SECTIONS and isinstance(v, list))}
        out.append(("details.fields", _pairs((k, shown(v)) for k, v in flatten(plain))))
        for key, line_of in PEOPLE:  # only when the file has them
            if contacts.entries(c.data, key):
                out.append((f"details.{key}", self._people(key, line_of)))
        out.append(("details.history", self._timeline()))
        out.append(("details.log", self._entries("log", ("date", "kind", "note"))))
        out.append(("details.objections", self._entries("objections", ("date", "type", "content", "result"))))
        out.append(("details.criteria", self._criteria()))
        if self.problems:
            out.append(("details.problems", self._problems()))
        return out

    def _stage_name(self, stage_id: str) -> str:
        stage = self.config.stage(stage_id)
        return stage.title(self.words.english) if stage else stage_id

    def _tier_name(self, tier_id: str | None) -> str:
        tier = self.config.tier(tier_id or "")
        return f"{tier.label} {tier.id}" if tier and tier.label != tier.id else tier_id or "—"

    def _summary(self) -> Table:
        c, cfg, today = self.customer, self.config, self.today
        currency = cfg.currency
        tier = rules.effective_tier(c, cfg)
        stage = cfg.stage(c.stage)
        days = rules.days_in_stage(c, today)
        stale = rules.is_stale(c, cfg, today)
        status = rules.due_status(c, today)
        words = self.words
        computed = words("details.computed") if tier and c.tier is None else ""
        default = words("details.stage_default") if c.probability is None else ""
        after = (
            words("details.stale_after", days=stage.stale_after_days)
            if stage and stage.stale_after_days
            else ""
        )
        due = words(DUE_WORDS[status]) if DUE_WORDS[status] else ""
        rows = [
            (words("details.stage"), self._stage_name(c.stage)),
            (words("details.tier"), self._tier_name(tier) + computed),
            (words("details.amount"), money(c.amount, currency)),
            (words("details.probability"), f"{rules.effective_probability(c, cfg):g}%{default}"),
            (words("details.weighted"), money(rules.weighted_amount(c, cfg), currency)),
            (words("details.days_in_stage"), "—" if days is None else words("details.days", days=days)),
            (words("details.stale"), words("details.yes" if stale else "details.no") + after),
            (words("details.next"), f"{c.next_action or '—'}  {c.next_due or ''}  {due}".strip()),
        ]
        styles = {
            words("details.stale"): "bold red" if stale else "",
            words("details.next"): DUE_STYLES[status],
        }
        return _pairs(rows, styles=styles)

    def _timeline(self) -> Text:
        c = self.customer
        spans = stage_spans(c, self.today)
        if not spans:
            return Text(self.words("details.no_history", created=c.created or "—"), "dim")
        longest = max(s.days for s in spans) or 1
        text = Text()
        for i, span in enumerate(spans):
            last = i == len(spans) - 1
            current = last and span.stage == c.stage
            text.append("◉ " if current else "● ", "bold green" if current else "dim")
            text.append(f"{span.start}  {fit(self._stage_name(span.stage), 22)} ")
            text.append("█" * max(1, round(BAR_WIDTH * span.days / longest)), "green" if current else "blue")
            text.append(
                " "
                + self.words("details.days", days=span.days)
                + (self.words("details.so_far") if last else "")
            )
            extras = self._history_extras(span.start, span.stage)
            if extras:
                text.append("  " + extras, "dim")
            if not last:
                text.append("\n")
        if spans[-1].stage != c.stage:
            text.append("\n" + self.words("details.no_current_history", stage=printable(c.stage)), "yellow")
        return text

    def _history_extras(self, when: date, stage: str) -> str:
        """Keys a history entry has besides date and stage (a lost move's reason, say)."""
        raw = self.customer.data.get("history")
        entries = raw if isinstance(raw, list) else []
        return " ".join(
            _extras(e, ("date", "stage"))
            for e in entries
            if isinstance(e, dict) and e.get("date") == when and e.get("stage") == stage
        ).strip()

    def _entries(self, key: str, known: tuple[str, ...]) -> RenderableType:
        raw = self.customer.data.get(key)
        entries = [e for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []
        if not entries:
            return Text("—", "dim")
        if key == "log":
            dated = sorted((e for e in entries if isinstance(e.get("date"), date)), key=lambda e: e["date"])
            entries = [*reversed(dated), *(e for e in entries if not isinstance(e.get("date"), date))]
        text = Text()
        for i, entry in enumerate(entries):
            if i:
                text.append("\n")
            text.append(f"{shown(entry.get('date', '—'))}  ", "dim")
            kind = shown(entry.get(known[1], ""))
            text.append(f"{KIND_WORDS.get(kind, '')} {kind}".strip() + "  ", "bold")
            text.append("  ".join(shown(entry[k]) for k in known[2:] if k in entry))
            extras = _extras(entry, known)
            if extras:
                text.append("  " + extras, "dim")
        return text

    def _people(self, key: str, line_of: Callable[[dict[str, Any]], str]) -> Text:
        """One line per contact or product; the products' total last."""
        entries = contacts.entries(self.customer.data, key)
        text = Text("\n".join(f"{i}. {printable(line_of(e))}" for i, e in enumerate(entries, 1)))
        total = contacts.products_total(self.customer.data) if key == "products" else None
        if total is not None:
            text.append("\n" + self.words("details.total", amount=money(total, self.config.currency)), "bold")
        return text

    def _criteria(self) -> Text:
        here = self.config.stage(self.customer.stage)
        ahead = rules.neighbour_stage(self.config, self.customer.stage, 1)
        text = Text()
        for label, stage in (
            ("details.current", here),
            ("details.next_stage", self.config.stage(ahead or "")),
        ):
            if stage is None:
                continue
            if text:
                text.append("\n")
            text.append(f"{self.words(label)}: {stage.title(self.words.english)}\n", "bold")
            text.append("\n".join(f"  ☐ {printable(item)}" for item in stage.criteria) or "  —")
        return text or Text("—", "dim")

    def _problems(self) -> Text:
        root = self.customer.path.parent.parent
        text = Text()
        for i, p in enumerate(sorted(self.problems, key=lambda p: (p.line, p.column))):
            if i:
                text.append("\n")
            text.append(printable(p.location(root)) + ": ")
            text.append(str(p.severity), "bold red" if p.is_error else "bold yellow")
            text.append(": " + printable(p.message))
            if p.excerpt:
                text.append("\n" + "\n".join("    " + line for line in p.excerpt.splitlines()), "dim")
        return text


DUE_WORDS = {  # catalog keys
    rules.DueStatus.OVERDUE: "details.due.overdue",
    rules.DueStatus.TODAY: "details.due.today",
    rules.DueStatus.NONE: "details.due.none",
    rules.DueStatus.UPCOMING: "",
}
DUE_STYLES = {
    rules.DueStatus.OVERDUE: "bold red",
    rules.DueStatus.TODAY: "bold yellow",
    rules.DueStatus.NONE: "yellow",
    rules.DueStatus.UPCOMING: "",
}


def _extras(entry: dict[str, Any], known: tuple[str, ...]) -> str:
    return " ".join(f"{printable(str(k))}={shown(v)}" for k, v in entry.items() if k not in known)


def _pairs(rows: Any, styles: dict[str, str] | None = None) -> Table:
    """A two-column grid: key (dim) and value (printable text; rich measures CJK widths)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(Text(printable(key)), Text(printable(value), (styles or {}).get(key, "")))
    return grid
