"""Contacts, products, and the endings of a customer file: merge, archive, delete."""

from __future__ import annotations

import sys

import click

from pipeline import actions, archive, contacts
from pipeline.combine import combine_changes, kept_over, preview, summary
from pipeline.errors import TuiboardError
from pipeline.model import Customer
from pipeline.problems import printable
from pipeline.rules import sorted_history
from pipeline.store import Board

from .util import Amount, fail, printable_lines, resolve, store_from

ROLE_HELP = ", ".join(f"{r.id} ({r.label})" for r in contacts.ROLES)


def _done(text: str) -> None:
    click.echo(printable(text))


# -- contacts and products ----------------------------------------------------------------


@click.group()
def contact() -> None:
    """Add or remove a customer's contacts ([[contacts]]: name, role in the decision, phone …).

    \b
    Examples:
      tuiboard contact add suzhou 张伟 --role 决策人 --title 总经理 --phone "138 0013 8000"
      tuiboard contact add suzhou 李娜 --role user --email li.na@example.com --wechat lina_sz
      tuiboard contact rm suzhou 2        # the number `tuiboard show` lists, or the name
    """


@contact.command("add")
@click.argument("customer_id", metavar="ID")
@click.argument("name")
@click.option("--role", help=f"Role in the buying decision: {ROLE_HELP}.")
@click.option("--title", help="Job title (职务).")
@click.option("--phone")
@click.option("--email")
@click.option("--wechat", help="WeChat id (微信).")
@click.option("--note")
@click.pass_context
def contact_add(
    ctx: click.Context, customer_id: str, name: str, role: str | None, **fields: str | None
) -> None:
    """Add a contact to customer ID."""
    store, board = store_from(ctx)
    c = resolve(board, customer_id)
    entry = contacts.new_contact(name, role, **fields)
    result = actions.add_entry(store, c, "contacts", entry, reread=True)
    _done(f"{c.name}: contact {contacts.contact_line(entry)} ({result.customer.path.name})")


@contact.command("rm")
@click.argument("customer_id", metavar="ID")
@click.argument("which")
@click.pass_context
def contact_rm(ctx: click.Context, customer_id: str, which: str) -> None:
    """Remove contact WHICH (its number in `tuiboard show`, or its name) from customer ID."""
    _remove(ctx, customer_id, "contacts", which)


@click.group()
def product() -> None:
    """Add or remove the products a deal is about ([[products]]: 拟购主要产品).

    The products' total (quantity × unit price, less the discount) is 拟购产品金额: `check`
    warns when the customer's amount differs from it by more than 1 %.

    \b
    Examples:
      tuiboard product add suzhou "ERP 标准版" --quantity 20 --price 9000 --discount 10
      tuiboard product add suzhou 实施服务 --price 3万
      tuiboard product rm suzhou 实施服务
    """


@product.command("add")
@click.argument("customer_id", metavar="ID")
@click.argument("name")
@click.option("--quantity", type=float, help="How many (default 1).")
@click.option("--price", "unit_price", type=Amount(), help="Unit price: 9000, 0.9万, 9k.")
@click.option("--discount", type=float, help="Percent off, 0-100.")
@click.pass_context
def product_add(
    ctx: click.Context,
    customer_id: str,
    name: str,
    quantity: float | None,
    unit_price: float | None,
    discount: float | None,
) -> None:
    """Add a product to customer ID."""
    store, board = store_from(ctx)
    c = resolve(board, customer_id)
    entry = contacts.new_product(name, quantity, unit_price, discount)
    result = actions.add_entry(store, c, "products", entry, reread=True)
    total = contacts.products_total(result.customer.data)
    line = f"{c.name}: product {contacts.product_line(entry)}"
    if total is not None:
        line += f"; products' total {total:,.0f}"
    _done(line)
    for p in result.customer.problems:
        if "products' total" in p.message:
            click.echo(printable(f"tuiboard: warning: {p.message}"), err=True)


@product.command("rm")
@click.argument("customer_id", metavar="ID")
@click.argument("which")
@click.pass_context
def product_rm(ctx: click.Context, customer_id: str, which: str) -> None:
    """Remove product WHICH (its number in `tuiboard show`, or its name) from customer ID."""
    _remove(ctx, customer_id, "products", which)


def _remove(ctx: click.Context, customer_id: str, section: str, which: str) -> None:
    """`contact rm`, `product rm`: entry WHICH of ``section`` (``contacts``) leaves customer ID."""
    store, board = store_from(ctx)
    c = resolve(board, customer_id)
    actions.remove_entry(store, c, section, which, reread=True)
    _done(f"{c.name}: {section.removesuffix('s')} {which} removed")


