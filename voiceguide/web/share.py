"""Sharing sessions: their page, podcast feed, cover, audio and lyrics, each at an exact path
mapped to one known file or page (a URL path is never joined onto the file system), GET and HEAD
only. The same routes serve `voiceguide share` and the studio's "to the phone" section."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, Router

from voiceguide.assets import asset_path
from voiceguide.delivery.feed import podcast_feed
from voiceguide.delivery.page import sessions_page
from voiceguide.delivery.sessions import SessionFile
from voiceguide.errors import DeliveryError
from voiceguide.web.file_responses import file_response
from voiceguide.web.guard import TokenGuard
from voiceguide.web.server import ServerThread, new_token

SessionsNow = Callable[[], Sequence[SessionFile]]
"""The sessions being shared, as they are at each request."""


@dataclass(frozen=True)
class _Resource:
    content_type: str
    file: Path | None = None
    page: Callable[[str], bytes] | None = None
    """Built when asked, from the share's own address (``.../``)."""


def share_routes(sessions: SessionsNow, log: Callable[[str], None] = lambda line: None) -> Router:
    """The share's routes: ``/`` (the page), ``/feed.xml``, ``/cover.png`` and each session's file
    and lyrics by name; any other path is 404, any other method 405."""

    async def serve(request: Request) -> Response:
        resources = _resources(list(await run_in_threadpool(sessions)))
        name = request.path_params["name"]
        resource = resources.get(name)
        if resource is None:
            return PlainTextResponse("Not found. Open the address voiceguide printed.\n", status_code=404)
        if resource.page is not None:
            body = resource.page(_base_url(request))
            return Response(body, media_type=resource.content_type, headers={"Cache-Control": "no-store"})
        assert resource.file is not None
        response = file_response(resource.file, resource.content_type)
        _log_download(request, name, response.status_code, log)
        return response

    return Router([Route("/{name:path}", serve, methods=["GET", "HEAD"])], redirect_slashes=False)


def _resources(sessions: list[SessionFile]) -> dict[str, _Resource]:
    names = [session.path.name for session in sessions]
    if len(set(names)) < len(names):
        raise DeliveryError("two shared files have the same name; share them from one folder")
    resources = {
        "": _Resource("text/html; charset=utf-8", page=lambda url: sessions_page(sessions).encode()),
        "feed.xml": _Resource(
            "application/rss+xml; charset=utf-8", page=lambda url: podcast_feed(sessions, url)
        ),
        "cover.png": _Resource("image/png", file=asset_path("cover.png")),
    }
    for session in sessions:
        resources[session.path.name] = _Resource(session.mime, file=session.path)
        if session.lyrics:
            resources[session.lyrics.name] = _Resource("text/plain; charset=utf-8", file=session.lyrics)
    return resources


def _base_url(request: Request) -> str:
    """The share's own address, ending in /: what the feed's links are made absolute with."""
    mount = request.scope.get("root_path", "")
    return f"{request.url.scheme}://{request.url.netloc}{quote(mount)}/"


def _log_download(request: Request, name: str, status: int, log: Callable[[str], None]) -> None:
    # Players fetch a file in many ranges; the one from byte 0 is the download starting.
    starts = request.headers.get("range", "bytes=0-").replace(" ", "").startswith("bytes=0-")
    if request.method == "GET" and starts:
        client = request.client.host if request.client else "someone"
        log(f"{client} fetched {name} ({status})")


class SessionShare:
    """`voiceguide share`'s server: ``start()``, then ``url`` is what the phone opens."""

    def __init__(
        self, sessions: Sequence[SessionFile], host: str, port: int = 0, log: Callable[[str], None] = print
    ):
        _resources(list(sessions))  # two files of one name are refused before anything is served
        self.token = new_token()
        self.app = TokenGuard(share_routes(lambda: sessions, log), self.token)
        self.server = ServerThread(host, port)
        self.url = f"http://{self.server.address}/{self.token}/"

    def start(self) -> None:
        self.server.start(self.app)

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> SessionShare:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
