"""The customer form: new (``n``) or edit (``e``). Validates as you type; submits typed values by key path.

New mode returns every filled field; edit mode only the changed key paths (the stage is not
here: moves go through the move action, which appends history). Clearing a field that the
file sets is refused: removing a key is a job for $EDITOR, the form only sets values.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.suggester import SuggestFromList
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Select, Static

from pipeline import actions, contacts
from pipeline.config import Config
from pipeline.duplicates import similar
from pipeline.model import FIELD, INTENTS, Customer
from pipeline.parse_input import parse_amount, parse_percent, parse_tags, parse_when
from pipeline.problems import printable

from ..widgets.fields import Amount, FormField, Percent, Required, When
from .dialog import Dialog, after_typing, titled

KeyPath = tuple[str, ...]
Changes = dict[KeyPath, Any]
NONE = ""  # the Select value for "not set" (or "computed", for the tier)


@dataclass(frozen=True, slots=True)
class Spec:
    path: KeyPath
    label: str
    kind: str  # text | required | amount | percent | date | tags | stage | tier | source | intent

    @property
    def widget_id(self) -> str:
        return "f-" + "-".join(self.path)


def _specs(*keys: str) -> tuple[Spec, ...]:
    """The form's fields, with the labels and kinds of `pipeline.model.FIELDS`."""
    return tuple(Spec(FIELD[k].path, FIELD[k].label, FIELD[k].kind) for k in keys)


NAME = Spec(("name",), f"{FIELD['name'].label} *", "required")
SHARED = _specs(  # in both modes, in the file format's key order
    "tier", "owner", "source", "amount", "probability", "expected_close", "intent"
)
NEW_FIELDS = (NAME, *_specs("stage"), *SHARED, *_specs("next.action", "next.due"))
EDIT_FIELDS = (
    NAME,
    *SHARED,
    *_specs("contact.name", "contact.title", "contact.phone", "competitor", "tags"),
)
SELECTS = ("stage", "tier", "source", "intent")
PLACEHOLDERS = {
    "amount": "180000 · 18万 · 1.5w",
    "percent": "0-100",
    "date": "2026-12-31 · +2w · +1q",
    "tags": "ERP, 制造业",
}


