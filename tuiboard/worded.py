"""Screens whose bindings speak the board's language.

A binding's description (and tooltip) is a catalog key (`tuiboard.labels`): ``key.close``,
or ``keys.NAME`` for the board's own keys (`tuiboard.keymap`). `Worded.active_bindings`, which
Textual's footer and `?` panel read, gives them in the board's language; Textual's own (the
palette's, tab's) are in the catalogs under ``textual.`` and their English words.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from textual.binding import ActiveBinding, Binding
from textual.dom import DOMNode
from textual.screen import Screen

from .keymap import KEYS, Key
from .labels import Labels, labels

ResultT = TypeVar("ResultT")
_BOARD_KEYS: dict[tuple[str, str], Key] = {(k.label, k.action): k for k in KEYS}


def worded(binding: Binding, words: Labels) -> Binding:
    """``binding`` with its description and tooltip in ``words``' language."""
    key = _BOARD_KEYS.get((binding.description, binding.action))
    if key is not None:
        return replace(binding, description=key.word(words), tooltip=key.line(words))
    if binding.description in words.words:
        return replace(binding, description=words(binding.description))
    textual = f"textual.{binding.description}"  # Textual's own bindings (tab, ctrl+p ...), by their words
    if textual in words.words:
        tooltip = f"textual.{binding.tooltip}"
        return replace(
            binding,
            description=words(textual),
            tooltip=words(tooltip) if tooltip in words.words else binding.tooltip,
        )
    return binding


def words_of(node: DOMNode) -> Labels:
    """The board's language (the app's ``labels``); the default language outside the board."""
    found = getattr(node.app, "labels", None)
    return found if isinstance(found, Labels) else labels()


class Worded(Screen[ResultT]):
    """A screen with ``words`` (the board's language) and its bindings shown in it."""

    @property
    def words(self) -> Labels:
        return words_of(self)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        words = self.words
        shown: dict[str, ActiveBinding] = {}
        for key, active in super().active_bindings.items():
            binding = worded(active.binding, words)
            shown[key] = active._replace(binding=binding, tooltip=binding.tooltip)
        return shown
