"""The errors a person reads: each is one line saying what was refused, with an exit code.

Everything the tool refuses on purpose derives from `TuiboardError`; the CLI catches that
root once (`tuiboard.cli.util.OneLineErrors`) and the board shows it as a notification, so
no refusal ever reaches anyone as a traceback.
"""

from __future__ import annotations


class Worded(Exception):
    """An error a caller can say in its own words: ``what`` names the message (the board's
    catalogs hold ``error.WHAT``) and ``details`` fill it in; ``str()`` stays the English line
    the CLI prints. Without ``what``, only that line."""

    def __init__(self, message: str = "", what: str = "", **details: object) -> None:
        super().__init__(message)
        self.what, self.details = what, details


class TuiboardError(Worded):
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
