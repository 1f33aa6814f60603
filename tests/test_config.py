"""pipeline.toml: the seven shipped presets and the problems a hand-edited config reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import DEFAULT_PRESET, load_config, load_preset, parse_config, preset_names, preset_text

PRESETS = [
    "aida",
    "erp-process",
    "four-level",
    "grade-f-a",
    "leads",
    "prospect",
    "seven-stage",
    "six-step",
    "ten-level",
]


def test_seven_presets_ship() -> None:
    assert preset_names() == PRESETS
    assert DEFAULT_PRESET == "seven-stage"


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_without_problems(name: str) -> None:
    config, problems = parse_config(preset_text(name), Path(f"{name}.toml"))
    assert problems == []
    assert config.preset == name
    kinds = [s.kind for s in config.stages]
    assert kinds.count("won") == (2 if name == "ten-level" else 1) and kinds.count("lost") == 1
    assert kinds[0] == "open"
    ids = config.stage_ids
    assert len(set(ids)) == len(ids)
    for stage in config.stages:
        assert stage.label and stage.label_en
        assert 0 <= stage.probability <= 100
        if stage.kind == "open":
            assert stage.stale_after_days and stage.stale_after_days > 0
    assert config.tiers and config.sources and config.lost_reasons


def test_seven_stage_matches_the_seed() -> None:
    config = load_preset("seven-stage")
    assert config.stage_ids == (
        "target",
        "potential",
        "intent",
        "project",
        "approved",
        "negotiation",
        "won",
        "lost",
    )
    assert [config.stage(s).probability for s in config.stage_ids] == [5, 10, 25, 40, 60, 80, 100, 0]
    assert [s.stale_after_days for s in config.open_stages] == [30, 21, 21, 30, 30, 14]
    assert config.stage("target").label == "目标客户"
    assert config.cadence == {"high": 1, "medium": 7, "low": 90}


def test_ten_level_loses_at_a31() -> None:
    config = load_preset("ten-level")
    assert config.lost_stage is not None and config.lost_stage.id == "A31"
    # seed 001: A02 成交级 (signed, bought or paid) closes the deal; A01 结案级 settles it later
    assert config.won_stage is not None and config.won_stage.id == "A02"
    assert [s.id for s in config.stages if s.kind == "won"] == ["A02", "A01"]
    assert config.stage_ids[:3] == ("A21", "A08", "A07")


def test_unknown_preset_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        preset_text("nope")


def test_missing_config_falls_back_to_the_default(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert config.stage_ids == load_preset("seven-stage").stage_ids
    assert len(problems) == 1 and problems[0].is_error and "not found" in problems[0].message


def test_broken_config_reports_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text('name = "x"\n[[stages]\nid = "a"\n', encoding="utf-8")
    config, problems = load_config(tmp_path)
    assert config.stages  # the default preset keeps the board usable
    assert [(p.line, p.is_error) for p in problems] == [(2, True)]
    assert problems[0].column > 0 and problems[0].excerpt.startswith("[[stages]")


def test_schema_problems_in_config_name_their_key() -> None:
    text = (
        'name = 3\nsources = "web"\n\n'
        '[[stages]]\nid = "a"\nkind = "maybe"\nprobability = 140\nstale_after_days = "x"\n\n'
        '[[stages]]\nid = "a"\n\n'
        "[cadence]\nhigh = -1\n"
    )
    config, problems = parse_config(text, Path("pipeline.toml"))
    found = {(p.line, p.message.split(" ")[0]) for p in problems}
    assert (1, "name") in found
    assert (2, "sources") in found
    assert (6, "stage") in found and (7, "stage") in found  # kind, probability
    assert (8, "stale_after_days") in found
    assert (11, "duplicate") in found
    assert (14, "cadence") in found
    assert config.stage_ids == ("a",)
    assert config.stages[0].kind == "open" and config.stages[0].probability == 0


def test_config_without_stages_is_an_error() -> None:
    _, problems = parse_config('name = "x"\n', Path("pipeline.toml"))
    assert any("at least one [[stages]]" in p.message for p in problems)


def test_after_sales_cadence_and_payment_thresholds_are_in_every_preset() -> None:
    for name in PRESETS:
        config = load_preset(name)
        assert [(s.id, s.due_days, s.opens_days) for s in config.after_sales] == [
            ("call", 3, 0),
            ("satisfaction", 30, 21),
        ]
        paid = {t.id: t.min_monthly_payment for t in config.tiers}
        assert paid == {"VIP": 200_000, "A": 100_000, "B": 30_000, "C": 0, "D": None}
        assert (config.cycle_days, config.downgrade_after_days) == ((60, 90), 30)


def test_after_sales_is_editable_and_checked() -> None:
    text = preset_text("seven-stage").replace("due_days = 3\n", "due_days = 2\n")
    config, problems = parse_config(text, Path("pipeline.toml"))
    assert problems == [] and config.after_sales[0].due_days == 2
    bad = text.replace("due_days = 2\n", 'due_days = "soon"\n')
    config, problems = parse_config(bad, Path("pipeline.toml"))
    assert [p.message for p in problems] == ["after_sales due_days and opens_days must be whole numbers ≥ 0"]
    assert [s.id for s in config.after_sales] == ["satisfaction"]


@pytest.mark.parametrize("name", PRESETS)
def test_tier_badges_do_not_read_as_stage_letters(name: str) -> None:
    # four-level (A-D) and grade-f-a (F-A) name stages by letter: a card's "A级" or "A" badge
    # would read as the stage; there the tiers say 价值A级 / Tier A
    config = load_preset(name)
    letters = {s.label.split()[0] for s in config.stages if len(s.label.split()[0]) == 1}
    for tier in config.tiers:
        for label in (tier.label, tier.label_en):
            assert label.removesuffix("级") not in letters, (name, label)


def test_process_presets_from_seeds_002_and_004() -> None:
    six = load_preset("six-step")  # seed 002: steps 1-5 are columns, signing is won, 6 is after-sales
    assert [s.id for s in six.open_stages] == ["reach", "discovery", "proposal", "objections", "negotiation"]
    assert six.won_stage is not None and six.won_stage.label == "合同签订"
    erp = load_preset("erp-process")  # seed 004: 初访 → 交流 → Demo → 正式书面报价 → …
    assert [s.label for s in erp.stages][1:5] == ["初访", "交流", "系统演示", "正式书面报价"]
    assert erp.won_stage is not None and erp.won_stage.label == "签约"
