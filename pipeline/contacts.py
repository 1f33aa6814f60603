"""Contacts with a role in the buying decision, and the products a deal is about.

``[[contacts]]`` (seed 000's 决策链 and 客户联系人, seed 001's 拍板人/使用者/参谋者 and
客户关键人信息) and ``[[products]]`` (seed 000's 拟购主要产品 / 拟购产品金额). The old single
``[contact]`` table stays valid beside them. Pure rules: reading, checking, the products'
total, and the changes that add or remove an entry (written by `pipeline.actions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .errors import UsageError
from .model import is_number

if TYPE_CHECKING:  # edit imports format, which imports this module's checks
    from .edit import Change


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    label: str  # the seeds' word
    label_en: str


ROLES = (
    Role("decision", "决策人", "decision maker"),  # seed 000 决策人, seed 001 拍板人
    Role("approver", "批准人", "approver"),  # seed 000 批准者
    Role("advisor", "参谋者", "influencer"),  # seed 001 参谋者
    Role("technical", "技术把关", "technical evaluator"),
    Role("user", "使用者", "user"),  # seed 001 使用者
    Role("purchasing", "采购", "purchasing"),  # seed 000 采购比价
    Role("finance", "财务", "finance"),
    Role("other", "其他", "other"),
)
ROLE_IDS = tuple(r.id for r in ROLES)
CONTACT_KEYS = ("name", "role", "title", "phone", "email", "wechat", "note")
PRODUCT_KEYS = ("name", "quantity", "unit_price", "discount", "note")
AMOUNT_TOLERANCE = 0.01  # amount and the products' total may differ by 1 % (rounding, a small fee)


def role_label(role_id: str | None) -> str:
    """``决策人 decision maker`` for a known role id; an unknown one as written."""
    role = next((r for r in ROLES if r.id == role_id), None)
    return f"{role.label} {role.label_en}" if role else (role_id or "")


def role_of(text: str) -> str:
    """A role as a rep types it: the id, the Chinese label or the English label."""
    wanted = text.strip().casefold()
    for role in ROLES:
        if wanted in (role.id, role.label, role.label_en.casefold()):
            return role.id
    known = ", ".join(f"{r.id} ({r.label})" for r in ROLES)
    raise UsageError(f"unknown role {text!r} (known: {known})")


class Checker(Protocol):
    """What `pipeline.format` gives the checks: problems located by key path."""

    def error(self, keys: tuple[Any, ...], message: str) -> None: ...
    def warning(self, keys: tuple[Any, ...], message: str) -> None: ...


def entries(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The tables of the array ``key`` (anything else in it is left out: `check` reports it)."""
    raw = data.get(key)
    return [e for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []


def product_total(product: dict[str, Any]) -> float | None:
    """quantity (default 1) x unit_price, less the discount (percent); None without a price."""
    price, quantity, discount = (
        product.get("unit_price"),
        product.get("quantity", 1),
        product.get("discount", 0),
    )
    if not (is_number(price) and is_number(quantity) and is_number(discount)):
        return None
    return float(quantity) * float(price) * (1 - float(discount) / 100)


def products_total(data: dict[str, Any]) -> float | None:
    """The sum over ``[[products]]`` (拟购产品金额); None when there are none or one has no price."""
    return _total(entries(data, "products"))


def _total(products: list[dict[str, Any]]) -> float | None:
    totals = [product_total(p) for p in products]
    if not totals or any(t is None for t in totals):
        return None
    return sum(t for t in totals if t is not None)


Entries = list[tuple[int, dict[str, Any]]]  # (index in the array, entry) of its tables


def check(people: Entries, products: Entries, amount: float | None, check: Checker) -> None:
    """Problems of the ``[[contacts]]`` and ``[[products]]`` entries (`pipeline.format` has
    checked that each is an array of tables). A missing name, an unknown role or a phone
    written as a number is a warning; a price that is not a number is an error, as a
    payment's amount is."""
    for i, contact in people:
        if not isinstance(contact.get("name"), str) or not contact["name"].strip():
            check.warning(("contacts", i), "a contact needs a name")
        role = contact.get("role")
        if role is not None and role not in ROLE_IDS:
            check.warning(("contacts", i, "role"), f"unknown role {role!r} (known: {', '.join(ROLE_IDS)})")
        for key in CONTACT_KEYS[2:]:
            value = contact.get(key)
            if value is not None and not isinstance(value, str):
                hint = " (quote it: a number drops a leading 0 or +)" if key == "phone" else ""
                check.warning(("contacts", i, key), f"contacts[{i}].{key} should be a string{hint}")
    for i, product in products:
        if not isinstance(product.get("name"), str) or not product["name"].strip():
            check.warning(("products", i), "a product needs a name")
        for key in ("quantity", "unit_price", "discount"):
            value = product.get(key)
            if value is None:
                continue
            if not is_number(value) or value < 0:
                check.error(("products", i, key), f"products[{i}].{key} must be a number, not negative")
            elif key == "discount" and value > 100:
                check.error(("products", i, key), "a discount is a percentage between 0 and 100")
    total = _total([p for _, p in products])
    if amount is not None and total is not None and abs(amount - total) > AMOUNT_TOLERANCE * max(total, 1):
        check.warning(
            ("amount",),
            f"amount {amount:,.0f} differs from the products' total {total:,.0f} (拟购产品金额);"
            " correct one of them",
        )


# -- the changes that add or remove one ---------------------------------------------------


def new_contact(name: str, role: str | None = None, **fields: str | None) -> dict[str, Any]:
    """A ``[[contacts]]`` entry in the format's key order; empty fields are left out."""
    if not name.strip():
        raise UsageError("a contact needs a name")
    entry: dict[str, Any] = {"name": name.strip()}
    if role:
        entry["role"] = role_of(role)
    for key in CONTACT_KEYS[2:]:
        value = fields.pop(key, None)
        if value and value.strip():
            entry[key] = value.strip()
    if fields:
        raise UsageError(f"a contact has no field {next(iter(fields))!r}")
    return entry


def new_product(
    name: str, quantity: float | None = None, unit_price: float | None = None, discount: float | None = None
) -> dict[str, Any]:
    """A ``[[products]]`` entry; whole numbers are written as integers."""
    if not name.strip():
        raise UsageError("a product needs a name")
    if discount is not None and not 0 <= discount <= 100:
        raise UsageError("a discount is a percentage between 0 and 100")
    entry: dict[str, Any] = {"name": name.strip()}
    for key, value in (("quantity", quantity), ("unit_price", unit_price), ("discount", discount)):
        if value is not None:
            if value < 0:
                raise UsageError(f"{key} must not be negative")
            entry[key] = int(value) if float(value).is_integer() else value
    return entry


def add_changes(array: str, entry: dict[str, Any]) -> list[Change]:
    from .edit import Append

    return [Append(array, entry)]


def remove_changes(data: dict[str, Any], array: str, which: str) -> list[Change]:
    """Remove the entry ``which`` names: its number as `show` lists it (1, 2 …), or its exact
    name (a name two entries share must be given by number)."""
    from .changes import Remove

    raw = data.get(array)
    items = raw if isinstance(raw, list) else []
    if which.isdigit():
        at = int(which) - 1
        if not items:
            raise UsageError(f"there are no {array} to remove")
        if not 0 <= at < len(items):
            raise UsageError(f"there is no {array[:-1]} number {which} (1 to {len(items)})")
        return [Remove(array, at)]
    found = [i for i, e in enumerate(items) if isinstance(e, dict) and e.get("name") == which.strip()]
    main = data.get("contact")
    if not found and array == "contacts" and isinstance(main, dict) and main.get("name") == which.strip():
        raise UsageError(
            f"{which.strip()} is the main contact ([contact]), not one of the others: "
            "change it in the board's form (e) or in the file"
        )
    if not found:
        raise UsageError(f"no {array[:-1]} named {which!r}")
    if len(found) > 1:
        numbers = ", ".join(str(i + 1) for i in found)
        raise UsageError(f"{len(found)} {array} are named {which!r}: give the number ({numbers})")
    return [Remove(array, found[0])]


# -- one line each, for `show` and the details screen -------------------------------------


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def contact_line(contact: dict[str, Any]) -> str:
    """``张伟 · 决策人 decision maker · 信息部经理 · +86 138 … · 微信 zw`` (raw text: print it
    through `printable`)."""
    parts = [str(contact.get("name", "—"))]
    if contact.get("role") is not None:
        parts.append(role_label(str(contact["role"])))
    parts += [str(contact[k]) for k in ("title", "phone", "email") if contact.get(k) is not None]
    if contact.get("wechat") is not None:
        parts.append(f"微信 {contact['wechat']}")
    if contact.get("note") is not None:
        parts.append(f"({contact['note']})")
    return " · ".join(parts)


def product_line(product: dict[str, Any]) -> str:
    """``ERP 标准版 · 20 × 9,000 -10% = 162,000``; the name alone when it has no price."""
    name = str(product.get("name", "—"))
    total = product_total(product)
    if total is None:
        return name
    quantity = product.get("quantity", 1)
    discount = product.get("discount", 0)
    off = f" -{_amount(discount)}%" if discount else ""
    return f"{name} · {_amount(quantity)} × {_amount(product['unit_price'])}{off} = {_amount(total)}"


def search_text(data: dict[str, Any]) -> tuple[str, str, str]:
    """The names of the ``[[contacts]]`` (``[contact]``'s is `Customer.contact`), and the
    phones and e-mails of both, each NUL-joined: `pipeline.search` finds a customer by any."""
    single = data.get("contact")
    people = entries(data, "contacts")
    names = "\0".join(v for p in people if isinstance(v := p.get("name"), str))
    if isinstance(single, dict):
        people = [single, *people]
    phones, emails = (
        "\0".join(v for p in people if isinstance(v := p.get(k), str)) for k in ("phone", "email")
    )
    return names, phones, emails
