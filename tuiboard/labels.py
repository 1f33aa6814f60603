"""The board's own words, one catalog per language: `tuiboard/locale/<code>.py` holds
``WORDS``, a dict of keys to `str.format` templates. Adding a language is adding a file.

Text from files (names, notes, stage labels from pipeline.toml) is not here: it is shown
as written, through `printable()`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache

from . import locale

DEFAULT = "zh"


class Labels:
    """One language: ``labels("undone", what="…")`` is that key's template, filled in."""

    def __init__(self, code: str, words: Mapping[str, str]) -> None:
        self.code = code
        self.words = words

    def __call__(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def reason(self, error: BaseException) -> str:
        """An error in this language: the catalog's ``error.WHAT`` when the error names one
        (`pipeline.errors.Worded`), else its own (English) line."""
        what = getattr(error, "what", "")
        if what and f"error.{what}" in self.words:
            return self(f"error.{what}", **getattr(error, "details", {}))
        return str(error)

    @property
    def english(self) -> bool:
        """For what the pipeline.toml labels in two languages (``label`` / ``label_en``)."""
        return self.code == "en"

    def pair(self, text: str) -> str:
        """``中文 English`` (a label `pipeline` holds in both, e.g. the field table's) -> the
        side of this language; text that is not such a pair stays whole."""
        zh, _, en = text.partition(" ")
        if not en or not any("\u4e00" <= ch <= "\u9fff" for ch in zh):
            return text
        return en if self.english else zh


def languages() -> list[str]:
    """The language codes there are catalogs for, the default first."""
    codes = sorted(m.name for m in pkgutil.iter_modules(locale.__path__))
    return [DEFAULT, *(c for c in codes if c != DEFAULT)]


@cache
def labels(code: str = DEFAULT) -> Labels:
    module = importlib.import_module(f"{locale.__name__}.{code}")
    return Labels(code, module.WORDS)


def next_language(current: Labels) -> Labels:
    """The next language in `languages()` (``ctrl+l``)."""
    codes = languages()
    return labels(codes[(codes.index(current.code) + 1) % len(codes)])
