"""The studio: one page to shape, render, play and send sessions, with the API it calls. Every
route parses what the page sends and calls the pipeline, delivery or authoring modules."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from voiceguide.web import studio_api, studio_sessions
from voiceguide.web.server import qr_code_svg
from voiceguide.web.share import share_routes
from voiceguide.web.studio_state import Studio, StudioFolders

_HERE = Path(str(resources.files("voiceguide") / "web"))
# The page loads only its own script, style, pictures and sessions: nothing from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


_templates = Jinja2Templates(directory=str(_HERE / "templates"))


async def page(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    response = _templates.TemplateResponse(
        request, "studio.html", {"sessions_folder": str(studio.folders.sessions), "show_qr": studio.show_qr}
    )
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


async def qr_code(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    return Response(qr_code_svg(studio.url), media_type="image/svg+xml")


def studio_app(folders: StudioFolders, url: str, show_qr: bool = False) -> Starlette:
    """The studio's routes (below its token); ``url`` is the address it is opened at."""
    studio = Studio(folders, url, show_qr)
    routes = [
        Route("/", page),
        Route("/qr.svg", qr_code),
        *studio_api.routes(),
        *studio_sessions.routes(),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
        Mount("/share", share_routes(studio.sessions)),
    ]
    app = Starlette(routes=routes)
    app.router.redirect_slashes = False
    app.state.studio = studio
    return app
