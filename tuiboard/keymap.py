"""The board's keys as data: one table drives the bindings, the footer, `?` and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

COLUMNS = Binding.Group("列 columns", compact=True)
MOVE = Binding.Group("移动 move", compact=True)
VIEWS = Binding.Group("视图 views", compact=True)


@dataclass(frozen=True, slots=True)
class Key:
    keys: str  # Textual key names, comma-separated
    action: str  # an action of the board screen (tuiboard/board/screen.py)
    label: str  # footer and `?`: short, Chinese then English
    help: str  # the command palette's line under the title
    footer: bool = False
    display: str | None = None
    group: Binding.Group | None = None

    def word(self, english: bool) -> str:
        """The label in one language: ``成交 won`` -> ``成交`` or ``won``."""
        return one_language(self.label, english)


def one_language(label: str, english: bool) -> str:
    """``中文 English`` -> one of the two; a label that is not such a pair stays whole."""
    zh, _, en = label.partition(" ")
    if not en or not any("\u4e00" <= ch <= "\u9fff" for ch in zh):
        return label
    return en if english else zh


KEYS: tuple[Key, ...] = (
    Key("left,h", "focus_column(-1)", "左列 left", "Focus the column to the left", True, "←", COLUMNS),
    Key("right,l", "focus_column(1)", "右列 right", "Focus the column to the right", True, "→", COLUMNS),
    Key("shift+left,H", "move(-1)", "左移 move left", "Move the card one stage back", True, "⇧←", MOVE),
    Key("shift+right,L", "move(1)", "右移 move right", "Move the card one stage on", True, "⇧→", MOVE),
    Key("g", "jump", "跳转 go to", "Find a customer by name, id, contact, phone or pinyin", True),
    Key("w", "won", "成交 won", "Mark the customer won", True),
    Key("x", "lost", "丢单 lost", "Mark the customer lost (a reason is required)", True),
    Key("n", "new", "新建 new", "Add a customer", True),
    Key(
        "e",
        "edit",
        "编辑 edit",
        "Edit the customer's fields in a form; with marks: owner, tier or tags to add, for all of them",
    ),
    Key("E", "editor", "$EDITOR", "Open the customer's file in $EDITOR, then reload it"),
    Key("a", "next_action", "下一步 next", "Set the next action and its due date", True),
    Key("i", "log", "记录 log", "Log an activity: call, visit, email, demo, meeting, note", True),
    Key("C", "add_contact", "联系人 contact", "Add a contact: name, role in the decision, phone, e-mail"),
    Key("P", "add_product", "产品 product", "Add a product of the deal: quantity, unit price, discount"),
    Key("enter", "details", "详情 details", "Every field, the stage timeline, the log and objections"),
    Key("slash", "search", "搜索 search", "Search name, id, contact, phone, pinyin; esc clears", True, "/"),
    Key(
        "f",
        "filter",
        "筛选 filter",
        "Filter: tier, owner, source, tag, overdue, stale, no next action",
        True,
    ),
    Key("m", "toggle_mine", "我的 mine", "Show only my deals (TUIBOARD_OWNER or git user.name)"),
    Key("t", "today", "今日 today", "Today's overdue and due actions, in order of work"),
    Key(
        "space",
        "mark",
        "标记 mark",
        "Mark or unmark the card: move, won, lost, a, e then act on every marked card",
    ),
    Key(
        "V",
        "mark_shown",
        "全部标记 mark all",
        "Mark every card the filter shows, in all columns, or unmark them when all are marked",
    ),
    *(
        Key(
            str(n),
            f"use_view({n})",
            f"视图{n} view {n}",
            f"Saved view {n} ([views.NAME] in pipeline.toml)",
            group=VIEWS,
        )
        for n in range(1, 10)
    ),
    Key("0", "use_view(0)", "全部 all", "Leave the saved view: every customer", group=VIEWS),
    Key("u", "undo", "撤销 undo", "Undo the last edit (a bulk one whole) if the files are unchanged since"),
    Key("p", "problems", "问题 problems", "Files with problems; enter opens one in $EDITOR"),
    Key("c", "charts", "图表 charts", "Funnel, conversion, forecast and more, for the current filter"),
    Key("S", "sync", "同步 sync", "Sync with the team: commit, fetch, merge field by field, push"),
    Key(
        "exclamation_mark",
        "conflicts",
        "冲突 conflicts",
        "Customers a merge left conflicted; settle one field by field",
        display="!",
    ),
    Key("s", "sort", "排序 sort", "Sort cards: due, amount, probability, name, days in stage"),
    Key("d", "toggle_density", "密度 density", "Cards: fit the open stages to the width, or full size"),
    Key("z", "toggle_lost", "丢单列 lost col", "Show or hide the lost column"),
    Key("ctrl+l", "toggle_language", "中/EN", "Switch the board between Chinese and English", display="^l"),
    Key("escape", "clear_search", "清除搜索 clear search", "Clear the search", display="esc"),
    Key("question_mark", "toggle_help", "帮助 keys", "Show or hide every key", True, "?"),
    Key("q", "quit", "退出 quit", "Quit the board", True),
)

PINNED = ("toggle_help", "quit")  # the key bar keeps these at its right end, whatever the width


def bindings() -> list[BindingType]:  # what the board screen's BINDINGS holds
    return [
        Binding(
            k.keys,
            k.action,
            k.label,
            show=False,  # the board draws its own key bar (widgets/keybar.py)
            key_display=None if "," in k.keys else k.display,  # `?` lists both: "← h"
            tooltip=k.help,
            group=k.group,
        )
        for k in KEYS
    ]