# -- merge, archive, delete ---------------------------------------------------------------


@click.command("merge-customers")
@click.argument("keep", metavar="KEEP")
@click.argument("other", metavar="OTHER")
@click.option("--dry-run", is_flag=True, help="Show the change to KEEP's file; write nothing.")
@click.pass_context
def merge_customers(ctx: click.Context, keep: str, other: str, dry_run: bool) -> None:
    """Combine customer OTHER into KEEP, then archive OTHER.

    KEEP's values win; OTHER's fill the ones KEEP leaves empty. History, log, objections
    and payments are united in date order (entries both hold appear once); contacts and
    products are united by name. OTHER's file goes to archive/ (`tuiboard unarchive OTHER`
    brings it back).

    \b
    Examples:
      tuiboard merge-customers suzhou-huadong suzhou-huadong-2 --dry-run
      tuiboard merge-customers suzhou-huadong suzhou-huadong-2
    """
    store, board = store_from(ctx)
    kept, gone = resolve(board, keep), resolve(board, other)
    if dry_run:
        changes = combine_changes(kept.data, gone.data)
        click.echo(printable_lines(preview(kept, changes)), nl=False)
        for line in summary(changes) or ["nothing to add"]:
            _done(f"{kept.id}: {line}")
        for path, value in kept_over(kept.data, gone.data):
            _done(f"{kept.id}: keeps its {path} ({gone.id} has {value})")
        _done(f"would move customers/{gone.path.name} to archive/{gone.path.name}")
        return
    result = actions.merge_customers(store, kept, gone)
    merged = result.customer if result else kept
    _done(f"merged {gone.id} into {kept.id}; customers/{gone.path.name} → archive/{gone.path.name}")
    history = sorted_history(merged)
    latest = history[-1].stage if history else None
    if latest is not None and latest != merged.stage:
        _done(f"note: {kept.id} stays in stage {merged.stage}, but its latest history entry is {latest}")


@click.command("archive")
@click.argument("customer_id", metavar="ID")
@click.pass_context
def archive_cmd(ctx: click.Context, customer_id: str) -> None:
    """Move a customer's file to archive/: off the board and the metrics, kept in git.

    \b
    Examples:
      tuiboard archive suzhou
      tuiboard list --archived
      tuiboard unarchive suzhou
    """
    store, board = store_from(ctx)
    c = resolve(board, customer_id)
    path = archive.archive(store, c)
    _done(f"{c.name}: customers/{c.path.name} → {path.parent.name}/{path.name}")


@click.command("unarchive")
@click.argument("customer_id", metavar="ID")
@click.pass_context
def unarchive_cmd(ctx: click.Context, customer_id: str) -> None:
    """Bring an archived (or deleted) customer back to the board.

    \b
    Examples:
      tuiboard unarchive suzhou
    """
    store, _ = store_from(ctx)
    c = archive.unarchive(store, customer_id)
    _done(f"{c.name}: back on the board (customers/{c.path.name})")


@click.command("delete")
@click.argument("customer_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Don't ask.")
@click.pass_context
def delete_cmd(ctx: click.Context, customer_id: str, yes: bool) -> None:
    """Delete a customer's file (on the board or archived), after asking.

    Its last version is kept in .tuiboard/ (`tuiboard unarchive ID` brings it back);
    a committed file is also in git's history. To take a customer off the board but keep
    it in the shared folder, archive it instead.

    \b
    Examples:
      tuiboard delete suzhou            # asks
      tuiboard delete suzhou --yes
    """
    store, board = store_from(ctx)
    found = _on_board_or_archived(board, customer_id)
    where = f"{found.path.parent.name}/{found.path.name}"
    if not yes:
        if not sys.stdin.isatty():
            fail(f"deleting {where} needs --yes (or run it in a terminal to be asked)")
        click.confirm(printable(f"delete {found.name} ({where})?"), abort=True, err=True)
    kept = archive.delete(store, found)
    _done(
        f"{found.name}: {where} deleted (a copy is in {kept}; `tuiboard unarchive {found.id}` brings it back)"
    )


def _on_board_or_archived(board: Board, key: str) -> Customer:
    try:
        return resolve(board, key)
    except TuiboardError as on_board:  # not on the board: perhaps archived
        try:
            return archive.find_archived(board.root, board.config, key)
        except TuiboardError:
            raise on_board from None
