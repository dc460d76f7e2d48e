"""The studio's renders and the sessions they leave: starting, following (server-sent events) and
cancelling a render; listing, playing, picturing and deleting the sessions in the folder."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from voiceguide.delivery.sessions import SessionFile
from voiceguide.errors import MissingToolError, VoiceguideError
from voiceguide.picture import draw_session
from voiceguide.pipeline import RenderOptions
from voiceguide.routine import slugify
from voiceguide.web.file_responses import file_response
from voiceguide.web.render_jobs import RenderBusyError
from voiceguide.web.studio_api import field_error, in_thread, known_routine, offered_voices, read_json
from voiceguide.web.studio_requests import (
    FieldError,
    file_choice,
    read_request,
    session_shape,
    sound_choice,
    voice_choice,
)
from voiceguide.web.studio_state import Studio

# A page following a render hears something at least this often, so proxies keep the stream.
HEARTBEAT_S = 15
# The files beside a session, deleted with it.
SIDECARS = (".lrc", ".srt", ".vtt")


def routes() -> list[BaseRoute]:
    return [
        Route("/api/renders", start_render, methods=["POST"]),
        Route("/api/renders/cancel", cancel_render, methods=["POST"]),
        Route("/api/renders/events", render_events),
        Route("/api/sessions", list_sessions),
        Route("/api/sessions/{name}", delete_session, methods=["DELETE"]),
        Route("/sessions/{name}", session_file, methods=["GET", "HEAD"]),
        Route("/pictures/{name}", session_picture),
    ]


def _entry(session: SessionFile) -> dict[str, Any]:
    name = session.path.name
    return {
        "name": name,
        "title": session.title,
        "duration_ms": session.duration_ms,
        "size_bytes": session.size_bytes,
        "url": f"sessions/{quote(name)}",
        "lyrics": f"sessions/{quote(session.lyrics.name)}" if session.lyrics else None,
        "picture": f"pictures/{quote(session.path.stem)}.png",
        "chapters": [{"title": c.title, "start_ms": c.start_ms} for c in session.chapters],
    }


async def start_render(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    try:
        asked = read_request(await read_json(request))
        routine = await in_thread(known_routine, asked.routine, asked.language)
        voices = await run_in_threadpool(offered_voices, asked.language or routine.language)
        offered = {voice["value"] for voice in voices}
        minutes = f"{asked.minutes:g}min" if asked.minutes else "own"
        output = studio.folders.sessions / f"{slugify(routine.name) or 'session'}-{minutes}.{asked.format}"
        options = RenderOptions(
            output, session_shape(asked), voice_choice(asked, offered), asked.language,
            sound_choice(asked, studio.folders.uploads), file_choice(asked), cache_dir=studio.folders.cache,
        )  # fmt: skip
        studio.jobs.start(routine, options)
    except FieldError as error:
        return field_error(error.field, error.message)
    except RenderBusyError as error:
        return field_error("render", str(error), 409)
    except (VoiceguideError, ValueError) as error:
        return field_error("render", str(error))
    return JSONResponse({"started": output.name}, status_code=202)


async def cancel_render(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    studio.jobs.cancel()
    return JSONResponse({"cancelling": studio.jobs.state.status == "running"})


async def render_events(request: Request) -> Response:
    """The render's progress as server-sent events, until it ends (or the page goes)."""
    studio: Studio = request.app.state.studio

    async def events() -> AsyncIterator[str]:
        seen = -1
        while True:
            state = studio.jobs.state
            if state.version != seen:
                seen = state.version
                yield f"event: {state.status}\ndata: {json.dumps(state.public())}\n\n"
                if state.status != "running":
                    return
            else:
                yield ": still working\n\n"
            await studio.jobs.changed(seen, HEARTBEAT_S)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


async def list_sessions(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    sessions = await run_in_threadpool(studio.sessions)
    return JSONResponse({"folder": str(studio.folders.sessions), "sessions": [_entry(s) for s in sessions]})


def _session_named(studio: Studio, name: str) -> SessionFile | None:
    """The session of that exact file name in the folder, or None: a name is never a path."""
    return next((session for session in studio.sessions() if session.path.name == name), None)


async def delete_session(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    session = await run_in_threadpool(_session_named, studio, request.path_params["name"])
    if session is None:
        return field_error("session", "no such session", 404)
    for path in [session.path, *(session.path.with_suffix(kind) for kind in SIDECARS)]:
        path.unlink(missing_ok=True)
    for picture in (studio.folders.work / "pictures").glob(f"{session.path.stem}-*.png"):
        picture.unlink(missing_ok=True)
    return JSONResponse({"deleted": session.path.name})


async def session_file(request: Request) -> Response:
    """A session's audio (with ranges, for seeking) or one of the files beside it."""
    studio: Studio = request.app.state.studio
    name = request.path_params["name"]
    for session in await run_in_threadpool(studio.sessions):
        if name == session.path.name:
            return file_response(session.path, session.mime)
        sidecars = {session.path.with_suffix(kind).name: kind for kind in SIDECARS}
        if name in sidecars and session.path.with_suffix(sidecars[name]).is_file():
            return file_response(session.path.with_suffix(sidecars[name]), "text/plain; charset=utf-8")
    return PlainTextResponse("Not found.\n", status_code=404)


async def session_picture(request: Request) -> Response:
    """The session's loudness picture (``plot``), drawn once per version of the file."""
    studio: Studio = request.app.state.studio
    stem = request.path_params["name"].removesuffix(".png")
    session = next((s for s in await run_in_threadpool(studio.sessions) if s.path.stem == stem), None)
    if session is None:
        return PlainTextResponse("Not found.\n", status_code=404)
    picture = studio.folders.work / "pictures" / f"{stem}-{session.path.stat().st_mtime_ns}.png"
    if not picture.exists():
        try:
            await run_in_threadpool(draw_session, session.path, picture)
        except MissingToolError:  # matplotlib is an extra: no picture, and the page hides it
            return PlainTextResponse("Drawing needs matplotlib.\n", status_code=404)
    return file_response(picture, "image/png")
