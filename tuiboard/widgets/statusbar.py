"""The status bar: counts and money for what is shown, problems, and the folder's git state.

git runs in a thread worker (never on the UI thread) after the first paint and after
every reload.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.widget import Widget

from pipeline.gitrepo import LocalState, local_state

from ..labels import Labels, labels
from ..textout import money, safe
from ..viewmodel import BoardView


class StatusBar(Widget):
    DEFAULT_CSS = "StatusBar { height: 1; padding: 0 1; background: $panel; }"

    def __init__(self, root: Path) -> None:
        super().__init__(id="status")
        self.root = root
        self.view: BoardView | None = None
        self.currency = "CNY"
        self.words = labels()
        self.git: LocalState | None = None
        self.progress = ""  # a cold start's "加载中 3,000 / 10,000 · 合计为临时数", first

    def show(self, view: BoardView, currency: str, words: Labels) -> None:
        self.view, self.currency, self.words = view, currency, words
        self.refresh()

    def show_progress(self, progress: str) -> None:
        if progress != self.progress:
            self.progress = progress
            self.refresh()

    @work(thread=True, exclusive=True, group="git")
    def refresh_git(self) -> None:
        state = local_state(self.root)
        self.app.call_from_thread(self._set_git, state)

    def _set_git(self, state: LocalState | None) -> None:
        self.git = state
        self.refresh()

    def render(self) -> Text:
        view, words = self.view, self.words
        if view is None:
            return Text(words("status.loading"), style="dim")
        parts = [Text(self.progress, style="bold yellow")] if self.progress else []
        shown = f"{view.shown}" if view.shown == view.total else f"{view.shown}/{view.total}"
        parts.append(Text(words("status.customers", shown=shown)))
        parts.append(Text(words("status.open", amount=money(view.open_amount, self.currency))))
        parts.append(Text(words("status.weighted", amount=money(view.weighted, self.currency))))
        parts.append(
            Text(words("status.overdue", count=view.overdue), style="bold red" if view.overdue else "")
        )
        style = "bold red" if view.errors else ("yellow" if view.problems else "")
        parts.append(Text(words("status.problems", count=view.problems), style=style))
        if self.git is not None:
            git = Text(f"⎇ {safe(self.git.branch)}")
            if self.git.ahead or self.git.behind:
                behind = "yellow" if self.git.behind else ""
                git.append(f" ↑{self.git.ahead} ↓{self.git.behind}", style=behind)
            if self.git.dirty:
                git.append(f" ±{self.git.dirty}", style="yellow")
            if self.git.conflicted:
                git.append(words("status.conflicts", count=len(self.git.conflicted)), style="bold red")
            elif self.git.rebasing:
                git.append(words("status.rebasing"), style="yellow")
            elif self.git.merging:
                git.append(words("status.merging"), style="yellow")
            parts.append(git)
        return Text(" │ ", style="dim").join(parts)
