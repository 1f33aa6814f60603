"""The pipeline folder as a database: format, presets, store, rules, watcher, analytics.

This package never imports textual; `tuiboard` is the layer a person sees.
"""

import importlib
from typing import Any

# Loaded on first use, not on `import pipeline.x`: the git merge driver
# (`python -m pipeline.mergedriver`, started once per file both sides changed) needs
# none of the store's machinery.
_HOME = {
    "Board": "store",
    "Config": "config",
    "Customer": "model",
    "Problem": "problems",
    "Severity": "problems",
    "Stage": "config",
    "Store": "store",
    "Tier": "config",
    "find_root": "store",
    "load_board": "store",
    "load_preset": "config",
    "preset_names": "config",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)


__all__ = [
    "Board",
    "Config",
    "Customer",
    "Problem",
    "Severity",
    "Stage",
    "Store",
    "Tier",
    "find_root",
    "load_board",
    "load_preset",
    "preset_names",
]
