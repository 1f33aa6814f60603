"""The board in a real terminal: the installed `tuiboard` under tmux, driven by keys.

Each test runs its own tmux server (``tmux -L <unique socket>``) with a fixed 120x40 window
and TERM=xterm-256color, reads the screen with ``capture-pane`` (polling with a deadline,
never a blind sleep), checks the files on disk, and kills the server whatever happens.
``Tmux`` is also the terminal bench/bench_board.py measures in.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len

from pipeline import rules
from pipeline.demo import write_demo
from pipeline.store import load_board
from tests.conftest import TODAY, write_customer
from tests.test_app import HAND_WRITTEN, plain

TUIBOARD = Path(sys.executable).with_name("tuiboard")  # the venv's console script
SIZE = (120, 40)


class Tmux:
    """A private tmux server running one command in a detached session."""

    def __init__(self, workdir: Path, size: tuple[int, int] = SIZE) -> None:
        tmux = shutil.which("tmux")
        assert tmux is not None, "tmux is required for the end-to-end tests"
        self.size = size
        conf = workdir / "tmux.conf"
        # remain-on-exit: after `q` the pane stays, so its exit status can be read.
        conf.write_text("set -g default-terminal xterm-256color\nset -g remain-on-exit on\n")
        # A private socket folder (a short path: sockets have a length limit), removed by
        # kill(): tmux's default, /tmp/tmux-UID, would outlive the test.
        self.sockets = Path(tempfile.mkdtemp(prefix="tuiboard-tmux-"))
        self.base = [tmux, "-S", str(self.sockets / "s"), "-f", str(conf)]
        self.target = "board:0.0"
        # The server's environment, so the pane's: os.environ, not the process's C environment
        # (under pytest that holds COLUMNS=80 LINES=24, which would pin the app at 80x24).
        self.env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=30, check=False, env=self.env
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def start(self, command: list[str], env: dict[str, str]) -> None:
        """Start ``command`` (exec'd, so the pane's pid is the app's) in a new session."""
        width, height = self.size
        env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        shell = "exec " + shlex.join(command)
        self.run("new-session", "-d", "-s", "board", "-x", str(width), "-y", str(height), *env_args, shell)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.target, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.target)

    def pane(self, fmt: str) -> str:
        return self.run("display-message", "-p", "-t", self.target, fmt).strip()

    def pid(self) -> int:
        return int(self.pane("#{pane_pid}"))

    def dead(self) -> bool:
        return self.pane("#{pane_dead}") == "1"

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 10.0) -> str:
        """Poll the screen until ``check`` holds; fails with the last screen after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline or self.dead():
                raise AssertionError(f"no {what} within {timeout} s; the screen:\n{screen}")
            time.sleep(0.02)

    def wait_for_text(self, text: str, timeout: float = 10.0) -> str:
        return self.wait_for(lambda screen: text in screen, repr(text), timeout)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for the command to exit; its exit code (minus the signal number if killed).

        tmux (3.3a) now and then leaves the exited app a zombie, unreaped, for seconds: then
        the code comes from /proc/<pid>/stat, which keeps it for zombies.
        """
        pid = self.pid()
        deadline = time.monotonic() + timeout
        while True:
            status, signal = self.pane("#{pane_dead_status}|#{pane_dead_signal}").split("|")
            if status or signal:
                return int(status) if status else -int(signal)
            code = zombie_exit_code(pid)
            if code is not None:
                return code
            if time.monotonic() > deadline:
                raise AssertionError(f"the app did not exit; the screen:\n{self.screen()}")
            time.sleep(0.02)

    def kill(self) -> None:
        """Stop the server and remove its socket (tmux 3.3a leaves it behind)."""
        socket = None
        with contextlib.suppress(RuntimeError):  # no server, or no session to ask
            socket = Path(self.run("display-message", "-p", "#{socket_path}").strip())
        subprocess.run(
            [*self.base, "kill-server"], capture_output=True, timeout=30, check=False, env=self.env
        )
        if socket is not None:
            socket.unlink(missing_ok=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


def zombie_exit_code(pid: int) -> int | None:
    """The exit code of a process that has exited but is not reaped yet, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None  # reaped: tmux has the status
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state is field 3, exit_code 52
    return os.waitstatus_to_exitcode(int(fields[-1])) if fields[0] == "Z" else None


def board_env() -> dict[str, str]:
    return {"TUIBOARD_TODAY": TODAY.isoformat(), "TERM": "xterm-256color"}


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    terminal = Tmux(tmp_path)
    try:
        yield terminal
    finally:
        terminal.kill()


def wait_file(path: Path, check: Callable[[str], bool], tmux: Tmux, timeout: float = 10.0) -> str:
    """The file's text once ``check`` holds; on failure the message shows it and the screen."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text("utf-8")
        if check(text):
            return text
        assert time.monotonic() < deadline, (
            f"{path.name} never changed as expected:\n{text}\nthe screen:\n{tmux.screen()}"
        )
        time.sleep(0.02)


def vim_save(path: Path, text: str) -> None:
    """What vim does with `backupcopy=no`: write a new file, then rename it over the old one."""
    fresh = path.with_name(path.name + ".new~")
    fresh.write_text(text, encoding="utf-8")
    os.replace(fresh, path)


def aligned_with(text: str, top: int | None = None) -> Callable[[str], bool]:
    """A screen check for `Tmux.wait_for`: ``text`` shown and every board line's column
    separators at the same cells (in the first ``top`` lines). Waited for, not asserted on
    the first screen with ``text``: under load tmux may show a frame half drawn."""
    return lambda screen: text in screen and len(separators("\n".join(screen.splitlines()[:top]))) == 1


def separators(screen: str) -> set[tuple[int, ...]]:
    """Per board line, the cell offsets of the column separators."""
    rows = set()
    for line in screen.splitlines():
        if "▕" in line:
            parts = line.split("▕")[:-1]
            rows.add(tuple(cell_len("▕".join(parts[: i + 1])) for i in range(len(parts))))
    return rows


def test_a_session_in_a_real_terminal(tmux: Tmux, folder: Path) -> None:
    suzhou = write_customer(folder, "suzhou", HAND_WRITTEN)  # alone in 意向客户, the third column
    acme = write_customer(folder, "acme", plain("Acme Logistics", "target", amount="90000"))
    hangzhou = write_customer(folder, "hangzhou", plain("杭州恒信软件", "target", tier='"A"'))
    write_customer(folder, "beijing", plain("北京云启科技", "project", amount="50000"))
    tmux.start([str(TUIBOARD), "-C", str(folder)], board_env())
    tmux.wait_for_text("4 个客户 │")
    tmux.keys("d")  # full-size cards (at 120 columns the board fits the funnel with compact ones)
    # The name cut by cells, CJK counted double; whole columns.
    tmux.wait_for(aligned_with("苏州华东精密机械有限公…"), "full-size cards, the columns' edges aligned")

    # Move: focus the third column, shift+right, the criteria checklist, skip it.
    tmux.keys("l", "l", "S-Right")
    tmux.wait_for_text("移动到 立项客户 · 苏州华东精密机械有限公司")
    tmux.keys("s")
    text = wait_file(suzhou, lambda t: 'stage = "project"' in t, tmux)
    data = tomllib.loads(text)
    assert data["history"][-1] == {"date": TODAY, "stage": "project"}
    assert [h["stage"] for h in data["history"]] == ["target", "intent", "project"]
    assert "# 手写的注释: the board must keep this" in text
    assert '"苏州华东精密机械有限公司"   # 全称' in text
    assert "# a comment after the last entry" in text
    tmux.wait_for(lambda s: "立项客户                  2" in s, "2 cards in 立项客户")

    # An outside edit, saved the way vim saves: the card changes.
    vim_save(acme, plain("Acme Renamed Holdings", "target", amount="120000"))
    screen = tmux.wait_for_text("Acme Renamed Holdings", timeout=2.0)
    assert "Acme Logistics" not in screen
    assert "12.0万" in screen

    # A broken file: the card keeps its last good data and gets the problem marker.
    hangzhou.write_text('name = "杭州恒信软件"\nstage = = "target"\n', encoding="utf-8")
    screen = tmux.wait_for_text("✖ 杭州恒信软件")
    assert "A级" in next(line for line in screen.splitlines() if "✖ 杭州恒信软件" in line)
    assert "问题 1" in screen
    assert not tmux.dead()

    tmux.keys("q")
    assert tmux.wait_exit() == 0
    assert "Traceback" not in tmux.screen()


def test_demo_opens_the_board_on_a_fresh_folder(tmux: Tmux, tmp_path: Path) -> None:
    """README's first command: `tuiboard demo DIR` writes a pipeline and opens it."""
    env = {**board_env(), "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    tmux.start([str(TUIBOARD), "demo", str(tmp_path / "demo"), "--customers", "40"], env)
    screen = tmux.wait_for(aligned_with("40 个客户 │"), "the demo board, the columns' edges aligned")
    assert "目标客户" in screen and "销售漏斗" in screen
    assert len(list((tmp_path / "demo" / "customers").glob("*.toml"))) == 40
    tmux.keys("q")
    assert tmux.wait_exit() == 0


def test_a_scripted_day_at_80_columns(tmp_path: Path, folder: Path) -> None:
    """Find by pinyin, log → next, move, undo: the files on disk after each step, at 80x24."""
    suzhou = write_customer(folder, "suzhou", HAND_WRITTEN)
    write_customer(folder, "acme", plain("Acme Logistics", "target", amount="90000"))
    write_customer(folder, "hangzhou", plain("杭州恒信软件", "target", tier='"A"'))
    write_customer(folder, "beijing", plain("北京云启科技", "project", amount="50000"))
    tmux = Tmux(tmp_path, size=(80, 24))
    try:
        tmux.start([str(TUIBOARD), "-C", str(folder)], board_env())
        screen = tmux.wait_for(aligned_with("4 个客户 │"), "the board, the columns' edges aligned")
        assert screen.splitlines()[-1].rstrip().endswith("? 帮助  q 退出")  # the key bar fits 80

        # Find by pinyin initials; enter focuses the card, so `i` logs on 苏州华东.
        tmux.keys("g")
        tmux.wait_for_text("跳转到客户")
        tmux.keys("szhd")
        tmux.wait_for_text("苏州华东精密机械有限公司  意向客户")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "跳转到客户" not in s, "the jump dialog closed")

        # Log → next: the log entry lands, then the next action with the tier's cadence (B: 14 days).
        tmux.keys("i")
        tmux.wait_for_text("记录跟进")
        tmux.keys("电话沟通了报价")
        tmux.wait_for_text("电话沟通了报价")
        tmux.keys("Enter")
        text = wait_file(suzhou, lambda t: "电话沟通了报价" in t, tmux)
        assert tomllib.loads(text)["log"] == [{"date": TODAY, "kind": "call", "note": "电话沟通了报价"}]
        tmux.wait_for_text("下一步行动")
        # Clear the action the dialog starts with. Its input takes the focus a moment after
        # the dialog is drawn, and a key before that is lost: C-u is idempotent, so it is
        # sent again until the dialog says the action is now empty.
        for _ in range(40):
            tmux.keys("C-u")
            with contextlib.suppress(AssertionError):
                tmux.wait_for_text("必填", timeout=0.25)
                break
        else:
            raise AssertionError(f"C-u never cleared the action; the screen:\n{tmux.screen()}")
        tmux.keys("寄送合同")
        tmux.wait_for_text("寄送合同")
        tmux.keys("Enter")
        text = wait_file(suzhou, lambda t: "寄送合同" in t, tmux)
        assert tomllib.loads(text)["next"] == {"action": "寄送合同", "due": date(2026, 12, 7)}
        assert "# a comment after the last entry" in text
        before_move = text

        # Move on, skipping the checklist; then undo puts the file back byte for byte.
        tmux.keys("S-Right")
        tmux.wait_for_text("移动到 立项客户")
        tmux.keys("s")
        wait_file(suzhou, lambda t: 'stage = "project"' in t, tmux)
        tmux.keys("u")
        assert wait_file(suzhou, lambda t: t == before_move, tmux) == before_move
        # Above the toasts, which cover some separators.
        tmux.wait_for(aligned_with("已撤销", top=7), "undone, the columns' edges aligned")

        tmux.keys("q")
        assert tmux.wait_exit() == 0
        assert "Traceback" not in tmux.screen()
    finally:
        tmux.kill()


DAY_VIEWS = """
[views."王丽的客户"]   # the team's views: keys 1-9 on the board
owner = "wang.li"

[views."A类"]
tier = ["A", "VIP"]
"""


def test_a_scripted_day_at_120_columns(tmp_path: Path) -> None:
    """A rep's day on the demo: find by pinyin, log → next, move, mark three and bulk-move
    them, undo the batch, switch to a saved view; the files on disk after each step."""
    root = tmp_path / "demo"
    write_demo(root, 40, 7, TODAY)
    config = root / "pipeline.toml"
    with open(config, "a", encoding="utf-8") as fh:
        fh.write(DAY_VIEWS)
    settings = config.read_bytes()
    board = load_board(root)
    files = {c.id: c.path for c in board.customers.values()}
    potential = sorted(
        (c for c in board.customers.values() if c.stage == "potential"),
        key=lambda c: rules.card_sort_key(c, TODAY),
    )
    tmux = Tmux(tmp_path)
    try:
        tmux.start([str(TUIBOARD), "-C", str(root)], board_env())
        tmux.wait_for_text("40 个客户 │")

        # Find 杭州星河软件 by its pinyin initials; enter focuses its card.
        xinghe = files["杭州星河软件有限公司"]
        tmux.keys("g")
        tmux.wait_for_text("跳转到客户")
        tmux.keys("hzxh")
        tmux.wait_for_text("杭州星河软件有限公司  立项客户")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "跳转到客户" not in s, "the jump dialog closed")

        # Log a call, then the next action: the dialog's date is the cadence's.
        tmux.keys("i")
        tmux.wait_for_text("记录跟进")
        tmux.keys("约了下周演示")
        tmux.wait_for_text("约了下周演示")
        tmux.keys("Enter")
        text = wait_file(xinghe, lambda t: "约了下周演示" in t, tmux)
        assert tomllib.loads(text)["log"][-1] == {"date": TODAY, "kind": "call", "note": "约了下周演示"}
        tmux.wait_for_text("下一步行动")
        for _ in range(40):  # the input takes the focus a moment after the dialog is drawn
            tmux.keys("C-u")
            with contextlib.suppress(AssertionError):
                tmux.wait_for_text("必填", timeout=0.25)
                break
        tmux.keys("安排演示")
        tmux.wait_for_text("安排演示")
        tmux.keys("Enter")
        text = wait_file(xinghe, lambda t: "安排演示" in t, tmux)
        cadence = rules.default_due(board.customers[xinghe.stem], board.config, TODAY)
        assert cadence != board.customers[xinghe.stem].next_due  # the cadence, not the current due
        assert tomllib.loads(text)["next"] == {"action": "安排演示", "due": cadence}

        # Move it on (skipping the checklist).
        tmux.keys("S-Right")
        tmux.wait_for_text("移动到 认可客户")
        tmux.keys("s")
        text = wait_file(xinghe, lambda t: 'stage = "approved"' in t, tmux)
        assert tomllib.loads(text)["history"][-1] == {"date": TODAY, "stage": "approved"}
        # The file lands before the board follows the card to its new column; the toast comes
        # after (`board.writes.write`), and the next keys count columns from there.
        tmux.wait_for_text("杭州星河软件有限公司 → 认可客户")

        # Mark the first three cards of 潜在客户 and move them on together.
        before = {c.id: c.path.read_bytes() for c in potential}
        three = [c.id for c in potential[:3]]
        # approved → project → intent → potential, whose cursor is on its first card. j acts on
        # the focused column, and Textual moves the focus a moment later: each mark is awaited.
        tmux.keys("h", "h", "h", "Space")
        tmux.wait_for_text("已标记 1（esc 清除）")
        for count in (2, 3):
            tmux.keys("j", "Space")
            tmux.wait_for_text(f"已标记 {count}（esc 清除）")
        tmux.wait_for(lambda s: s.count("✔ ━") == 3, "three marked cards")
        tmux.keys("S-Right")
        tmux.wait_for_text("3 个客户")  # the checklist says how many it moves
        tmux.keys("s")
        for cid in three:
            text = wait_file(files[cid], lambda t: 'stage = "intent"' in t, tmux)
            assert tomllib.loads(text)["history"][-1] == {"date": TODAY, "stage": "intent"}
        for c in potential[3:]:
            assert c.path.read_bytes() == before[c.id]
        tmux.wait_for_text("已移动 3 个客户")
        tmux.wait_for(lambda s: "✔" not in s, "the marks cleared after the bulk move")

        # One `u` undoes the whole batch, byte for byte.
        tmux.keys("u")
        for cid in three:
            assert (
                wait_file(files[cid], lambda t, cid=cid: t.encode() == before[cid], tmux).encode()
                == before[cid]
            )
        tmux.wait_for_text("已撤销")

        # A saved view on a digit key: only wang.li's customers, its name in the title.
        tmux.keys("1")
        screen = tmux.wait_for_text("12/40 个客户")
        assert "王丽的客户" in screen.splitlines()[0]
        assert "Summit Packaging" not in screen  # zhang.wei's
        tmux.keys("0")
        screen = tmux.wait_for(lambda s: "/40 个客户" not in s, "everyone again")
        assert "40 个客户 │" in screen and "王丽的客户" not in screen.splitlines()[0]
        assert config.read_bytes() == settings  # switching views writes nothing

        tmux.keys("q")
        assert tmux.wait_exit() == 0
        assert "Traceback" not in tmux.screen()
    finally:
        tmux.kill()
