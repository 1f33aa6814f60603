"""The `tuiboard` command: plain `tuiboard` opens the board; subcommands script the folder.

`main` is the click group (`cli.group`); each family of commands is a module here. This
package imports none of them itself: the board imports `cli.team` for the merge driver's
settings, and must not pay for the whole command line with it.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("main", "run"):
        return getattr(importlib.import_module(f"{__name__}.group"), name)
    raise AttributeError(name)
