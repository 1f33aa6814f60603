"""The git merge driver as a light entry point: ``python -I -m pipeline.mergedriver %O %A %B``.

`tuiboard sync` hands git this command (``-c merge.tuiboard.driver=…``): git starts it once
per customer file both sides changed, so its start-up time is paid per file. It imports
only the merge and the atomic write, not the CLI, the board or the analytics.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .atomic import atomic_write
from .errors import WriteError
from .merge import merge_customer
from .problems import printable


def main(argv: list[str]) -> int:
    """Merge THEIRS into OURS (git's %O %A %B); 0 when clean, 1 with conflict markers."""
    if len(argv) != 3:
        print("usage: python -m pipeline.mergedriver BASE OURS THEIRS", file=sys.stderr)
        return 2
    base, ours, theirs = map(Path, argv)
    try:
        result = merge_customer(base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
        atomic_write(ours, result.data)
    except (OSError, WriteError) as exc:
        print(f"tuiboard merge driver: {printable(str(exc))}", file=sys.stderr)
        return 2
    for conflict in result.conflicts:
        print(f"tuiboard merge driver: conflict: {printable(conflict)}", file=sys.stderr)
    return 0 if result.clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
