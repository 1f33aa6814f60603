"""The `tuiboard` command: plain `tuiboard` opens the board; subcommands script the folder.

`main` is the click group; each family of commands is a module here, and the lazy ones
(report, team, people) are imported only when named.
"""

from .main import main, run

__all__ = ["main", "run"]
