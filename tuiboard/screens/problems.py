"""The problems panel: every problem as ``path:line:col: severity: message`` with its excerpt."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets.option_list import Option

from pipeline.problems import Problem, printable

from .dialog import ListDialog, titled


def problem_text(problem: Problem, root: Path) -> Text:
    """The bean-check line (severity coloured) and the excerpt, indented and dim, below it."""
    text = Text(printable(problem.location(root)) + ": ")
    text.append(str(problem.severity), "bold red" if problem.is_error else "bold yellow")
    text.append(": " + printable(problem.message))
    if problem.excerpt:  # excerpt_at made it printable; keep the caret line's spacing
        text.append("\n" + "\n".join("    " + printable(ln) for ln in problem.excerpt.splitlines()), "dim")
    return text


class ProblemsScreen(ListDialog[Problem | None]):
    """The problem to open in $EDITOR at its line (enter), or None."""

    DEFAULT_CSS = "ProblemsScreen > #dialog { width: 100; }"
    KEYS = (("↑↓", "key.pick"), ("enter", "key.open_in_editor"), ("esc", "key.close"))

    def __init__(self, problems: list[Problem], root: Path) -> None:
        super().__init__()
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.column))
        self.root = root

    def heading(self) -> Text:
        return titled(self.words("problems.title"))

    def contents(self) -> tuple[Text, list[Option | None]]:
        words = self.words
        errors = sum(p.is_error for p in self.problems)
        warnings = len(self.problems) - errors
        summary = Text.assemble(
            (words("problems.errors", count=errors), "bold red" if errors else "dim"),
            "  ·  ",
            (words("problems.warnings", count=warnings), "bold yellow" if warnings else "dim"),
        )
        if not self.problems:
            summary.append("\n" + words("problems.none"), "green")
        options: list[Option | None] = []
        for i, problem in enumerate(self.problems):
            if i:
                options.append(None)
            options.append(Option(problem_text(problem, self.root), id=str(i)))
        return summary, options

    def picked(self, option_id: str) -> Problem | None:
        return self.problems[int(option_id or 0)]
