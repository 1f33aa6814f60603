"""The board's saved views and marked cards, mixed into `BoardApp`.

Views: ``1``–``9`` switch to the nth ``[views.NAME]`` of pipeline.toml, ``0`` back to
everything; the active view's name is in the title while its filter is unchanged, and the
next start opens with it (``.tuiboard/view``, this clone's own state). The filter dialog's
``v`` saves the current filter as a view (`pipeline.view_edit.save_view`).

Marks: ``space`` marks the selected card, ``V`` every card of its column (as filtered), ``esc``
clears them once the search is clear. With marks, move, won, lost, next action and ``e``
(owner, tier) apply to every marked card through `pipeline.actions.bulk*` (each file locked,
checked, verified, written on its own), one toast sums it up, and one ``u`` undoes the batch
(each file only if nobody changed it since).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import actions, rules
from pipeline.actions import BulkResult
from pipeline.errors import TuiboardError
from pipeline.model import Customer
from pipeline.query import Filter, filter_criteria, view_filter, view_named
from pipeline.safefs import read_in_state, replace_in_state
from pipeline.store import Board
from pipeline.view_edit import save_view
from pipeline.views import MAX_NAME, View, find, view_table
from pipeline.watch import Batch

from .marks import Marks, summary
from .me import whoami
from .textout import safe

if TYPE_CHECKING:
    from .app import Undo

VIEW_STATE = "view"  # .tuiboard/view: the name of the view the board last showed ("" for none)


@dataclass(frozen=True, slots=True)
class BatchUndo:
    """One `u` for a bulk write: each file put back only if it still holds what was written."""

    entries: tuple[Undo, ...]
    what: str


class ViewsAndMarks:
    """Views and marks for `BoardApp` (which provides the store thread, dialogs and `say`)."""

    view_name: str | None
    view_flt: Filter | None
    marks: Marks

    def init_views_and_marks(self, view: str | None) -> None:
        self.view_name, self.view_flt = view, None  # the name asked for; applied after the load
        self.marks = Marks()

    # -- views ---------------------------------------------------------------------------

    def apply_initial_view(self: Any) -> None:
        """`tuiboard --view NAME` (checked by the CLI; a config changed meanwhile says so), else
        the view the board showed when it was last closed, if pipeline.toml still has it."""
        if self.board is None:
            return
        if self.view_name is None:
            remembered = find(self.board.config.views, remembered_view(self.root) or "")
            if remembered is not None:
                self.apply_view(remembered)
            return
        try:
            self.apply_view(view_named(self.board.config.views, self.view_name))
        except TuiboardError as exc:
            self.view_name = None
            self.say(str(exc), "warning")

    def action_use_view(self: Any, number: int) -> None:
        """The nth saved view (1-9), or everything (0)."""
        if self.board is None:
            return
        views: tuple[View, ...] = self.board.config.views
        if number == 0:
            self.flt, self.view_name, self.view_flt = Filter(), None, None
            self.remember_view(None)
            self.refresh_view()
            self.say(self.t("显示全部客户", "everyone's customers"))
        elif number <= len(views):
            self.apply_view(views[number - 1])
        elif views:
            self.say(self.t(f"只有 {len(views)} 个视图", f"there are {len(views)} views"), "warning")
        else:
            self.say(
                self.t(
                    "还没有视图：在筛选（f）里按 v 保存，或在 pipeline.toml 写 [views.名称]",
                    "no views yet: press v in the filter (f), or add [views.NAME] to pipeline.toml",
                ),
                "warning",
            )

    def apply_view(self: Any, view: View) -> None:
        try:
            flt = view_filter(view, whoami(self.root) if view.mine else None)
        except TuiboardError as exc:
            self.say(str(exc), "warning")
            return
        self.flt, self.view_name, self.view_flt = flt, view.name, flt
        if view.sort:
            self.sort = view.sort
        self.remember_view(view.name)
        self.refresh_view()

    def remember_view(self: Any, name: str | None) -> None:
        """For the next start; a state folder that cannot be written (a planted link) forgets."""
        if self.read_only:
            return
        with contextlib.suppress(OSError):
            replace_in_state(self.root, VIEW_STATE, (name or "").encode("utf-8"), durable=False)

    def active_view(self: Any) -> str | None:
        """The view's name while the filter is still the view's (a search or `f` ends it)."""
        return self.view_name if self.view_flt is not None and self.flt == self.view_flt else None

    async def save_as_view(self: Any, flt: Filter) -> None:
        """The filter dialog's ``v``: name it, then write ``[views.NAME]`` into pipeline.toml."""
        from .screens.view_name import ViewNameScreen

        views = self.board.config.views
        name = await self.push_screen_wait(ViewNameScreen(flt, views))
        if name is None:
            return
        table = view_table(filter_criteria(flt), sort=self.sort if self.sort != "due" else "")
        try:
            saved = await self._in_store(save_view, self.root, name, table, find(views, name))
        except TuiboardError as exc:
            self.say(str(exc), "error")
            return
        await self._reload(Batch(frozenset({self.root / "pipeline.toml"}), rescan=False), announce=False)
        self.flt, self.view_name, self.view_flt = flt, saved.name, flt
        self.remember_view(saved.name)
        self.refresh_view()
        number = next((i for i, v in enumerate(self.board.config.views, 1) if v.name == saved.name), 0)
        key = f"，按 {number} 切换" if 0 < number < 10 else ""
        key_en = f"; press {number} for it" if 0 < number < 10 else ""
        self.say(self.t(f"已保存视图「{safe(name)}」{key}", f"view {safe(name)} saved{key_en}"))

    # -- marks ---------------------------------------------------------------------------

    def action_mark(self: Any) -> None:
        customer = self._need_selected()
        if customer is not None:
            self.marks.toggle(customer.id)
            self.redraw_marks()

    def action_mark_column(self: Any) -> None:
        cards = self._current_list()
        if cards is not None and cards.cards:
            self.marks.toggle_all(c.id for c in cards.cards)
            self.redraw_marks()

    def clear_marks(self: Any) -> bool:
        """Unmark everything; False when nothing was marked."""
        if not self.marks.clear():
            return False
        self.redraw_marks()
        self.say(self.t("已清除标记", "marks cleared"))
        return True

    def redraw_marks(self: Any) -> None:
        self.painter.marks = self.marks
        screen = self.board_screen
        if screen is not None:
            for column in self._columns():
                column.cards.refresh()
        self.refresh_view()  # the title counts the marks

    def marked(self: Any) -> list[Customer]:
        """The marked customers on screen now (a marked card the filter hides is unmarked)."""
        shown = {c.id: c for column in self._columns() for c in column.cards.cards}
        return self.marks.customers(shown)

    def marks_title(self: Any) -> str:
        count = len(self.marks)
        if not count:
            return ""
        return self.t(f"已标记 {count}（esc 清除）", f"{count} marked (esc clears)")

    # -- bulk writes ---------------------------------------------------------------------

    def _many(self: Any, count: int) -> str:
        return self.t(f"{count} 个客户", f"{count} customers")

    async def bulk_move(self: Any, step: int = 0, target: str | None = None) -> None:
        """Every marked card a stage on or back (each from its own stage), or all to ``target``
        (won, lost). One dialog per target stage (criteria, why back, why lost) for all of its cards."""
        board: Board = self.board
        config = board.config
        groups: dict[str, list[Customer]] = {}
        for c in self.marked():
            to = target or rules.neighbour_stage(config, c.stage, step, self.show_lost)
            if to is not None:
                groups.setdefault(to, []).append(c)
        if not groups:
            self.say(self.t("那边没有阶段了", "no stage that way"), "warning")
            return
        moves: list[tuple[str, list[Customer], str | None]] = []
        for to, customers in groups.items():
            back = any(config.stage_index(to) < config.stage_index(c.stage) for c in customers)
            asked = await self.ask_move(to, self._many(len(customers)), back)
            if asked is None:
                return  # escape: nothing is written
            moves.append((to, customers, asked[1]))
        from .cli_tools import move_refusal

        def run() -> BulkResult:
            results = [
                actions.bulk_move(
                    self.store, cs, to, self.today, why, veto=partial(_vetoed, move_refusal, board, to)
                )
                for to, cs, why in moves
            ]
            return BulkResult(
                tuple(w for r in results for w in r.written), tuple(x for r in results for x in r.refused)
            )

        await self.run_bulk(run, "移动", "moved", _move_events(board))

    async def bulk_next(self: Any) -> None:
        from .screens.next_action import NextActionScreen

        marked = self.marked()
        probe = replace(marked[0], name=self._many(len(marked)), next_action=None, next_due=None)
        picked = await self.push_screen_wait(NextActionScreen(probe, self.board.config, self.today))
        if picked is not None:
            action, due = picked
            run = partial(actions.bulk_next, self.store, marked, action, due)
            await self.run_bulk(run, "设置下一步", "next action set", lambda _: ())

    async def bulk_fields(self: Any) -> None:
        from .screens.bulk_fields import BulkFieldsScreen

        marked = self.marked()
        fields = await self.push_screen_wait(BulkFieldsScreen(self.board.config, len(marked), self.english))
        if fields is None:
            return
        if not fields:
            self.say(self.t("没有改动", "nothing changed"))
            return
        await self.run_bulk(
            partial(actions.bulk_set, self.store, marked, fields), "修改", "changed", lambda _: ()
        )

    async def run_bulk(
        self: Any,
        run: Callable[[], BulkResult],
        done_zh: str,
        done_en: str,
        events: Callable[[Customer], tuple[str, ...]],
    ) -> None:
        """Write on the store thread; undo as one batch; marks stay on the refused cards only."""
        from .app import Undo

        try:
            result, board = await self._in_store(_bulk_in_store, self.store, run)
        except TuiboardError as exc:  # refused as a whole, before any file (an empty action)
            self.say(str(exc), "error")
            return
        line = summary(result, done_zh, done_en, self.english)
        if result.written:
            entries = tuple(
                Undo(w.customer.id, w.customer.path, w.before, w.after, safe(w.customer.name))
                for w in result.written
            )
            self.undo_stack.append(BatchUndo(entries, line))
        self.marks.clear()
        for refusal in result.refused:
            self.marks.toggle(refusal.customer.id)
        self.painter.marks = self.marks
        await self._show_board(board)
        if result.refused:  # a file that changed on disk is shown as it is now
            paths = frozenset(r.customer.path for r in result.refused)
            await self._reload(Batch(paths, rescan=False), announce=False)
        self.redraw_marks()
        self.say(line, "warning" if result.refused else "information")
        for written in result.written:
            await self._run_hooks(written.customer.id, events(written.customer))

    async def undo_batch(self: Any, entry: BatchUndo) -> None:
        triples = [(e.path, e.before, e.after) for e in entry.entries]
        restored, refused = await self._in_store(actions.undo_bulk, self.store, triples)
        await self._show_board(await self._in_store(self.store.board))
        first = next((e for e in entry.entries if e.path in restored), None)
        if first is not None:
            self.focus_customer(first.customer_id)
        names = {e.path: e.what for e in entry.entries}
        if refused:
            why = "; ".join(f"{names[p]}: {reason}" for p, reason in refused[:3])
            self.say(
                self.t(
                    f"已撤销 {len(restored)} 个，{len(refused)} 个未撤销：{why}",
                    f"{len(restored)} undone, {len(refused)} not: {why}",
                ),
                "warning",
            )
        else:
            self.say(self.t(f"已撤销 {len(restored)} 个客户的修改", f"undone for {len(restored)} customers"))


def remembered_view(root: Path) -> str | None:
    """The name in ``.tuiboard/view`` (untrusted: bounded, never through a link, UTF-8 or nothing)."""
    data = read_in_state(root, VIEW_STATE, 4 * MAX_NAME)
    try:
        return (data.decode("utf-8").strip() or None) if data else None
    except UnicodeDecodeError:
        return None


def _bulk_in_store(store: Any, run: Callable[[], BulkResult]) -> tuple[BulkResult, Board]:
    result = run()
    return result, store.board()


def _vetoed(
    refusal: Callable[[Board, Customer, str], str | None], board: Board, to: str, c: Customer
) -> str | None:
    return refusal(board, c, to)


def _move_events(board: Board) -> Callable[[Customer], Sequence[str]]:
    from .cli_tools import move_events

    return lambda c: move_events(board, c.stage)