class CustomerFormScreen(Dialog[Changes | None]):
    DEFAULT_CSS = """
    CustomerFormScreen > #dialog { width: 84; }
    CustomerFormScreen #fields { height: auto; max-height: 100%; }
    CustomerFormScreen #status.-warning { color: $text-warning; }
    CustomerFormScreen #people { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "key.save", priority=True)]
    KEYS = (
        ("tab/shift+tab", "key.field"),
        ("enter/^s", "key.save"),
        ("esc", "key.cancel"),
    )

    def __init__(
        self,
        config: Config,
        today: date,
        customer: Customer | None = None,
        typed: Changes | None = None,
        existing: Collection[Customer] = (),
    ) -> None:
        """``typed``: values to show instead of the file's (an edit refused because the file
        changed on disk, offered again over the reloaded file). ``existing``: the board's
        customers, for the warning that a new name looks like one of them."""
        super().__init__()
        self.config, self.today, self.customer, self.existing = config, today, customer, existing
        self.specs = NEW_FIELDS if customer is None else tuple(s for s in EDIT_FIELDS if self._editable(s))
        self.initial = {s.path: self._initial(s) for s in self.specs}
        self.shown = {**self.initial, **{p: _text(v) for p, v in (typed or {}).items() if p in self.initial}}

    # -- building ------------------------------------------------------------------------

    def heading(self) -> Text:
        if self.customer is None:
            return titled(self.words("form.new_title"))
        return titled(self.words("form.edit_title"), name=self.customer.name)

    def _editable(self, spec: Spec) -> bool:
        """A nested key can be set only where its parent is a table (or absent)."""
        parent = self.customer.data.get(spec.path[0]) if self.customer and len(spec.path) > 1 else None
        return parent is None or isinstance(parent, dict)

    def _initial(self, spec: Spec) -> Any:
        """The field's starting value: an Input's text or a Select's value."""
        c = self.customer
        if c is None:
            return self.config.stages[0].id if spec.kind == "stage" else NONE
        typed = {
            "tier": c.tier,
            "source": c.source,
            "intent": c.intent,
            "amount": c.amount,
            "probability": c.probability,
            "expected_close": c.expected_close,
            "tags": ", ".join(c.tags),
        }
        return _text(typed[spec.path[0]] if spec.path[0] in typed else _raw(c.data, spec.path))

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="fields"):
            for spec in self.specs:
                yield FormField(self._label(spec), self._control(spec))
            if self.customer is not None:
                yield Static(self._people(self.customer), id="people", classes="muted", markup=False)

    def _people(self, customer: Customer) -> Text:
        """Edit mode: the contacts and products, read-only (`C` and `P` on the board add them)."""
        lines = [
            f"• {printable(line_of(e))}"
            for key, line_of in (("contacts", contacts.contact_line), ("products", contacts.product_line))
            for e in contacts.entries(customer.data, key)
        ]
        if not lines:
            return Text(self.words("form.no_people"))
        return Text("\n".join([self.words("form.people"), *lines]))

    def _label(self, spec: Spec) -> str:
        """The field's label in the board's language, keeping a required field's ``*``."""
        label = spec.label.removesuffix(" *")
        return self.words.pair(label) + spec.label[len(label) :]

    def _control(self, spec: Spec) -> Input | Select[str]:
        initial = self.initial[spec.path]
        if spec.kind in SELECTS:
            return Select(
                self._options(spec),
                value=self.shown[spec.path],
                allow_blank=False,
                compact=True,
                id=spec.widget_id,
            )
        by_kind: dict[str, list[Validator]] = {
            "required": [Required(self.words)],
            "amount": [Amount(self.words)],
            "percent": [Percent(self.words)],
            "date": [When(self.words, self.today)],
        }
        validators = by_kind.get(spec.kind, [])
        if self.customer is not None and initial and spec.kind not in ("required", "tags"):
            validators.append(KeepSet(self.words))
        field = Input(
            self.shown[spec.path],
            placeholder=PLACEHOLDERS.get(spec.kind, ""),
            validators=validators,
            suggester=SuggestFromList(self.config.owners) if spec.path == ("owner",) else None,
            compact=True,
            id=spec.widget_id,
        )
        if self.customer is not None and _shown_escaped(_raw(self.customer.data, spec.path)):
            # What the field shows is not what the file holds (control characters made
            # visible): retyped, the shown form would be written. Kept as written.
            field.disabled = True
            field.tooltip = self.words("form.escaped")
        return field

    def _options(self, spec: Spec) -> list[tuple[Text, str]]:
        blank = self.words("form.computed") if spec.kind == "tier" else "—"
        initial = self.initial[spec.path]
        options: list[tuple[Text, str]] = []
        if spec.kind != "stage" and (self.customer is None or not initial):  # an edit cannot remove a key
            options.append((Text(blank), NONE))
        if spec.kind == "stage":
            options += [_choice(s.id, s.label, s.label_en) for s in self.config.stages]
        elif spec.kind == "tier":
            options += [_choice(t.id, t.label, t.id) for t in self.config.tiers]
        elif spec.kind == "source":
            sources = list(self.config.sources)
            if initial and initial not in sources:  # keep what the file says, even if unknown
                sources.append(initial)
            options += [_choice(s, self.config.source_label(s), s) for s in sources]
        else:
            options += [(Text(self.words(f"intent.{i}")), i) for i in INTENTS]
        return options

    def on_mount(self) -> None:
        self.query_one(f"#{NAME.widget_id}", Input).focus()
        self._update_due_hint()

    # -- live behaviour ------------------------------------------------------------------

    @on(Select.Changed)
    @on(Input.Changed, "#f-amount")  # a computed tier follows the amount
    def _update_due_hint(self) -> None:
        """New mode: an empty due date takes the cadence default; show which one."""
        if self.customer is not None:
            return
        due = self.query_one("#f-next-due", Input)
        due.placeholder = f"{self.words('form.default_due', due=self._default_due())} · +2w · 2026-12-31"

    @on(Input.Changed, "#f-name")
    def _warn_if_similar(self, event: Input.Changed) -> None:
        """New mode: a name close to an existing customer's is said (as `tuiboard new` does);
        the rep may still save."""
        if self.customer is not None:
            return
        found = similar(event.value, self.existing, limit=1) if event.value.strip() else []
        self.say(self.words("form.similar", name=printable(found[0].name)) if found else "", warning=True)

    def say(self, message: str, *, warning: bool = False) -> None:
        """The status line; ``warning``: yellow, a note that does not stop the save."""
        super().say(message)
        self.query_one("#status").set_class(warning, "-warning")

    def _default_due(self) -> date:
        return actions.default_due(self._values(), self.config, self.today)

    # -- submitting ----------------------------------------------------------------------

    @on(Input.Submitted)
    @after_typing
    def action_submit(self) -> None:
        if not self.form_valid():
            return
        values = self._values()
        if self.customer is not None:
            self.dismiss({p: v for p, v in values.items() if self._changed(p, v)})
            return
        if ("next", "due") in values and ("next", "action") not in values:
            self.query_one("#f-next-action", Input).focus()
            self.say(self.words("form.due_needs_action"))
            return
        if ("next", "action") in values and ("next", "due") not in values:
            values[("next", "due")] = self._default_due()
        self.dismiss(values)

    def _values(self) -> Changes:
        """Every filled field, typed; a field that does not parse (yet) is left out."""
        out: Changes = {}
        for spec in self.specs:
            if spec.kind in SELECTS:
                choice = self.query_one(f"#{spec.widget_id}", Select).value
                if choice != NONE:
                    out[spec.path] = choice
                continue
            try:
                value = _typed(spec.kind, self.query_one(f"#{spec.widget_id}", Input).value, self.today)
            except ValueError:
                continue
            if value not in (None, "") or (spec.kind == "tags" and self.customer is not None):
                out[spec.path] = value
        return out

    def _changed(self, path: KeyPath, value: Any) -> bool:
        """Edited, and to a different value: retyping ``18万`` over ``180000`` is no change."""
        spec = next(s for s in self.specs if s.path == path)
        initial = self.initial[path]
        if spec.kind in SELECTS:
            return value != initial
        text = self.query_one(f"#{spec.widget_id}", Input).value
        return text != initial and value != _typed(spec.kind, initial, self.today)


