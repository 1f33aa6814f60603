"""The pipeline folder as a database: format, presets, store, rules, watcher, analytics.

This package never imports textual; `tuiboard` is the layer a person sees.
"""

from .config import Config, Stage, Tier, load_preset, preset_names
from .model import Customer
from .problems import Problem, Severity
from .store import Board, Store, find_root, load_board

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
