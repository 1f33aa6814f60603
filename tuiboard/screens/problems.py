"""The problems panel: every problem as ``path:line:col: severity: message`` with its excerpt."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pipeline.problems import Problem, printable

from .dialog import Dialog, titled


def problem_text(problem: Problem, root: Path) -> Text:
    """The bean-check line (severity coloured) and the excerpt, indented and dim, below it."""
    text = Text(printable(problem.location(root)) + ": ")
    text.append(str(problem.severity), "bold red" if problem.is_error else "bold yellow")
    text.append(": " + printable(problem.message))
    if problem.excerpt:  # excerpt_at made it printable; keep the caret line's spacing
        text.append("\n" + "\n".join("    " + printable(ln) for ln in problem.excerpt.splitlines()), "dim")
    return text


class ProblemsScreen(Dialog[Problem | None]):
    """The problem to open in $EDITOR at its line (enter), or None."""

    DEFAULT_CSS = """
    ProblemsScreen > #dialog { width: 100; }
    ProblemsScreen OptionList { height: auto; max-height: 70vh; }
    ProblemsScreen #summary { height: auto; margin-bottom: 1; }
    """
    KEYS = (("↑↓", "key.pick"), ("enter", "key.open_in_editor"), ("esc", "key.close"))

    def __init__(self, problems: list[Problem], root: Path) -> None:
        super().__init__()
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.column))
        self.root = root

    def heading(self) -> Text:
        return titled(self.words("problems.title"))

    def compose_body(self) -> ComposeResult:
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
        yield Static(summary, id="summary", markup=False)
        options: list[Option | None] = []
        for i, problem in enumerate(self.problems):
            if i:
                options.append(None)
            options.append(Option(problem_text(problem, self.root), id=str(i)))
        yield OptionList(*options)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.problems[int(event.option.id or 0)])
