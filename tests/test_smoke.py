from __future__ import annotations

import subprocess
import sys


def test_pipeline_never_imports_textual() -> None:
    code = (
        "import sys, pipeline, pipeline.store, pipeline.edit, pipeline.rules, pipeline.demo;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'tuiboard'});"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
