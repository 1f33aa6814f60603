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
from .dialog import Dialog, titled

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
    """A dialog adding one entry to a customer: its title names the customer."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "key.save", priority=True)]
    KEYS = (("tab", "key.field"), ("enter/^s", "key.save"), ("esc", "key.cancel"))
    WHAT: ClassVar[str]  # the title's catalog key

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        self.customer_name = customer_name

    def heading(self) -> Text:
        return titled(self.words(self.WHAT), name=self.customer_name)


class ContactFormScreen(_EntryDialog):
    """A contact: name (required), role in the buying decision, title, phone, e-mail, WeChat, note."""

    WHAT = "contact.title"

    def compose_body(self) -> ComposeResult:
        words = self.words
        yield FormField(
            words("contact.name"), Input(id="c-name", validators=[Required(self.words)], compact=True)
        )
        roles = [(Text(r.label_en if words.english else r.label), r.id) for r in contacts.ROLES]
        yield FormField(
            words("contact.role"),
            Select(
                [(Text("—"), NO_ROLE), *roles], value=NO_ROLE, allow_blank=False, compact=True, id="c-role"
            ),
        )
        for key, label, hint in CONTACT_FIELDS:
            yield FormField(words(label), Input(placeholder=hint, id=f"c-{key}", compact=True))

    def on_mount(self) -> None:
        self.query_one("#c-name", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        if not self.form_valid():
            return
        role = self.query_one("#c-role", Select).value
        fields = {key: self.query_one(f"#c-{key}", Input).value for key, _, _ in CONTACT_FIELDS}
        name = self.query_one("#c-name", Input).value
        self.dismiss(contacts.new_contact(name, role if isinstance(role, str) and role else None, **fields))


class ProductFormScreen(_EntryDialog):
    """A product: name (required), quantity, unit price (``0.9万`` reads as 9000), discount %."""

    WHAT = "product.title"

    def compose_body(self) -> ComposeResult:
        words = self.words
        yield FormField(
            words("product.name"), Input(id="p-name", validators=[Required(self.words)], compact=True)
        )
        yield FormField(
            words("product.quantity"),
            Input(placeholder="1", id="p-quantity", validators=[Amount()], compact=True),
        )
        yield FormField(
            words("product.price"),
            Input(placeholder="9000 · 0.9万", id="p-price", validators=[Amount()], compact=True),
        )
        yield FormField(
            words("product.discount"),
            Input(placeholder="0-100", id="p-discount", validators=[Percent()], compact=True),
        )

    def on_mount(self) -> None:
        self.query_one("#p-name", Input).focus()

    @on(Input.Submitted)
    def action_submit(self) -> None:
        if not self.form_valid():
            return
        value = {
            key: self.query_one(f"#p-{key}", Input).value for key in ("name", "quantity", "price", "discount")
        }
        self.dismiss(
            contacts.new_product(
                value["name"],
                parse_amount(value["quantity"]),
                parse_amount(value["price"]),
                parse_percent(value["discount"]),
            )
        )
