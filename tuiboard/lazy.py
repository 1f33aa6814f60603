"""Modules loaded on first use (the importlib documentation's recipe, `importlib.util.LazyLoader`).

The board's write flows and their dialogs (pipeline.actions, tomlkit, the customer form, ...)
take 120 ms to import and nothing in the first screen needs them: the board screen names them
through `lazy`, and the first key that runs a flow loads its module.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    """The module ``name``, executed when one of its attributes is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
