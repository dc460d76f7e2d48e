"""The rules every request meets before any handler: the secret token in the path, and headers
that keep browsers from guessing types or leaking the address."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# Sent with every response: no type sniffing (an uploaded file is never run as a page), and the
# address with its token never goes out as a Referer.
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
NOT_FOUND = b"Not found. Open the address voiceguide printed.\n"


class TokenGuard:
    """Only paths under ``/<token>/`` reach ``app`` (as its root path); anything else is 404, the
    root included. The token is compared in constant time."""

    def __init__(self, app: App, token: str):
        self.app = app
        self.prefix = f"/{token}/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope["type"] != "http":  # a WebSocket: nothing here speaks it
            await send({"type": "websocket.close", "code": 1008})
            return
        if not hmac.compare_digest(path[: len(self.prefix)].encode(), self.prefix.encode()):
            await _not_found(send)
            return
        # ASGI's convention: the path stays whole, and routes match what follows the root path.
        inner = dict(scope, root_path=scope.get("root_path", "") + self.prefix[:-1])
        await self.app(inner, receive, _with_security_headers(send))


def _with_security_headers(send: Send) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
        await send(message)

    return send_with_headers


async def _not_found(send: Send) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(NOT_FOUND)).encode()),
        # Closed after: a device without the token cannot hold a connection by asking again.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 404, "headers": [*headers, *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": NOT_FOUND})
