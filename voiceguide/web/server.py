"""Serving an ASGI app with Hypercorn from a thread: on a socket bound here (so the port is known
before anything is served), with the timeouts a home network needs."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import secrets
import socket
import threading
from typing import Any

import segno
from hypercorn.asyncio import serve
from hypercorn.config import Config

from voiceguide.errors import DeliveryError

# 16 random bytes: 128 bits, beyond guessing for a server that lasts minutes or hours.
TOKEN_BYTES = 16
# A connection that has not sent a whole request within this many seconds is closed, from its
# first byte on (Hypercorn's keep-alive timer also runs before a first request): a few hundred
# idle connections cannot hold the server's file descriptors and lock the phone out.
IDLE_CONNECTION_S = 5
# Any address outside this machine: a UDP socket "connected" to it sends nothing, but tells
# which local address would be used, i.e. the LAN address.
_PROBE_ADDRESS = ("10.255.255.255", 1)
_EVERY_NETWORK = {"0.0.0.0", "::", ""}
# How long stopping waits for the server to close its connections: past this, the process ends
# anyway (the server's thread is a daemon), so Ctrl-C or SIGTERM never leaves a server hanging.
STOP_WAIT_S = 5.0

logger = logging.getLogger(__name__)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def lan_address() -> str:
    """This machine's address on the local network, found without sending any traffic."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_PROBE_ADDRESS)
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def qr_code_text(url: str) -> str:
    """The URL as a QR code drawn with block characters, for a phone's camera to scan."""
    drawn = io.StringIO()
    segno.make(url, micro=False).terminal(out=drawn, compact=True, border=2)
    return drawn.getvalue()


def qr_code_svg(url: str) -> str:
    drawn = io.BytesIO()
    segno.make(url, micro=False).save(drawn, kind="svg", scale=4, border=2, xmldecl=False)
    return drawn.getvalue().decode()


class _AcceptOverload(logging.Filter):
    """asyncio logs a traceback each time accept() runs out of file descriptors (every second
    while connections pile up): one line, at most every ``EVERY_S``, says it instead."""

    EVERY_S = 30.0

    def __init__(self) -> None:
        super().__init__()
        self.last_said = -self.EVERY_S

    def filter(self, record: logging.LogRecord) -> bool:
        if "out of system resource" not in str(record.msg):
            return True
        if record.created - self.last_said < self.EVERY_S:
            return False
        self.last_said = record.created
        record.msg, record.args, record.exc_info, record.exc_text = OVERLOAD_LINE, (), None, None
        return True


# Said when more connections come than the process may hold; they wait in the queue meanwhile.
OVERLOAD_LINE = "too many connections at once (no file descriptors left); new ones wait their turn"
_ACCEPT_OVERLOAD = _AcceptOverload()


class ServerThread:
    """A server listening on ``host``:``port`` (0: a free port) from the start, so its address is
    known before the app (which may need it) is made; it serves from ``start(app)`` to ``stop()``."""

    def __init__(self, host: str, port: int = 0):
        try:
            self.socket = socket.create_server((host, port), reuse_port=False, backlog=128)
        except OSError as error:
            raise DeliveryError(
                f"cannot listen on {host}:{port} ({error.strerror}); try another --port"
            ) from None
        bound_port = self.socket.getsockname()[1]
        # 0.0.0.0 listens on every network, but no phone can open it: show the LAN address.
        self.address = f"{lan_address() if host in _EVERY_NETWORK else host}:{bound_port}"
        self._app: Any = None
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="web-server", daemon=True)

    def start(self, app: Any) -> None:
        _allow_most_open_files()
        logging.getLogger("asyncio").addFilter(_ACCEPT_OVERLOAD)  # addFilter keeps one of each
        self._app = app
        self._thread.start()
        self._ready.wait()

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=STOP_WAIT_S)
        if self._thread.is_alive():
            logger.warning(
                "the server did not stop within %.0f s; leaving it to end with the process", STOP_WAIT_S
            )
        self.socket.close()

    def _serve(self) -> None:
        asyncio.run(self._serve_until_stopped())

    async def _serve_until_stopped(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._ready.set()
        await serve(self._app, _config(self.socket), shutdown_trigger=self._stopping.wait)


def _allow_most_open_files() -> None:
    """Raise this process's soft limit on open files to its hard limit (macOS starts at 256):
    each connection holds one, and a phone should not wait behind idle ones."""
    try:
        import resource
    except ImportError:  # Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else soft, hard))


def _config(listening: socket.socket) -> Config:
    config = Config()
    # Hypercorn takes the descriptor it is given as its own, and closes it when it stops.
    config.bind = [f"fd://{os.dup(listening.fileno())}"]
    config.keep_alive_timeout = IDLE_CONNECTION_S
    # No read timeout: a phone downloading an hour-long session sends nothing for minutes.
    config.read_timeout = None
    config.graceful_timeout = 1
    config.accesslog = None
    config.errorlog = logger
    return config
