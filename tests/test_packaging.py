"""A wheel built from the tracked files, installed (not editable) in a fresh venv, works.

Offline and quick: the wheel is built without build isolation, the venv is made without
pip (this test's pip installs into it with ``--python``), and the dependencies are not
downloaded again: a ``.pth`` file lets the fresh venv see this venv's installed packages,
the wheel goes in with ``--no-deps --no-index``, and ``pip check`` then proves that what
the wheel declares is satisfied. Marked `slow`; it runs once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRESETS = sorted(p.stem for p in (ROOT / "pipeline" / "presets").glob("*.toml"))

BOARD_CHECK = """
import asyncio, sys
from pathlib import Path
from tuiboard.app import BoardApp

async def main():
    app = BoardApp(Path(sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.reloaded.wait()
        await pilot.pause()
        print(sum(str(path).endswith("app.tcss") for path, _ in app.stylesheet.source))

asyncio.run(main())
"""


def run(*args: object, cwd: Path = Path("/"), timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
@pytest.mark.long(10)  # mostly waiting on pip: it starts first
def test_a_wheel_installed_in_a_fresh_venv_has_a_working_command_presets_and_styles(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to list the tracked files")
    src = tmp_path / "src"
    for name in run(git, "ls-files", cwd=ROOT).stdout.splitlines():
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
        "-w",
        wheels,
        src,
    )
    if built.returncode != 0:
        pytest.skip(f"could not build the wheel (no build backend to be had?): {built.stderr[-300:]}")
    [wheel] = wheels.glob("tuiboard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"pipeline/presets/{p}.toml" for p in PRESETS} <= set(names)
    assert "tuiboard/app.tcss" in names and not any(n.startswith("tests/") for n in names)

    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    py, bin_ = venv / "bin" / "python", venv / "bin"
    fresh_site = Path(run(py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    (fresh_site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", py, "--disable-pip-version-check"]
    installed = run(*pip, "install", "-q", "--no-deps", "--no-index", "--no-compile", wheel)
    assert installed.returncode == 0, installed.stderr[-2000:]
    assert (fresh_site / "pipeline" / "presets" / "aida.toml").is_file()
    checked = run(*pip, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    out = run(bin_ / "tuiboard", "--version")
    assert out.returncode == 0 and out.stdout.startswith("tuiboard, version ")
    folder = tmp_path / "pipe"
    assert run(bin_ / "tuiboard", "init", "--preset", "aida", folder).returncode == 0
    assert run(bin_ / "tuiboard", "-C", folder, "new", "杭州新客户", "--stage", "interest").returncode == 0
    listed = json.loads(run(bin_ / "tuiboard", "-C", folder, "list", "--json").stdout)
    assert [c["stage"] for c in listed["customers"]] == ["interest"]
    where = run(py, "-c", "import tuiboard; print(tuiboard.__file__)").stdout
    assert str(venv) in where  # the installed copy, not the source tree

    demo = tmp_path / "demo"
    assert run(bin_ / "tuiboard", "demo", demo, "--customers", "30", "--no-open").returncode == 0
    board = run(py, "-c", BOARD_CHECK, demo)
    assert board.returncode == 0, board.stderr[-2000:]
    assert board.stdout.split() == ["1"]  # app.tcss was found and read
