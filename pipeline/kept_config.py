"""`pipeline.toml` as a store validates customers against it: re-read when it changes,
the last good one kept while it has errors, removed stages kept while customers are in them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .config import CONFIG_FILE, Config, Stage, load_config
from .folder import Key, stat_key
from .problems import Problem, Severity

KEPT_CONFIG = "pipeline.toml has errors: the board keeps its last good settings until they are fixed"


class KeptConfig:
    def __init__(self, root: Path) -> None:
        self.path = root / CONFIG_FILE
        self.config = Config()
        self.problems: list[Problem] = []
        self._key: Key | None = None
        self._good: Config | None = None  # the last pipeline.toml read without errors

    def refresh(self, cached: Config | None) -> bool:
        """Read `pipeline.toml` if it changed; True when the config the customers are
        validated against changed (then nothing read or cached still holds).

        A broken `pipeline.toml` keeps the last good config (this session's, else the
        cache's), so the cards stay on the board while its problems are shown. Stages that
        the new config removed stay, marked, while customers are still in them.
        """
        try:
            st = self.path.stat()
            key: Key | None = stat_key(st, st.st_size)
        except OSError:
            key = None
        if key == self._key and self.config.stages:
            return False
        config, problems = load_config(self.path.parent)
        self._key = key
        before = self.config if self.config.stages else cached
        if not any(p.is_error for p in problems):
            self._good = config
        elif (kept := self._good or cached) is not None:
            config = kept
            problems.append(Problem(self.path, 0, 0, Severity.WARNING, KEPT_CONFIG))
        self.problems = problems
        config = _with_removed_stages(config, before)
        if config == self.config:
            return False
        self.config = config
        return True

    def removed_stages(self) -> tuple[Stage, ...]:
        """The stages kept only because customers are still in them."""
        good = self._good
        if good is None:
            return ()
        return tuple(s for s in self.config.stages if good.stage(s.id) is None)

    def drop_stages(self, ids: set[str]) -> None:
        self.config = replace(self.config, stages=tuple(s for s in self.config.stages if s.id not in ids))


def _with_removed_stages(config: Config, before: Config | None) -> Config:
    """``config`` plus the stages of ``before`` that it no longer has, at the end."""
    if before is None:
        return config
    removed = tuple(s for s in before.stages if config.stage(s.id) is None)
    return replace(config, stages=config.stages + removed) if removed else config
