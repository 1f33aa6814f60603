"""`pipeline.toml`: the board's stages, tiers, sources and cadence, and the shipped presets."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from .layout import CONFIG_FILE
from .locate import key_position
from .problems import Problem, Severity, decode_error_position, excerpt_at, strip_position
from .views import View, parse_views

DEFAULT_PRESET = "seven-stage"
STAGE_KINDS = ("open", "won", "lost")


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    label: str
    label_en: str
    kind: str = "open"
    probability: float = 0.0
    stale_after_days: int | None = None
    criteria: tuple[str, ...] = ()

    def title(self, english: bool = False) -> str:
        return self.label_en if english else self.label


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    label: str
    label_en: str
    color: str = "white"
    follow_up_days: int = 14
    target_share: float | None = None
    min_amount: float | None = None
    min_monthly_payment: float | None = None  # seed 000: 回款 per month that earns the tier
    description: str = ""


@dataclass(frozen=True, slots=True)
class AfterSalesStep:
    """One step of seed 002's after-sales cadence, counted from the day a deal is won.

    Due ``due_days`` after winning; done by a log entry (of ``kinds``) dated ``opens_days``
    or more after winning.
    """

    id: str
    label: str
    label_en: str
    due_days: int
    opens_days: int = 0
    kinds: tuple[str, ...] = ("call", "visit", "email", "meeting")


# Seed 002 阶段6 售后跟进: 交付后3天内进行电话回访;交付后1个月发送《客户满意度问卷》.
DEFAULT_AFTER_SALES = (
    AfterSalesStep("call", "成交后电话回访", "after-sales call", due_days=3, kinds=("call", "visit")),
    AfterSalesStep("satisfaction", "满意度调研", "satisfaction check", due_days=30, opens_days=21),
)


@dataclass(frozen=True, slots=True)
class Config:
    name: str = "销售漏斗"
    currency: str = "CNY"
    preset: str = ""
    stages: tuple[Stage, ...] = ()
    tiers: tuple[Tier, ...] = ()
    sources: tuple[str, ...] = ()
    source_labels: dict[str, str] = field(default_factory=dict)
    lost_reasons: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    cadence: dict[str, int] = field(default_factory=lambda: {"high": 1, "medium": 7, "low": 90})
    max_open_per_owner: int = 150
    won_per_month: tuple[int, int] = (4, 6)
    cycle_days: tuple[int, int] = (60, 90)  # seed 000: 跟进周期在2-3个月左右
    after_sales: tuple[AfterSalesStep, ...] = DEFAULT_AFTER_SALES
    downgrade_after_days: int = 30  # seed 000: 签约超过1个月未付全款 ... 降级处理
    views: tuple[View, ...] = ()  # [views.NAME]: saved filters (pipeline/views.py)

    # Lookups, built once: the report asks them for every customer (the config is immutable).
    _stage_at: dict[str, tuple[int, Stage]] = field(init=False, repr=False, compare=False)
    _open: tuple[Stage, ...] = field(init=False, repr=False, compare=False)
    _open_at: dict[str, tuple[int, int]] = field(init=False, repr=False, compare=False)
    _path_at: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        at: dict[str, tuple[int, Stage]] = {}
        for i, s in enumerate(self.stages):
            at.setdefault(s.id, (i, s))  # the first of a repeated id, as a scan would find
        object.__setattr__(self, "_stage_at", at)
        object.__setattr__(self, "_open", tuple(s for s in self.stages if s.kind == "open"))
        opened = [(sid, i) for sid, (i, s) in at.items() if s.kind == "open"]
        object.__setattr__(self, "_open_at", {sid: (i, rank) for rank, (sid, i) in enumerate(opened)})
        path = {s.id: i for i, s in enumerate(self._open)}
        if any(s.kind == "won" for s in self.stages):
            path |= {s.id: len(self._open) for s in self.stages if s.kind == "won"}
        object.__setattr__(self, "_path_at", path)

    def stage(self, stage_id: str) -> Stage | None:
        found = self._stage_at.get(stage_id)
        return found[1] if found else None

    def tier(self, tier_id: str) -> Tier | None:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        return None

    def stage_index(self, stage_id: str) -> int:
        found = self._stage_at.get(stage_id)
        return found[0] if found else -1

    def choice_id(self, kind: str, text: str) -> str:
        """The id of the stage, tier or source (``kind``) that ``text`` is the id or a label
        of (``意向客户``, ``Intent``: ``intent``), as a person names it; else ``text``."""
        named: tuple[tuple[str, tuple[str, ...]], ...]
        if kind == "stage":
            named = tuple((s.id, (s.label, s.label_en)) for s in self.stages)
        elif kind == "tier":
            named = tuple((t.id, (t.label, t.label_en)) for t in self.tiers)
        elif kind == "source":
            named = tuple((sid, (self.source_labels.get(sid, sid),)) for sid in self.sources)
        else:
            return text
        if any(sid == text for sid, _ in named):
            return text
        return next((sid for sid, labels in named if text in labels), text)

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return self._open

    def open_stage_at(self, stage_id: str) -> tuple[int, int] | None:
        """An open stage's index among all stages and among the open ones; None for any
        other id (the agenda asks it for thousands of customers and their histories)."""
        return self._open_at.get(stage_id)

    @property
    def won_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.kind == "won"), None)

    @property
    def path(self) -> tuple[str, ...]:
        """The funnel's path: the open stages in order, then the (first) won stage."""
        won = self.won_stage
        return tuple(s.id for s in self._open) + ((won.id,) if won else ())

    def path_index(self, stage_id: str) -> int:
        """The stage's step on `path`; every won stage is the won step (A01 after A02 is won
        too); -1 off the path (lost, unknown)."""
        return self._path_at.get(stage_id, -1)

    @property
    def lost_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.kind == "lost"), None)

    def source_label(self, source: str) -> str:
        return self.source_labels.get(source, source)


