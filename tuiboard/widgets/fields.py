"""Form fields that validate as you type: a label, the control, and an inline error or hint below.

The validators read input with `pipeline.parse_input` (amounts, percentages, dates); a valid
value can explain itself (``18万`` → ``= 180,000``) in the hint line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from pipeline.parse_input import parse_amount, parse_percent, parse_when
from pipeline.problems import printable

from ..labels import Labels

WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


class Explaining(Validator):
    """A validator that can also describe a valid value in words."""

    def explain(self, value: str) -> str:
        return ""


class Required(Explaining):
    """Not blank; says so in ``words``' language (the field's label names what is required)."""

    def __init__(self, words: Labels) -> None:
        super().__init__()
        self.words = words

    def validate(self, value: str) -> ValidationResult:
        return self.success() if value.strip() else self.failure(self.words("field.required"))


class Reads(Explaining):
    """Whatever ``read`` can read (it raises ValueError for the rest, said in ``words``)."""

    def __init__(self, words: Labels, read: Callable[[str], object]) -> None:
        super().__init__()
        self.words, self.read = words, read

    def validate(self, value: str) -> ValidationResult:
        try:
            self.read(value)
        except ValueError as exc:
            return self.failure(self.words.reason(exc))
        return self.success()


class Amount(Reads):
    def __init__(self, words: Labels) -> None:
        super().__init__(words, parse_amount)

    def explain(self, value: str) -> str:
        amount = parse_amount(value)
        return "" if amount is None or str(amount) == value.strip() else f"= {amount:,}"


class Percent(Reads):
    def __init__(self, words: Labels) -> None:
        super().__init__(words, parse_percent)


class When(Explaining):
    """A date, ``today``, ``tomorrow`` or an offset (``+3d``, ``+1w``, ``+1q``) from ``today``."""

    def __init__(
        self, words: Labels, today: date, not_before: date | None = None, not_after: date | None = None
    ) -> None:
        super().__init__()
        self.words, self.today, self.not_before, self.not_after = words, today, not_before, not_after

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()  # optional unless a Required validator says otherwise
        try:
            when = parse_when(value, self.today)
        except ValueError as exc:
            return self.failure(self.words.reason(exc))
        if self.not_before is not None and when < self.not_before:
            return self.failure(self.words("field.past", when=when))
        if self.not_after is not None and when > self.not_after:
            return self.failure(self.words("field.future", when=when))
        return self.success()

    def explain(self, value: str) -> str:
        when = parse_when(value, self.today)
        weekday = WEEKDAYS.get(self.words.code, WEEKDAYS["en"])[when.weekday()]
        return self.words("field.when", when=when, weekday=weekday, days=(when - self.today).days)


class FormField(Vertical):
    """``label  [control]`` with a line below for the error (red) or the hint (dim)."""

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > Horizontal { height: auto; }
    FormField .field-label { width: 18; padding-right: 1; color: $text-muted; }
    FormField Input, FormField Select { width: 1fr; }
    FormField Input, FormField SelectCurrent { background: $boost; }
    FormField.-active .field-label { color: $accent; text-style: bold; }
    FormField .field-note { height: auto; padding-left: 18; color: $text-muted; display: none; }
    FormField .field-note.-shown { display: block; }
    FormField .field-note.-error { color: $text-error; }
    """

    def __init__(self, label: str, control: Widget) -> None:
        super().__init__()
        self.label, self.control = label, control
        self.error = self.hint = ""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label, classes="field-label", markup=False)
            yield self.control
        yield Static("", classes="field-note", markup=False)

    # A class, not :focus-within, which does not restyle the label when focus moves on.
    def on_descendant_focus(self) -> None:
        self.add_class("-active")

    def on_descendant_blur(self) -> None:
        self.remove_class("-active")

    def show(self, error: str = "", hint: str = "") -> None:
        self.error, self.hint = error, hint
        note = self.query_one(".field-note", Static)
        note.update(Text(printable(error or hint)))  # an error may quote what was typed or pasted
        note.set_class(bool(error or hint), "-shown")
        note.set_class(bool(error), "-error")


def check(field_input: Input) -> bool:
    """Validate ``field_input`` now and show the outcome in its FormField; True when valid."""
    result = field_input.validate(field_input.value)
    valid = result is None or result.is_valid
    hint = ""
    if valid and field_input.value.strip():
        hint = " ".join(
            v.explain(field_input.value) for v in field_input.validators if isinstance(v, Explaining)
        ).strip()
    error = "" if valid or result is None else "; ".join(result.failure_descriptions)
    field_input.query_ancestor(FormField).show(error, hint)
    return valid
