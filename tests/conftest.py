"""Shared fixtures: real folders in tmp_path, a pinned today, the demo pipeline."""

from __future__ import annotations

import gc
import os
import resource
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import pipeline.parsepool as parsepool
from pipeline import gcpause
from pipeline.config import preset_text
from pipeline.demo import write_demo
from tests.gitteam import isolate_git, make_team

TODAY = date(2026, 11, 23)
SHARED = Path(__file__).resolve().parents[2] / "shared"
TOML_TEST = SHARED / "data" / "toml-test"
# The TOML project's conformance files sit beside the repo in CI (`.ci/run` fails without
# them); a fresh clone elsewhere has no ../shared, and those tests say so and skip.
needs_toml_test = pytest.mark.skipif(
    not (TOML_TEST / "invalid").is_dir(),
    reason=f"toml-test conformance files not found at {TOML_TEST} (CI has them: see .ci/run)",
)

# No per-example deadline anywhere (a loaded 2-core machine is slow, not wrong). Under CI
# the examples are derandomized, so a submission is judged on the same cases every run;
# local runs and `pytest -m soak` keep exploring new ones.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


OWN_BASETEMP = pytest.StashKey[str]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Each run gets a base folder of its own, removed when it ends.

    pytest's numbered folders (/tmp/pytest-of-USER/pytest-N) are shared by every run of the
    user, and with `tmp_path_retention_count = 0` a run that starts removes the folders of
    one still running. A fresh ``tempfile.mkdtemp`` per run (xdist's workers get sub-folders
    of it) keeps two runs apart and leaves nothing in /tmp.
    """
    if config.option.basetemp or hasattr(config, "workerinput"):
        return
    config.option.basetemp = tempfile.mkdtemp(prefix="tuiboard-tests-")
    config.stash[OWN_BASETEMP] = config.option.basetemp


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish() -> None:
    """One collection, then what is left frozen. pytest collects five more times at the end
    (for exceptions raised in ``__del__``, which this first collection raises too), each a
    walk over every live object (0.5 s after test_app.py alone); an xdist worker still busy
    5 s after the run ends is sent SIGINT by execnet."""
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    own = config.stash.get(OWN_BASETEMP, None)
    if own is not None:
        shutil.rmtree(own, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-durations",
        type=int,
        default=None,
        metavar="N",
        help="list the N tests that used the most CPU (this process and the processes it ran)",
    )


def _cpu_seconds() -> float:
    """CPU used so far by this process and its reaped child processes (git, a merge driver)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


CPU_START = pytest.StashKey[float]()
_CPU_USED: dict[str, float] = {}  # the controller's: test id -> CPU seconds


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[CPU_START] = _cpu_seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """The teardown report carries the test's CPU seconds (xdist sends it to the controller).

    On a loaded machine wall time says little; CPU time is what the test costs."""
    if call.when == "teardown" and CPU_START in item.stash:
        item.user_properties.append(("cpu_s", _cpu_seconds() - item.stash[CPU_START]))
    return (yield)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        cpu = dict(report.user_properties).get("cpu_s")
        if cpu is not None:
            _CPU_USED[report.nodeid] = float(cpu)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    most = config.getoption("cpu_durations")
    if most is None or not _CPU_USED:
        return
    terminalreporter.section(f"cpu time: {sum(_CPU_USED.values()):.1f} s in {len(_CPU_USED)} tests")
    for nodeid, cpu in sorted(_CPU_USED.items(), key=lambda kv: -kv[1])[: most or None]:
        terminalreporter.write_line(f"{cpu:8.2f}s  {nodeid}")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores this process may use. A third of the suite's
    wall time is waiting (Pilot's idle checks, git, tmux and browser processes, the watcher's
    debounce): a third worker on two cores keeps them busy (pytest 186 s -> 158 s)."""
    return len(os.sched_getaffinity(0)) + 1


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long tests (``@pytest.mark.long(cpu_seconds)``) start first, spread over xdist's workers.

    Worksteal hands worker k the k-th contiguous slice of the collection and steals from the
    slices' ends, so each slice here begins with its share of the long tests (the longest to
    the least loaded slice): the workers finish together instead of one running the team
    test alone at the end. Without xdist the order is left as it is.
    """
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2:
        return
    long = sorted(
        (it for it in items if it.get_closest_marker("long")),
        key=lambda it: -_long_weight(it),
    )
    slices: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for it in long:
        k = loads.index(min(loads))
        slices[k].append(it)
        loads[k] += _long_weight(it)
    rest = iter([it for it in items if not it.get_closest_marker("long")])
    size = len(items) // workers  # worksteal's first hand-out: len // workers each, the last takes the rest
    for k, chunk in enumerate(slices):
        want = size if k < workers - 1 else len(items)
        chunk.extend(islice(rest, max(0, want - len(chunk))))
    items[:] = [it for chunk in slices for it in chunk]


def _long_weight(item: pytest.Item) -> float:
    marker = item.get_closest_marker("long")
    return float(marker.args[0]) if marker and marker.args else 1.0


@pytest.fixture(autouse=True)
def no_colour_leak() -> Iterator[None]:
    """`--color never` sets NO_COLOR for the whole process (the board must see it too); a
    command run in-process by one test must not turn colours off for the next."""
    before = os.environ.get("NO_COLOR")
    yield
    if before is None:
        os.environ.pop("NO_COLOR", None)
    else:
        os.environ["NO_COLOR"] = before


@pytest.fixture(autouse=True)
def nothing_left_frozen() -> Iterator[None]:
    """A board run by a test freezes everything alive in this process (`gcpause.freeze`, as
    `tuiboard` does once its board is loaded): the next test starts thawed, or frozen objects
    pile up from test to test (2.9 million after `test_app.py`, never freed)."""
    yield
    gcpause.thaw()


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setenv("TUIBOARD_TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty seven-stage pipeline folder."""
    root = tmp_path / "pipe"
    (root / "customers").mkdir(parents=True)
    (root / "pipeline.toml").write_text(preset_text("seven-stage"), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pipeline, generated once per test process: `demo_folder` copies it."""
    root = tmp_path_factory.mktemp("template") / "demo"
    write_demo(root, 60, 7, TODAY)
    return root


@pytest.fixture
def demo_folder(tmp_path: Path, demo_template: Path) -> Path:
    """A fresh copy of the 60-customer demo (new files: their own inodes and times, no cache)."""
    root = tmp_path / "demo"
    shutil.copytree(demo_template, root, copy_function=shutil.copyfile)
    return root


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the files the store parses, by file name (the real parser still runs)."""
    counts: Counter[str] = Counter()
    real: Callable[..., Any] = parsepool.parse_customer

    def counting(raw: bytes, path: Path, *args: Any) -> Any:
        counts[path.name] += 1
        return real(raw, path, *args)

    monkeypatch.setattr(parsepool, "parse_customer", counting)
    return counts


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path``, with no global or system git config of this machine leaking in."""
    isolate_git(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def team(git_env: Path) -> tuple[Path, list[Path]]:
    """Two reps, wang.li and zhang.wei, on one bare remote: (the remote, their folders)."""
    return make_team(git_env, ["wang.li", "zhang.wei"])


def write_customer(root: Path, cid: str, text: str) -> Path:
    path = root / "customers" / f"{cid}.toml"
    path.write_text(text, encoding="utf-8")
    return path