def _presets() -> Any:
    from importlib import resources  # 6 ms, for `init` and `demo`: not on every command's path

    return resources.files("pipeline").joinpath("presets")


def preset_names() -> list[str]:
    files = _presets()
    return sorted(p.name[:-5] for p in files.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The shipped `pipeline.toml` text of a preset (raises KeyError if unknown)."""
    if name not in preset_names():
        raise KeyError(name)
    return _presets().joinpath(f"{name}.toml").read_text("utf-8")


def load_preset(name: str) -> Config:
    config, problems = parse_config(preset_text(name), Path(f"<preset {name}>"))
    errors = [p for p in problems if p.is_error]
    if errors:  # a shipped preset is ours to keep valid; the tests load every one
        raise ValueError(errors[0].format())
    return config


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `root/pipeline.toml`; a broken one yields the default preset plus its problems."""
    path = root / CONFIG_FILE
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return load_preset(DEFAULT_PRESET), [
            Problem(path, 0, 0, Severity.ERROR, "pipeline.toml not found; using the default stages")
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return load_preset(DEFAULT_PRESET), [Problem(path, 1, 1, Severity.ERROR, str(exc))]
    config, problems = parse_config(text, path)
    if any(p.is_error for p in problems) and not config.stages:
        config = load_preset(DEFAULT_PRESET)
    return config, problems


def parse_config(text: str, path: Path) -> tuple[Config, list[Problem]]:
    problems: list[Problem] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = decode_error_position(str(exc), text)
        msg = strip_position(str(exc))
        problems.append(Problem(path, line, col, Severity.ERROR, msg, excerpt_at(text, line, col)))
        return Config(), problems

    def bad(keys: tuple[Any, ...], message: str, severity: Severity = Severity.ERROR) -> None:
        line, col = key_position(text, keys)
        problems.append(Problem(path, line, col, severity, message, excerpt_at(text, line, col)))

    stages = _parse_stages(data.get("stages"), bad)
    tiers = _parse_tiers(data.get("tiers"), bad)
    kwargs: dict[str, Any] = {}
    for key in ("name", "currency", "preset"):
        if key in data:
            if isinstance(data[key], str):
                kwargs[key] = data[key]
            else:
                bad((key,), f"{key} must be a string")
    for key in ("sources", "lost_reasons", "owners"):
        if key in data:
            value = data[key]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                kwargs[key] = tuple(value)
            else:
                bad((key,), f"{key} must be a list of strings")
    labels = data.get("source_labels", {})
    if isinstance(labels, dict):
        kwargs["source_labels"] = {str(k): str(v) for k, v in labels.items()}
    cadence = data.get("cadence", {})
    if isinstance(cadence, dict):
        merged = dict(Config().cadence)
        for k, v in cadence.items():
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                merged[k] = v
            else:
                bad(("cadence", k), "cadence days must be a whole number ≥ 0")
        kwargs["cadence"] = merged
    capacity = data.get("capacity", {})
    if isinstance(capacity, dict):
        if isinstance(capacity.get("max_open_per_owner"), int):
            kwargs["max_open_per_owner"] = capacity["max_open_per_owner"]
        lo, hi = capacity.get("won_per_month_min", 4), capacity.get("won_per_month_max", 6)
        if isinstance(lo, int) and isinstance(hi, int):
            kwargs["won_per_month"] = (lo, hi)
        lo, hi = capacity.get("cycle_days_min", 60), capacity.get("cycle_days_max", 90)
        if isinstance(lo, int) and isinstance(hi, int):
            kwargs["cycle_days"] = (lo, hi)
        days = capacity.get("downgrade_after_days", 30)
        if isinstance(days, int) and not isinstance(days, bool) and days >= 0:
            kwargs["downgrade_after_days"] = days
        else:
            bad(("capacity", "downgrade_after_days"), "downgrade_after_days must be a whole number ≥ 0")
    if "after_sales" in data:
        kwargs["after_sales"] = _parse_after_sales(data["after_sales"], bad)
    stage_ids, tier_ids = tuple(s.id for s in stages), tuple(t.id for t in tiers)
    kwargs["views"] = parse_views(data.get("views"), bad, stage_ids, tier_ids)
    return Config(stages=stages, tiers=tiers, **kwargs), problems


def _parse_after_sales(raw: Any, bad: Any) -> tuple[AfterSalesStep, ...]:
    """``[[after_sales]]`` entries: id, label, label_en, due_days, opens_days, kinds."""
    if not isinstance(raw, list):
        bad(("after_sales",), "after_sales must be an array of tables ([[after_sales]])")
        return DEFAULT_AFTER_SALES
    steps: list[AfterSalesStep] = []
    for i, item in enumerate(raw):
        due, opens = (
            (item.get("due_days"), item.get("opens_days", 0)) if isinstance(item, dict) else (None, 0)
        )
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            bad(("after_sales", i), "every [[after_sales]] entry needs a string id")
            continue
        if not (_is_count(due) and _is_count(opens)):
            bad(("after_sales", i), "after_sales due_days and opens_days must be whole numbers ≥ 0")
            continue
        kinds = item.get("kinds", ["call", "visit", "email", "meeting"])
        steps.append(
            AfterSalesStep(
                id=item["id"],
                label=str(item.get("label", item["id"])),
                label_en=str(item.get("label_en", item.get("label", item["id"]))),
                due_days=due,
                opens_days=opens,
                kinds=tuple(str(k) for k in kinds) if isinstance(kinds, list) else (),
            )
        )
    return tuple(steps)


def _parse_stages(raw: Any, bad: Any) -> tuple[Stage, ...]:
    if not isinstance(raw, list) or not raw:
        bad(("stages",), "pipeline.toml needs at least one [[stages]] entry")
        return ()
    stages: list[Stage] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            bad(("stages", i), "every [[stages]] entry needs a string id")
            continue
        sid = item["id"]
        if sid in seen:
            bad(("stages", i, "id"), f"duplicate stage id {sid!r}")
            continue
        seen.add(sid)
        kind = item.get("kind", "open")
        if kind not in STAGE_KINDS:
            bad(("stages", i, "kind"), f"stage kind must be open, won or lost, not {kind!r}")
            kind = "open"
        prob = item.get("probability", 100 if kind == "won" else 0)
        if not _is_number(prob) or not 0 <= prob <= 100:
            bad(("stages", i, "probability"), "stage probability must be a number 0-100")
            prob = 0
        stale = item.get("stale_after_days")
        if stale is not None and (not isinstance(stale, int) or isinstance(stale, bool)):
            bad(("stages", i, "stale_after_days"), "stale_after_days must be a whole number")
            stale = None
        criteria = item.get("criteria", [])
        if not isinstance(criteria, list):
            criteria = []
        stages.append(
            Stage(
                id=sid,
                label=str(item.get("label", sid)),
                label_en=str(item.get("label_en", item.get("label", sid))),
                kind=kind,
                probability=float(prob),
                stale_after_days=stale,
                criteria=tuple(str(c) for c in criteria),
            )
        )
    return tuple(stages)


def _parse_tiers(raw: Any, bad: Any) -> tuple[Tier, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        bad(("tiers",), "tiers must be an array of tables ([[tiers]])")
        return ()
    tiers: list[Tier] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            bad(("tiers", i), "every [[tiers]] entry needs a string id")
            continue
        min_amount = item.get("min_amount")
        min_paid = item.get("min_monthly_payment")
        share = item.get("target_share")
        days = item.get("follow_up_days", 14)
        tiers.append(
            Tier(
                id=item["id"],
                label=str(item.get("label", item["id"])),
                label_en=str(item.get("label_en", item["id"])),
                color=str(item.get("color", "white")),
                follow_up_days=days if isinstance(days, int) else 14,
                target_share=float(share) if _is_number(share) else None,
                min_amount=float(min_amount) if _is_number(min_amount) else None,
                min_monthly_payment=float(min_paid) if _is_number(min_paid) else None,
                description=str(item.get("description", "")),
            )
        )
    return tuple(tiers)


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: Any) -> TypeGuard[int]:
    """A whole number ≥ 0 (not a bool, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
