"""What the reliability suite shares: effort levels (CI or soak), seed files, and a tally of
how much was tried, printed at the end of the run for the closing note."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pipeline.canonical import dump_customer
from pipeline.config import Config, load_preset
from pipeline.demo import generate
from tests.conftest import TODAY


@dataclass(frozen=True, slots=True)
class Level:
    """How hard to try. CI must stay within a minute or two on 2 cores; soak runs by hand."""

    name: str
    fuzz_examples: int  # mutated files loaded
    edit_examples: int  # mutated files then edited
    kills: int  # SIGKILLs of the editing child
    machine_runs: int  # stateful runs (hypothesis examples)
    machine_steps: int  # steps per stateful run

    def scaled(self, factor: float) -> Level:
        return Level(
            self.name,
            *(max(1, round(n * factor)) for n in (self.fuzz_examples, self.edit_examples, self.kills)),
            max(1, round(self.machine_runs * factor)),
            self.machine_steps,
        )


CI = Level("ci", 600, 250, 200, 25, 30)
# `pytest -m soak` runs these; TUIBOARD_SOAK=N multiplies them (steps per run stay as they are).
SOAK = Level("soak", 20_000, 5_000, 3_000, 400, 80).scaled(float(os.environ.get("TUIBOARD_SOAK", "1")))


@pytest.fixture(
    params=[
        pytest.param(CI, id="ci", marks=pytest.mark.timeout(240)),
        pytest.param(SOAK, id="soak", marks=[pytest.mark.soak, pytest.mark.timeout(4 * 3600)]),
    ]
)
def level(request: pytest.FixtureRequest) -> Level:
    return request.param


class Tally:
    """Counts per kind of attack, across the session."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] += n


_TALLY = Tally()


@pytest.fixture(scope="session")
def tally() -> Tally:
    return _TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _TALLY.counts:
        return
    terminalreporter.section("reliability: what was tried")
    for what, n in sorted(_TALLY.counts.items()):
        terminalreporter.write_line(f"{what:<40} {n:>8,}")


# ESC, C0 and C1 controls, DEL, and the bidi overrides/isolates: none may reach a terminal raw.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="session")
def assert_harmless() -> Callable[[str, str], None]:
    """``assert_harmless(text, where)``: fails naming the first raw control character."""

    def check(text: str, where: str) -> None:
        m = RAW_CONTROL.search(text)
        assert m is None, f"raw {m.group()!r} in {where}: {text[max(0, m.start() - 40) : m.end() + 40]!r}"

    return check


@pytest.fixture(scope="session")
def config() -> Config:
    return load_preset("seven-stage")


# A hand-written file: comments, inline tables and arrays, quoted and dotted keys,
# multi-line strings, an inline history: the shapes the demo generator never writes.
HAND_WRITTEN = '''\
# 苏州华东: key account
name = "苏州华东精密机械有限公司"   # full legal name
stage = "intent"
tier = "B"
amount = 180_000
probability = 40.0
expected_close = 2026-12-15
tags = ["ERP", 'OA', """CRM"""]
"quoted key" = "kept"
company.industry = "制造业"
company.employees = 320
contact = { name = "张伟", title = "信息部经理" }
notes = """
第一行
second line with a # that is not a comment
"""
history = [{ date = 2026-09-02, stage = "target" }, { date = 2026-10-10, stage = "intent" }]

[next]  # what comes next
action = '发送修订报价'
due = 2026-11-25

[[log]]
date = 2026-11-18T09:30:00
kind = "visit"
note = "见了IT经理"
'''


@pytest.fixture(scope="session")
def seeds(config: Config) -> tuple[bytes, ...]:
    """Valid customer files to mutate: the demo generator's, plus one written by hand."""
    demo = [dump_customer(d).encode("utf-8") for d in generate(16, 5, TODAY, config)]
    return (*demo, HAND_WRITTEN.encode("utf-8"))
