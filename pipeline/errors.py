"""The errors a person reads: each is one line saying what was refused, with an exit code.

Everything the tool refuses on purpose derives from `TuiboardError`; the CLI catches that
root once (`tuiboard.cli.util.OneLineErrors`) and the board shows it as a notification, so
no refusal ever reaches anyone as a traceback.
"""

from __future__ import annotations


class TuiboardError(Exception):
    """A refusal; ``str()`` is its message (shown through `printable`, so one line)."""

    exit_code = 1


class UsageError(TuiboardError):
    """A value given on the command line or in a form that cannot be used (unknown stage)."""

    exit_code = 2


class NotAPipeline(TuiboardError):
    """No `pipeline.toml` here or in any parent folder."""


class WriteError(TuiboardError):
    """A write that did not happen; the message says why, and nothing was changed."""


class ConflictError(WriteError):
    """The file changed on disk since it was read."""
