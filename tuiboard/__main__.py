"""`python -m tuiboard`: what the git merge driver runs (no PATH lookup needed)."""

from tuiboard.cli import run

run()
