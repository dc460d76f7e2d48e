"""Sharing sessions on the local network: a small HTTP server behind a random token.

Only exact paths under ``/<token>/`` are served, each mapped to one known file or page: a URL
path is never joined onto the filesystem, so no request can reach any other file.
"""

from __future__ import annotations

import contextlib
import io
import re
import secrets
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno

from voiceguide.assets import asset_path
from voiceguide.delivery.feed import podcast_feed
from voiceguide.delivery.page import sessions_page
from voiceguide.delivery.sessions import SessionFile
from voiceguide.errors import DeliveryError

# 16 random bytes: 128 bits, beyond guessing for a share that lasts minutes.
TOKEN_BYTES = 16
# Any address outside this machine: a UDP socket "connected" to it sends nothing, but tells
# which local address would be used, i.e. the LAN address.
_PROBE_ADDRESS = ("10.255.255.255", 1)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Resource:
    """What one URL serves: a file's bytes, or a page built when asked."""

    content_type: str
    file: Path | None = None
    build: Callable[[], bytes] | None = None


def qr_code_text(url: str) -> str:
    """The URL as a QR code drawn with block characters, for a phone's camera to scan."""
    drawn = io.StringIO()
    segno.make(url, micro=False).terminal(out=drawn, compact=True, border=2)
    return drawn.getvalue()


def wait_for_expiry(seconds: float) -> None:
    """Return when ``seconds`` have passed, or at once on Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait(seconds)


def lan_address() -> str:
    """This machine's address on the local network, found without sending any traffic."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_PROBE_ADDRESS)
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


class SessionShare:
    """The server: ``start()``, then ``url`` is what the phone opens; ``stop()`` ends it."""

    def __init__(
        self, sessions: Sequence[SessionFile], host: str, port: int = 0, log: Callable[[str], None] = print
    ):
        self.token = secrets.token_urlsafe(TOKEN_BYTES)
        self.log = log
        try:
            self.server = _QuietServer((host, port), _handler_for(self))
        except OSError as error:
            raise DeliveryError(
                f"cannot listen on {host}:{port} ({error.strerror}); try another --port"
            ) from None
        host_name, bound_port = str(self.server.server_address[0]), self.server.server_address[1]
        self.url = f"http://{host_name}:{bound_port}/{self.token}/"
        self.routes = self._routes(sessions)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _routes(self, sessions: Sequence[SessionFile]) -> dict[str, Resource]:
        names = [session.path.name for session in sessions]
        if len(set(names)) < len(names):
            raise DeliveryError("two shared files have the same name; share them from one folder")
        prefix = f"/{self.token}/"
        routes = {
            prefix: Resource("text/html; charset=utf-8", build=lambda: sessions_page(sessions).encode()),
            prefix + "feed.xml": Resource(
                "application/rss+xml; charset=utf-8", build=lambda: podcast_feed(sessions, self.url)
            ),
            prefix + "cover.png": Resource("image/png", file=asset_path("cover.png")),
        }
        for session in sessions:
            routes[prefix + quote(session.path.name)] = Resource(session.mime, file=session.path)
            if session.lyrics:
                routes[prefix + quote(session.lyrics.name)] = Resource(
                    "text/plain; charset=utf-8", file=session.lyrics
                )
        return routes

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def __enter__(self) -> SessionShare:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A phone that skips ahead drops its connection mid-download: normal, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(share: SessionShare) -> type[BaseHTTPRequestHandler]:
    class Handler(_ShareHandler):
        owner = share

    return Handler


class _ShareHandler(BaseHTTPRequestHandler):
    owner: SessionShare
    server_version = "voiceguide"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def __getattr__(self, name: str) -> Any:
        # Every other method (POST, PUT, DELETE, anything made up) is refused, not "unsupported".
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _respond(self, with_body: bool) -> None:
        resource = self.owner.routes.get(self.path.split("?", 1)[0])
        if resource is None:
            self._not_found()
        elif resource.file is None:
            assert resource.build is not None
            self._send_bytes(resource.content_type, resource.build(), with_body)
        else:
            self._send_file(resource, with_body)

    def _not_found(self) -> None:
        body = b"Not found. Open the address voiceguide share printed.\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def _send_bytes(self, content_type: str, body: bytes, with_body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _send_file(self, resource: Resource, with_body: bool) -> None:
        assert resource.file is not None
        size = resource.file.stat().st_size
        span = _byte_range(self.headers.get("Range"), size)
        if span is None:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = span
        partial = "Range" in self.headers
        self.send_response(HTTPStatus.PARTIAL_CONTENT if partial else HTTPStatus.OK)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        if partial:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if with_body:
            _copy_span(resource.file, first, last, self.wfile)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the base class logs every request to stderr; we tell only of downloads

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Players fetch a file in many ranges; the one from byte 0 is the download starting.
        starts = self.headers.get("Range", "bytes=0-").replace(" ", "").startswith("bytes=0-")
        if self.command == "GET" and str(code).startswith("2") and starts:
            name = self.path.split("?", 1)[0].rsplit("/", 1)[-1] or "the page"
            self.owner.log(f"{self.client_address[0]} fetched {name} ({code})")


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``Range: bytes=...`` request, the whole file without one,
    or None when the range cannot be served."""
    if header is None:
        return 0, size - 1
    match = _RANGE.fullmatch(header.strip())
    if not match or match[1] == match[2] == "":
        return None
    if match[1] == "":  # the last N bytes
        suffix = int(match[2])
        return (max(0, size - suffix), size - 1) if suffix > 0 and size else None
    first = int(match[1])
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    return (first, last) if first <= last else None


def _copy_span(path: Path, first: int, last: int, out: Any) -> None:
    with path.open("rb") as file:
        file.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = file.read(min(_CHUNK_BYTES, left))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