def _choice(value: str, label: str, label_en: str) -> tuple[Text, str]:
    return Text(f"{printable(label)}  {printable(label_en)}"), value


def _text(value: Any) -> str:
    """A value as a field's text (an Input's, or a Select's value); never raw into an Input."""
    if value is None:
        return NONE
    if isinstance(value, list):
        return ", ".join(printable(str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return printable(value if isinstance(value, str) else str(value))


def _typed(kind: str, text: str, today: date) -> Any:
    """A field's text as the value to write (raises ValueError if it does not parse)."""
    if kind == "amount":
        return parse_amount(text)
    if kind == "percent":
        return parse_percent(text)
    if kind == "date":
        return parse_when(text, today) if text.strip() else None
    if kind == "tags":
        return parse_tags(text)
    return text.strip()


def _shown_escaped(value: Any) -> bool:
    """Does the field show ``value`` other than as written (`printable` escapes in it)?"""
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and printable(v) != v for v in values)


def _raw(data: dict[str, Any], path: KeyPath) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


class KeepSet(Required):
    """Edit mode: a value the file sets may change but not be emptied (removing a key is $EDITOR's job)."""

    def validate(self, value: str) -> ValidationResult:
        if value.strip():
            return self.success()
        return self.failure(self.words("field.keep_set"))
