"""Problems as plain data: every bad thing found in a folder, with its source location.

Like beancount's loader errors, a problem never stops loading; it is collected, listed
bean-check style (``path:line:col: error: message``) and shown next to the card.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
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
        return f"{path}:{self.line}:{self.column}"

    def format(self, root: Path | None = None) -> str:
        """The bean-check style line, plus the excerpt indented below it."""
        head = f"{self.location(root)}: {self.severity}: {self.message}"
        if not self.excerpt:
            return head
        return head + "\n" + "\n".join("    " + ln for ln in self.excerpt.splitlines())


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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Untrusted text made harmless for a terminal.

    Control characters (ESC, BEL, CSI/OSC introducers, C1 codes, bidi overrides) are
    replaced by visible escapes such as ``\\x1b``, so no raw sequence ever reaches the screen.
    Tabs become spaces and newlines a visible ``⏎`` so one field stays on one line.
    """
    if not _CONTROL.search(text) and "\t" not in text and "\n" not in text:
        return text
    text = text.replace("\t", " ").replace("\r\n", "⏎").replace("\n", "⏎")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
