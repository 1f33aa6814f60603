"""Problems as plain data: every bad thing found in a folder, with its source location.

Like beancount's loader errors, a problem never stops loading; it is collected, listed
bean-check style (``path:line:col: error: message``) and shown next to the card.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from .lines import toml_lines


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    severity: Severity
    message: str
    excerpt: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                path = self.path.relative_to(root)
        if self.line < 1:  # about the whole file (a duplicate id, settings kept): no position
            return str(path)
        if self.column < 1:
            return f"{path}:{self.line}"
        return f"{path}:{self.line}:{self.column}"

    def headline(self, root: Path | None = None) -> str:
        """The bean-check style line alone, ``path:line:col: severity: message``."""
        return f"{self.location(root)}: {self.severity}: {self.message}"

    def format(self, root: Path | None = None) -> str:
        """The bean-check style line, plus the excerpt indented below it."""
        head = self.headline(root)
        if not self.excerpt:
            return head
        return head + "\n" + "\n".join("    " + ln for ln in self.excerpt.split("\n"))


def excerpt_at(text: str, line: int, column: int = 0) -> str:
    """The offending line with a caret under the column (printable-safe)."""
    lines = toml_lines(text)
    if not 1 <= line <= len(lines):
        return ""
    src = lines[line - 1]
    if len(src) > 200:
        start = max(0, column - 100)
        src = src[start : start + 200]
        column = column - start
    src = printable(src)
    if column <= 0:
        return src
    return src + "\n" + " " * (column - 1) + "^"


# Controls, C1, line/paragraph separators, bidi overrides and lone surrogates (a file
# name's bytes that are not UTF-8, as os.listdir hands them over).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """Untrusted text made harmless for a terminal.

    Control characters (ESC, BEL, CSI/OSC introducers, C1 codes, bidi overrides) are
    replaced by visible escapes such as ``\\x1b``, so no raw sequence ever reaches the screen.
    Tabs become spaces and newlines a visible ``⏎`` so one field stays on one line.
    """
    if not _CONTROL.search(text) and "\t" not in text and "\n" not in text:
        return text
    text = text.replace("\t", " ").replace("\r\n", "⏎").replace("\n", "⏎")
    return _CONTROL.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}"


_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_printable(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe for a terminal: json
    escapes only C0 controls, so DEL, C1 codes and bidi controls become ``\\uXXXX`` too.
    Outside strings JSON has no such characters, so the data read back is the same."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def decode_error_position(message: str, text: str) -> tuple[int, int]:
    """Line and column from a tomllib error message (3.11 puts them in the text)."""
    m = _POS.search(message)
    if m:
        return int(m.group(1)), int(m.group(2))
    if "end of document" in message:
        lines = toml_lines(text) or [""]
        return len(lines), len(lines[-1]) + 1
    return 1, 1


def strip_position(message: str) -> str:
    return _POS.sub("", message).replace("(at end of document)", "").strip()


_BAD_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_BAD_TIME = re.compile(r"(?<![\d:])(\d{2}):(\d{2})(?::(\d{2}))?\b")
_PLAIN = {  # tomli's words -> what a rep who typed the file understands
    "Expected newline or end of document after a statement": (
        "something follows the value on this line (one key = value per line; text needs quotes)"
    ),
    "Expected '=' after a key in a key/value pair": "a key needs ' = value' after it",
    "Invalid value": 'this value is not valid TOML (text needs quotes: key = "…")',
    "Cannot overwrite a value": "this key is already set above (each key once per table)",
    "Unclosed inline table": "an inline table { … } is not closed",
    "Unclosed array": "an array [ … ] is not closed",
    "Invalid date or datetime": "not a valid date or time",
}


def plain_syntax(message: str, line: str) -> str:
    """A TOML syntax error said in plain words: a date that does not exist is named
    (``date 2026-12-40 is not a valid date``), tomli's other phrases are translated, and an
    unknown one is kept as it is."""
    dated = message in ("Expected newline or end of document after a statement", "Invalid date or datetime")
    for m in _BAD_DATE.finditer(line) if dated else ():
        if _quoted(line, m.start()):
            continue
        try:
            date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return f"date {m.group(0)} is not a valid date (YYYY-MM-DD)"
    for m in _BAD_TIME.finditer(line) if dated else ():
        if _quoted(line, m.start()):
            continue
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if hour > 23 or minute > 59 or second > 60:
            return f"time {m.group(0)} is not a valid time (HH:MM:SS)"
    if message.startswith("Illegal character") and line.count('"') % 2 == 1:
        return 'a string is not closed: a quote (") is missing'
    if message.startswith("Cannot declare"):
        return "this table is declared twice (each [table] once)"
    return _PLAIN.get(message, message)


def _quoted(line: str, at: int) -> bool:
    """Whether ``at`` stands inside a quoted string (or a comment) of this one line."""
    before = line[:at]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1 or "#" in before
