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

from ..keymap import one_language
from ..widgets.fields import Amount, FormField, Percent, Required
from .dialog import Dialog, titled

Entry = dict[str, Any]
NO_ROLE = ""
CONTACT_FIELDS = (  # key, label, placeholder
    ("title", "职务 Title", "总经理 · IT经理"),
    ("phone", "电话 Phone", "+86 138 0013 8000"),
    ("email", "邮箱 E-mail", ""),
    ("wechat", "微信 WeChat", ""),
    ("note", "备注 Note", ""),
)
SAVE_KEYS = (("tab", "字段 field"), ("enter/^s", "保存 save"), ("esc", "取消 cancel"))


class _EntryDialog(Dialog[Entry | None]):
    """A dialog adding one entry to a customer: its title names the customer."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "保存 Save", priority=True)]
    KEYS = SAVE_KEYS
    WHAT: ClassVar[str]  # the title's words, ``中文 English``

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        self.customer_name = customer_name

    def heading(self) -> Text:
        return titled(one_language(self.WHAT, self.words.english), name=self.customer_name)


class ContactFormScreen(_EntryDialog):
    """A contact: name (required), role in the buying decision, title, phone, e-mail, WeChat, note."""

    WHAT = "添加联系人 Add contact"

    def compose_body(self) -> ComposeResult:
        yield FormField("姓名 Name *", Input(id="c-name", validators=[Required(self.words)], compact=True))
        roles = [(Text(f"{r.label}  {r.label_en}"), r.id) for r in contacts.ROLES]
        yield FormField(
            "角色 Role",
            Select(
                [(Text("—"), NO_ROLE), *roles], value=NO_ROLE, allow_blank=False, compact=True, id="c-role"
            ),
        )
        for key, label, hint in CONTACT_FIELDS:
            yield FormField(label, Input(placeholder=hint, id=f"c-{key}", compact=True))

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

    WHAT = "添加产品 Add product"

    def compose_body(self) -> ComposeResult:
        yield FormField("产品 Product *", Input(id="p-name", validators=[Required(self.words)], compact=True))
        yield FormField(
            "数量 Quantity", Input(placeholder="1", id="p-quantity", validators=[Amount()], compact=True)
        )
        yield FormField(
            "单价 Unit price",
            Input(placeholder="9000 · 0.9万", id="p-price", validators=[Amount()], compact=True),
        )
        yield FormField(
            "折扣 Discount %",
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
