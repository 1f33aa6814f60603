"""The two small forms that add a ``[[contacts]]`` or a ``[[products]]`` entry to a customer.

Each returns the entry as `pipeline.contacts` builds it (the same as `tuiboard contact add`
and `tuiboard product add`), or None when cancelled; the board writes it with
`pipeline.actions.add_entry`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Select

from pipeline import contacts
from pipeline.parse_input import parse_amount, parse_percent

from ..widgets.fields import Amount, FormField, Percent, Required
from .dialog import Dialog, after_typing, titled

Entry = dict[str, Any]
NO_ROLE = ""
CONTACT_FIELDS = (  # key, label (a catalog key), placeholder
    ("title", "contact.job", "总经理 · IT经理"),
    ("phone", "contact.phone", "+86 138 0013 8000"),
    ("email", "contact.email", ""),
    ("wechat", "contact.wechat", ""),
    ("note", "contact.note", ""),
)


class _EntryDialog(Dialog[Entry | None]):
    """A dialog adding one entry to a customer: its title names the customer, its first field
    is the entry's name (required); enter or ctrl+s returns `entry`."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "key.save", priority=True)]
    KEYS = (("tab", "key.field"), ("enter/^s", "key.save"), ("esc", "key.cancel"))
    WHAT: ClassVar[str]  # ``contact`` or ``product``: catalog keys WHAT.title, WHAT.name; ids #c-*, #p-*

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        self.customer_name = customer_name

    def heading(self) -> Text:
        return titled(self.words(f"{self.WHAT}.title"), name=self.customer_name)

    def compose_body(self) -> ComposeResult:
        name = Input(id=f"{self.WHAT[0]}-name", validators=[Required(self.words)], compact=True)
        yield FormField(self.words(f"{self.WHAT}.name"), name)
        yield from self.compose_fields()

    def compose_fields(self) -> ComposeResult:
        """The fields after the name."""
        yield from ()

    def entry(self, name: str) -> Entry:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one(f"#{self.WHAT[0]}-name", Input).focus()

    @on(Input.Submitted)
    @after_typing
    def action_submit(self) -> None:
        if self.form_valid():
            self.dismiss(self.entry(self.value("name")))

    def value(self, key: str) -> str:
        return self.query_one(f"#{self.WHAT[0]}-{key}", Input).value


class ContactFormScreen(_EntryDialog):
    """A contact: name (required), role in the buying decision, title, phone, e-mail, WeChat, note."""

    WHAT = "contact"

    def compose_fields(self) -> ComposeResult:
        words = self.words
        roles = [(Text(r.label_en if words.english else r.label), r.id) for r in contacts.ROLES]
        yield FormField(
            words("contact.role"),
            Select(
                [(Text("—"), NO_ROLE), *roles], value=NO_ROLE, allow_blank=False, compact=True, id="c-role"
            ),
        )
        for key, label, hint in CONTACT_FIELDS:
            yield FormField(words(label), Input(placeholder=hint, id=f"c-{key}", compact=True))

    def entry(self, name: str) -> Entry:
        role = self.query_one("#c-role", Select).value
        fields = {key: self.value(key) for key, _, _ in CONTACT_FIELDS}
        return contacts.new_contact(name, role if isinstance(role, str) and role else None, **fields)


class ProductFormScreen(_EntryDialog):
    """A product: name (required), quantity, unit price (``0.9万`` reads as 9000), discount %."""

    WHAT = "product"

    def compose_fields(self) -> ComposeResult:
        words = self.words
        yield FormField(
            words("product.quantity"),
            Input(placeholder="1", id="p-quantity", validators=[Amount(self.words)], compact=True),
        )
        yield FormField(
            words("product.price"),
            Input(placeholder="9000 · 0.9万", id="p-price", validators=[Amount(self.words)], compact=True),
        )
        yield FormField(
            words("product.discount"),
            Input(placeholder="0-100", id="p-discount", validators=[Percent(self.words)], compact=True),
        )

    def entry(self, name: str) -> Entry:
        return contacts.new_product(
            name,
            parse_amount(self.value("quantity")),
            parse_amount(self.value("price")),
            parse_percent(self.value("discount")),
        )
