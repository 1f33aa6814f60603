"""Reading a file's bytes as TOML within bounds: size, encoding, nesting depth.

Every problem is a `Problem` with a line and column; nothing here raises on bad input.
"""

from __future__ import annotations

import os
import re
import stat
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

import tomli

from .lines import toml_lines
from .locate import key_position
from .problems import Problem, Severity, decode_error_position, excerpt_at, plain_syntax, strip_position

MAX_FILE_BYTES = 1 << 20  # a customer file is a few KB; bounding it bounds parse time
MAX_DEPTH = 100  # as tomlkit; deeper data overflows pickle (the cache), repr and deepcopy


def read_text(raw: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """Decode a file's bytes, reporting size, encoding and BOM problems."""
    if len(raw) > MAX_FILE_BYTES:
        msg = f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; not loaded"
        return None, [Problem(path, 1, 1, Severity.ERROR, msg)]
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(Problem(path, 1, 1, Severity.WARNING, "file starts with a byte-order mark"))
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        msg = f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})"
        return None, [*problems, Problem(path, line, col, Severity.ERROR, msg)]


def parse_toml(text: str, path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """tomli is tomllib's own code compiled with mypyc: the same TOML 1.0, twice as fast."""
    if too_deep := _pathological(text):
        line, col, msg = too_deep
        return None, [Problem(path, line, col, Severity.ERROR, msg, excerpt_at(text, line, col))]
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        line, col = decode_error_position(str(exc), text)
        excerpt = excerpt_at(text, line, col)
        lines = toml_lines(text)
        source = lines[line - 1] if 1 <= line <= len(lines) else ""
        msg = plain_syntax(strip_position(str(exc)), source)
        return None, [Problem(path, line, col, Severity.ERROR, msg, excerpt)]
    except RecursionError:
        return None, [Problem(path, 1, 1, Severity.ERROR, "values nested too deeply")]
    # Any deep value needs that many brackets, braces or dots: most files skip the walk.
    if text.count("[") + text.count("{") + text.count(".") > MAX_DEPTH and (key := _deep_key(data)):
        line, col = key_position(text, (key,))
        msg = f"values nested more than {MAX_DEPTH} levels deep"
        return None, [Problem(path, line, col, Severity.ERROR, msg, excerpt_at(text, line, col))]
    return data, []


# Strings and comments, whose brackets and dots are text. Possessive loops: linear time on any input.
_OPAQUE = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*+"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+'|#[^\n]*+''',
    re.S,
)
_BRACKET = re.compile(r"[\[\]{}]")
_DEPTH = {"[": 1, "{": 1, "]": -1, "}": -1}
_LONG_KEY = re.compile(rf"(?<![\w.-])[\w-]++(?:[ \t]*+\.[ \t]*+[\w-]++){{{MAX_DEPTH},}}")


def _pathological(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of nesting deeper than MAX_DEPTH, found before tomllib parses it.

    tomllib recurses once per bracket (10,000 of them overflow the stack) and takes seconds
    over a key of thousands of dotted parts; this scan is linear, and most files skip it.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH and text.count(".") < MAX_DEPTH:
        return None
    masked = _OPAQUE.sub(lambda m: "s" * len(m.group()), text)
    brackets = _BRACKET.findall(masked)
    depths = list(accumulate(map(_DEPTH.__getitem__, brackets)))
    if depths and max(depths) > MAX_DEPTH:  # depth moves by one: the first level over is listed
        nth = depths.index(MAX_DEPTH + 1)
        found = next(islice(_BRACKET.finditer(masked), nth, None)).start()
        msg = f"values nested more than {MAX_DEPTH} levels deep"
    elif m := _LONG_KEY.search(masked):
        found, msg = m.start(), f"a dotted key of more than {MAX_DEPTH} parts"
    else:
        return None
    line = text.count("\n", 0, found) + 1
    return line, found - (text.rfind("\n", 0, found) + 1) + 1, msg


def _deep_key(data: dict[str, Any]) -> str | None:
    """The top-level key whose value nests deeper than MAX_DEPTH (walked without recursion)."""
    for key, value in data.items():
        todo = [(value, 1)]
        while todo:
            item, depth = todo.pop()
            if depth > MAX_DEPTH:
                return key
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            todo.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return None


def read_file(path: Path) -> bytes | None:
    """A customer file's bytes, read no further than the format's size limit: None when
    it is missing or not a regular file (a FIFO or a device must never block a read)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


def data_of(raw: bytes | None) -> dict[str, Any] | None:
    """A file's bytes (`read_file`) as TOML data; None when missing, not UTF-8 or not TOML.
    Sync and settle compare sides with this, and report a file's problems elsewhere."""
    if raw is None:
        return None
    try:
        return tomli.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomli.TOMLDecodeError):
        return None
