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
    KEYS = (("↑↓", "选择 pick"), ("enter", "在编辑器中打开 open in $EDITOR"), ("esc", "关闭 close"))

    def __init__(self, problems: list[Problem], root: Path) -> None:
        super().__init__(titled("问题 Problems"))
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.column))
        self.root = root

    def compose_body(self) -> ComposeResult:
        errors = sum(p.is_error for p in self.problems)
        summary = Text.assemble(
            (f"{errors} 错误 errors", "bold red" if errors else "dim"),
            "  ·  ",
            (
                f"{len(self.problems) - errors} 警告 warnings",
                "bold yellow" if len(self.problems) > errors else "dim",
            ),
        )
        if not self.problems:
            summary.append("\n没有问题 · no problems: every file loads cleanly", "green")
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
