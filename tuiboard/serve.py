"""`tuiboard serve`: the board in a browser through textual-serve, guarded.

textual-serve runs one board process per websocket. Two guards are added: a websocket
whose Origin is another site is refused (a page on the web could otherwise drive a board
on 127.0.0.1), and when bound to anything but the loopback the page and the websocket
need a random token, given in the printed URL and kept in a same-site cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import secrets
import shlex
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

COOKIE = "tuiboard_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def board_command(root: Path, read_only: bool) -> str:
    parts = [sys.executable, "-m", "tuiboard", "-C", str(root), "board"]
    if read_only:
        parts.append("--read-only")
    return shlex.join(parts)


class GuardedServer(Server):
    """textual-serve's server with the Origin check and, when set, the token."""

    def __init__(self, *args: Any, token: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    def _has_token(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/static/"):
            return await handler(request)
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="websocket from another site refused")
        if not self._has_token(request):
            raise web.HTTPForbidden(text="this board needs the token from the URL `tuiboard serve` printed")
        response = await handler(request)
        if self.token is not None and request.path == "/":
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: textual-serve prints a banner here, before the port is even bound."""

    def serve(self, debug: bool = False) -> None:
        """textual-serve's `serve`, announcing the URL once the port accepts connections."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        announce = f"serving the board on {self.url}  (Ctrl+C to stop)"
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *_args: print(announce, flush=True),
        )

    @property
    def url(self) -> str:
        return self.public_url + "/" + (f"?token={self.token}" if self.token else "")


def make_server(
    root: Path, *, host: str, port: int, read_only: bool, public_url: str | None = None
) -> GuardedServer:
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    title = f"tuiboard {'(read-only) ' if read_only else ''}{root.name}"
    return GuardedServer(
        board_command(root, read_only), host=host, port=port, title=title, public_url=public_url, token=token
    )


def serve_board(root: Path, *, host: str, port: int, read_only: bool, public_url: str | None = None) -> None:
    make_server(root, host=host, port=port, read_only=read_only, public_url=public_url).serve()
