"""A pipeline folder's names, and making a new one.

pipeline.toml     the stages, tiers and cadence (`pipeline.config`)
customers/        one TOML file per customer
archive/          customers taken off the board, kept as they were
.tuiboard/        the tool's own state (load cache, write lock): never committed
.gitignore        written once, never over a file or link already there
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_FILE = "pipeline.toml"
CUSTOMERS_DIR = "customers"
ARCHIVE_DIR = "archive"
STATE_DIR = ".tuiboard"
GITIGNORE = f"{STATE_DIR}/\n{CUSTOMERS_DIR}/.*.tmp\n"  # the tool's state; what a killed writer leaves


def init_folder(folder: Path, config_text: str) -> None:
    """A new pipeline folder: ``pipeline.toml`` holding ``config_text`` (a preset's),
    ``customers/`` and the ``.gitignore``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(config_text, encoding="utf-8")
    (folder / CUSTOMERS_DIR).mkdir(exist_ok=True)
    write_gitignore(folder)


def write_gitignore(folder: Path) -> None:
    """The folder's .gitignore, when it has none (never through a planted link)."""
    from .safefs import replace_file  # here, not at the top: safefs takes STATE_DIR from this module

    ignore = folder / ".gitignore"
    if not os.path.lexists(ignore):
        replace_file(ignore, GITIGNORE.encode())
