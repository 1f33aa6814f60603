"""`pipeline` is the domain library: no module of it imports textual or the UI package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pipeline

MODULES = sorted(Path(pipeline.__file__).parent.glob("*.py"))
UI = {"textual", "tuiboard"}


def test_no_pipeline_module_names_textual_in_its_imports() -> None:
    """Every import statement, also inside functions (a lazy import would still pull it in)."""
    found = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] in UI]
    assert found == []


def test_importing_every_pipeline_module_loads_no_textual() -> None:
    names = [f"pipeline.{p.stem}" for p in MODULES if p.stem != "__init__"]
    code = (
        f"import importlib, sys\nfor n in {names!r}: importlib.import_module(n)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'tuiboard'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
