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
PEOPLE = (
    ("contacts", "联系人 Contacts", contacts.contact_line),
    ("products", "拟购产品 Products", contacts.product_line),
)
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
                    yield Static(Text(self.words.pair(heading)), classes="heading", markup=False)
                yield Static(body, markup=False)

    def on_mount(self) -> None:
        self.query_one("#details").focus()

    def sections(self) -> list[tuple[str, RenderableType]]:
        c = self.customer
        out: list[tuple[str, RenderableType]] = [
            ("", Text(printable(f"{c.path.parent.name}/{c.path.name}"), "dim"))
        ]
        out.append(("概况 Summary", self._summary()))
        plain = {k: v for k, v in c.data.items() if not (k in SECTIONS and isinstance(v, list))}
        out.append(("字段 Fields", _pairs((k, shown(v)) for k, v in flatten(plain))))
        for key, heading, line_of in PEOPLE:  # only when the file has them
            if contacts.entries(c.data, key):
                out.append((heading, self._people(key, line_of)))
        out.append(("阶段历程 Stage history", self._timeline()))
        out.append(("跟进记录 Log (newest first)", self._entries("log", ("date", "kind", "note"))))
        out.append(("异议 Objections", self._entries("objections", ("date", "type", "content", "result"))))
        out.append(("进入标准 Entry criteria", self._criteria()))
        if self.problems:
            out.append(("问题 Problems", self._problems()))
        return out

    def _stage_name(self, stage_id: str) -> str:
        stage = self.config.stage(stage_id)
        return f"{stage.label} {stage.label_en}" if stage else stage_id

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
        rows = [
            ("阶段 stage", self._stage_name(c.stage)),
            ("级别 tier", self._tier_name(tier) + (" (按规则 computed)" if tier and c.tier is None else "")),
            ("金额 amount", money(c.amount, currency)),
            (
                "成功率 probability",
                f"{rules.effective_probability(c, cfg):g}%"
                + (" (阶段默认 stage default)" if c.probability is None else ""),
            ),
            ("加权 weighted", money(rules.weighted_amount(c, cfg), currency)),
            ("本阶段 days in stage", "—" if days is None else f"{days} 天"),
            (
                "停滞 stale",
                self.words.pair("是 yes" if stale else "否 no")
                + (f" (阈值 after {stage.stale_after_days} 天)" if stage and stage.stale_after_days else ""),
            ),
            ("下一步 next", f"{c.next_action or '—'}  {c.next_due or ''}  {DUE_WORDS[status]}".strip()),
        ]
        styles = {"停滞 stale": "bold red" if stale else "", "下一步 next": DUE_STYLES[status]}
        pair = self.words.pair
        return _pairs(
            [(pair(label), value) for label, value in rows],
            styles={pair(label): style for label, style in styles.items()},
        )

    def _timeline(self) -> Text:
        c = self.customer
        spans = stage_spans(c, self.today)
        if not spans:
            return Text(f"没有历史记录 · no history (created {c.created or '—'})", "dim")
        longest = max(s.days for s in spans) or 1
        text = Text()
        for i, span in enumerate(spans):
            last = i == len(spans) - 1
            current = last and span.stage == c.stage
            text.append("◉ " if current else "● ", "bold green" if current else "dim")
            text.append(f"{span.start}  {fit(self._stage_name(span.stage), 22)} ")
            text.append("█" * max(1, round(BAR_WIDTH * span.days / longest)), "green" if current else "blue")
            text.append(f" {span.days} 天" + (" 至今 so far" if last else ""))
            extras = self._history_extras(span.start, span.stage)
            if extras:
                text.append("  " + extras, "dim")
            if not last:
                text.append("\n")
        if spans[-1].stage != c.stage:
            text.append(f"\n当前阶段没有历史记录 · no history entry for {printable(c.stage)}", "yellow")
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
            text.append(f"\n合计 total {money(total, self.config.currency)}", "bold")
        return text

    def _criteria(self) -> Text:
        here = self.config.stage(self.customer.stage)
        ahead = rules.neighbour_stage(self.config, self.customer.stage, 1)
        text = Text()
        for label, stage in (("当前 current", here), ("下一阶段 next", self.config.stage(ahead or ""))):
            if stage is None:
                continue
            if text:
                text.append("\n")
            text.append(f"{label}: {stage.label} {stage.label_en}\n", "bold")
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


DUE_WORDS = {
    rules.DueStatus.OVERDUE: "逾期 overdue",
    rules.DueStatus.TODAY: "今天 today",
    rules.DueStatus.NONE: "没有下一步 none",
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
