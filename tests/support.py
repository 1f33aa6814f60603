"""What several test files share: the sample customers (`tests/samples/*.toml`) and small
helpers for writing customers into a test folder. Fixtures are in conftest.py."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples"

# A valid customer named by the caller: ``MINIMAL.format(name="Acme")``.
MINIMAL = 'name = "{name}"\nstage = "intent"\n'


def sample(name: str) -> str:
    """A sample customer's exact text: ``suzhou`` (the format's example, with comments),
    ``suzhou-commented`` (comments on the lines a merge touches), ``hand-written`` (odd
    spacing, inline tables, a multi-line string: what an edit must keep byte for byte)."""
    return (SAMPLES / f"{name}.toml").read_bytes().decode("utf-8")


def put(folder: Path, cid: str, name: str | None = None) -> Path:
    """``customers/<cid>.toml`` holding a minimal valid customer (name from the id)."""
    path = folder / "customers" / f"{cid}.toml"
    path.write_text(MINIMAL.format(name=name or cid.title()), encoding="utf-8")
    return path
