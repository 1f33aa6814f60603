"""`tuiboard serve` in a real browser: Debian's chromium, headless, driven by Playwright.

The screen is read from the websocket frames the page receives (the terminal stream the
board writes), keys are typed into the page, and a screenshot is kept in the test's
tmp_path. The guards (token off the loopback, foreign Origin refused) are checked over
plain HTTP without a browser.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import write_customer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pipe(folder: Path) -> Path:
    write_customer(
        folder,
        "suzhou",
        'name = "苏州华东精密机械"\nstage = "intent"\ntier = "A"\n'
        '[next]\naction = "发送报价"\ndue = 2026-11-25\n',
    )
    write_customer(folder, "acme", 'name = "Acme Logistics"\nstage = "target"\n')
    return folder


def start(pipe: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`tuiboard serve` as a process; yields the URL it announces once it is listening."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tuiboard", "-C", str(pipe), "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("serving the board on "):
                yield line.split()[4], server
                return
        raise AssertionError("serve exited without announcing a URL")
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def read_only_url(pipe: Path) -> Iterator[str]:
    for url, _server in start(pipe, "--read-only"):
        yield url


def test_the_board_in_chromium_read_only(read_only_url: str, pipe: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[browser]')"
    )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
    before = {p.name: p.read_bytes() for p in (pipe / "customers").iterdir()}
    assert read_only_url.startswith("http://127.0.0.1:") and "token" not in read_only_url
    frames: list[bytes] = []

    def screen() -> str:
        return b"".join(frames).decode("utf-8", "replace")

    def on_websocket(ws: Any) -> None:
        sockets.append(ws)
        ws.on("framereceived", lambda data: frames.append(data if isinstance(data, bytes) else b""))

    def wait_for(needle: str) -> None:
        if needle not in screen():
            sockets[0].wait_for_event(
                "framereceived", predicate=lambda _data: needle in screen(), timeout=60_000
            )

    sockets: list[Any] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.on("websocket", on_websocket)
            page.goto(read_only_url, wait_until="commit")
            if not sockets:
                page.wait_for_event("websocket", timeout=60_000)
            wait_for("苏州华东精密机械")
            for label in ("目标客户", "意向客户", "Acme Logistics"):
                assert label in screen()
            page.locator("body").click()
            page.keyboard.press("Control+l")  # a reading key works: the labels switch to English
            wait_for("Intent")
            page.keyboard.press("w")  # a writing key is refused, in the board's language
            wait_for("read-only")
            page.screenshot(path=str(tmp_path / "serve-read-only.png"))
        finally:
            browser.close()
    assert (tmp_path / "serve-read-only.png").stat().st_size > 0
    assert {p.name: p.read_bytes() for p in (pipe / "customers").iterdir()} == before


def get(url: str, path: str, headers: dict[str, str] | None = None) -> int:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    conn = http.client.HTTPConnection(host_port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


def test_loopback_refuses_a_websocket_from_another_site(read_only_url: str) -> None:
    assert get(read_only_url, "/") == 200
    assert get(read_only_url, "/ws", {**UPGRADE, "Origin": "http://evil.example"}) == 403


def test_bound_elsewhere_the_token_is_required(pipe: Path) -> None:
    for url, _server in start(pipe, "--host", "0.0.0.0", "--read-only"):
        assert "?token=" in url
        token = url.split("?token=", 1)[1]
        assert len(token) >= 24
        assert get(url, "/") == 403
        assert get(url, "/?token=wrong") == 403
        assert get(url, "/ws", UPGRADE) == 403
        assert get(url, f"/?token={token}") == 200
        assert get(url, "/ws", {**UPGRADE, "Cookie": f"tuiboard_token={token}"}) == 101
