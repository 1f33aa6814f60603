"""Saving a view into ``pipeline.toml`` the way every writer writes: under the folder's lock,
with tomlkit (comments and layout kept), verified, atomically."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from .config import CONFIG_FILE, parse_config
from .edit import atomic_write, keep_layout
from .errors import ConflictError, UsageError, WriteError
from .lock import write_lock
from .model import Fingerprint
from .views import MAX_NAME, MAX_VIEWS, View, find

BOM = b"\xef\xbb\xbf"


def save_view(root: Path, name: str, table: Mapping[str, Any], expected: View | None) -> View:
    """Write ``[views.NAME]`` into pipeline.toml; the view as read back.

    ``expected``: the view of that name the caller knows (None: a new name). If the file
    now holds something else under that name (a teammate saved one meanwhile), nothing is
    written (`ConflictError`); any other change since is kept, as this edit is one table.
    Under the folder's write lock; the rest of the file stays byte for byte (tomlkit, and
    `edit.keep_layout` for what tomlkit respaces); the new text must read back as the old
    data plus this view, and parse with no problem the old text did not have; the file
    is replaced atomically, only if it still holds the bytes read (an editor's save).
    """
    if not name.strip() or len(name) > MAX_NAME:
        raise UsageError(f"a view's name must be 1 to {MAX_NAME} characters")
    path = root / CONFIG_FILE
    with write_lock(root):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise WriteError(f"{path}: {exc.strerror or exc}; not written") from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise WriteError(f"{path}: not UTF-8 ({exc.reason}); the view was not saved") from exc
        old_config, old_problems = parse_config(text, path)
        errors = [p for p in old_problems if p.is_error]
        if errors:
            where = errors[0].location()
            raise WriteError(
                f"{where}: fix pipeline.toml first; the view was not saved", "settings_first", where=where
            )
        written = tomllib.loads(text).get("views")
        if find(old_config.views, name) != expected or (
            expected is None and isinstance(written, dict) and name in written
        ):
            raise ConflictError(f"view {name!r} in pipeline.toml is not the one the board read; not saved")
        if expected is None and len(old_config.views) >= MAX_VIEWS:
            raise WriteError(f"pipeline.toml already has {MAX_VIEWS} views; not saved")
        new_text = keep_layout(path, text, *_edited(path, text, name, dict(table)))
        intended = tomllib.loads(text)
        intended.setdefault("views", {})[name] = dict(table)
        try:
            readback = tomllib.loads(new_text)
        except tomllib.TOMLDecodeError as exc:
            raise WriteError(f"{path}: the edit would produce invalid TOML ({exc}); not written") from exc
        config, problems = parse_config(new_text, path)
        saved = find(config.views, name)
        if readback != intended or saved is None or len(problems) > len(old_problems):
            why = problems[-1].message if len(problems) > len(old_problems) else "it would not read back"
            raise WriteError(f"{path}: view {name!r} not saved: {why}")
        bom = BOM if raw.startswith(BOM) else b""
        atomic_write(path, bom + new_text.encode("utf-8"), expected=Fingerprint.of(raw, 0))
        return saved


def _edited(path: Path, text: str, name: str, table: dict[str, Any]) -> tuple[str, str]:
    """(tomlkit's dump of the text as read, its dump with the view set): `keep_layout`'s inputs."""
    try:
        doc = tomlkit.parse(text)
    except Exception as exc:  # tomlkit is stricter or looser than tomllib in corners
        raise WriteError(f"{path}: cannot edit this file safely: {exc}") from exc
    roundtrip = tomlkit.dumps(doc)
    views = doc.get("views")
    if views is None:
        views = tomlkit.table(is_super_table=True)
        doc.append("views", views)
    elif not isinstance(views, Table):
        raise WriteError(f"{path}: views is not written as [views.NAME] tables; add the view by hand")
    current = views.get(name)
    if current is None:
        new = tomlkit.table()
        new.update(table)
        views.append(name, new)
    elif isinstance(current, Table):  # replaced key by key: the table's comments stay
        for key in [k for k in current if k not in table]:
            del current[key]
        for key, value in table.items():
            current[key] = value
    else:
        raise WriteError(f"{path}: view {name!r} is not a [views.NAME] table; change it by hand")
    return roundtrip, tomlkit.dumps(doc)
