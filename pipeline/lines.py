"""TOML's lines: a TOML line ends at ``\\n`` (or ``\\r\\n``) and nowhere else.

`str.splitlines()` also splits at ``\\x0b \\x0c \\x1c-\\x1e \\x85 U+2028 U+2029``, which
may stand inside a TOML string or comment: a problem would then be reported on the wrong
line with the wrong excerpt. Every line count and excerpt in the project goes through here.
"""

from __future__ import annotations


def toml_lines(text: str, *, keepends: bool = False) -> list[str]:
    """``text`` split at ``\\n`` only; without ``keepends`` a line's ``\\r\\n`` goes too."""
    if not text:
        return []
    parts = text.split("\n")
    if keepends:
        out = [part + "\n" for part in parts[:-1]]
        return [*out, parts[-1]] if parts[-1] else out
    if not parts[-1]:
        parts.pop()
    return [part[:-1] if part.endswith("\r") else part for part in parts]


def line_of(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of a character offset into ``text``."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1
