"""A reading command's process ends at once, keeping what it read instead of freeing it.

`due`, `today`, `list` and `show` run from prompts and scripts many times a day. At 10,000
customers, cyclic collections during the load, freeing the customers as the command
returns, and the interpreter's teardown cost `today` a fifth of its time, for nothing: the
process is about to end. Only `run` (the process's entry point) turns this on; tests run
the commands inside their own process, through click's runner, and are left as they are.
"""

from __future__ import annotations

import gc
import os
import sys

_process = False  # this process is `run`'s, and ends with it
_reading = False  # ... and runs a reading command
_kept: list[object] = []


def start() -> None:
    global _process
    _process = True


def reading_command() -> None:
    """The command about to run writes nothing: no cyclic GC from here on."""
    global _reading
    if _process:
        _reading = True
        gc.disable()


def keep(value: object) -> None:
    """``value`` lives until the process ends, rather than being freed when the command returns."""
    if _process:
        _kept.append(value)


def end(stop: SystemExit) -> None:
    """After a reading command: flush the output, then end the process with its exit code
    (`os._exit`: no teardown). Otherwise, or for an exit that is not a code: raise ``stop``."""
    code = stop.code
    if not _reading or not (code is None or isinstance(code, int)):
        raise stop
    os._exit(_flushed(code or 0))


def _flushed(code: int) -> int:
    """``code``, or 1 when the output could not be written (a closed pipe, a full disk)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            code = code or 1
    return code
