"""The studio's API for shaping a session: routines (listed, read, saved, deleted), the live cue
sheet, the voices and their samples, and music uploads."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from voiceguide.caches import prune as prune_caches
from voiceguide.cue_sheet import cue_rows
from voiceguide.errors import VoiceguideError
from voiceguide.files import write_text_atomically
from voiceguide.music import load_background
from voiceguide.narration import PACES
from voiceguide.pipeline import plan_script
from voiceguide.routines import builtin_names, load_routine, user_routine_names
from voiceguide.speech import AUTO, engine_names, get_engine, pick_engine, voice_settings
from voiceguide.voice_sample import render_sample
from voiceguide.web import routine_forms
from voiceguide.web.file_responses import file_response
from voiceguide.web.studio_requests import (
    UPLOAD_NAME,
    FieldError,
    field_of,
    read_request,
    session_shape,
    voice_choice,
)
from voiceguide.web.studio_state import Studio

# Uploaded music: a long track is tens of MB; past this it is not a bed for a massage.
MAX_UPLOAD_BYTES = 200_000_000
# What the page sends as JSON: a whole routine is a few kilobytes.
MAX_JSON_BYTES = 1_000_000
_PLANNING = anyio.CapacityLimiter(1)
T = TypeVar("T")
# How the page names each engine's voices.
ENGINE_KINDS = {"hibari": "natural voice", "piper": "natural voice", "pyttsx3": "system voice"}
# What a sample says, in the routine's language.
SAMPLE_TEXT = {
    "en": "Slow upward strokes, from the collarbone to the chin.",
    "fr": "Remontez lentement, de la clavicule jusqu'au menton.",
}


def routes() -> list[BaseRoute]:
    return [
        Route("/api/routines", list_routines),
        Route("/api/routines", save_routine, methods=["POST"]),
        Route("/api/routines/{name}", read_routine),
        Route("/api/routines/{name}", delete_routine, methods=["DELETE"]),
        Route("/api/plan", plan, methods=["POST"]),
        Route("/api/voices", voices),
        Route("/api/voices/sample", voice_sample, methods=["POST"]),
        Route("/api/music", list_music),
        Route("/api/music", upload_music, methods=["POST"]),
    ]


def field_error(field: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"field": field, "error": message}, status_code=status)


def known_routine(name: str, language: str | None = None) -> Any:
    """A routine the studio lists, by name: never a path."""
    if name not in {*builtin_names(), *user_routine_names()}:
        raise FieldError("routine", f'no routine "{name[:40]}"; pick one from the list')
    return load_routine(name, language)


async def list_routines(request: Request) -> Response:
    return JSONResponse(await in_thread(_routines_listed))


def _routines_listed() -> list[dict[str, Any]]:
    mine = set(user_routine_names())
    listed = []
    for name in sorted({*builtin_names(), *mine}):
        entry: dict[str, Any] = {"name": name, "own": name in mine}
        try:
            routine = load_routine(name)
        except VoiceguideError as error:  # one broken file of yours should not hide the others
            listed.append({**entry, "error": str(error)})
            continue
        minutes = routine.minutes or routine.total_seconds / 60
        steps = [step.title for step in routine.steps]
        listed.append({**entry, "title": routine.name, "minutes": round(minutes, 1), "steps": steps,
                       "description": routine.description, "language": routine.language})  # fmt: skip
    return listed


async def read_routine(request: Request) -> Response:
    name = request.path_params["name"]
    try:
        known_routine(name)
        return JSONResponse(routine_forms.routine_form(name))
    except FieldError as error:
        return field_error(error.field, error.message, 404)


async def save_routine(request: Request) -> Response:
    body = await read_json(request)
    asked = body.get("routine") if isinstance(body, dict) else None
    routine, errors = await in_thread(routine_forms.checked_routine, asked)
    if routine is None:
        return JSONResponse({"errors": errors}, status_code=400)
    file, replace = str(body.get("file", "")), body.get("replace") is True
    try:
        path = routine_forms.save_routine(routine, file, replace)
    except VoiceguideError as error:
        exists = "already exists" in str(error)
        return JSONResponse(
            {"errors": {"file": str(error)}, "exists": exists}, status_code=409 if exists else 400
        )
    return JSONResponse({"file": path.stem, "path": str(path)})


async def delete_routine(request: Request) -> Response:
    try:
        routine_forms.delete_routine(request.path_params["name"])
    except VoiceguideError as error:
        return field_error("routine", str(error), 404)
    return JSONResponse({"deleted": request.path_params["name"]})


async def plan(request: Request) -> Response:
    """The cue sheet for the page's controls: planning only, no audio (fast enough for every key)."""
    studio: Studio = request.app.state.studio
    try:
        asked = read_request(await read_json(request))
        routine = await in_thread(known_routine, asked.routine, asked.language)
        shape = session_shape(asked)
        script = await in_thread(plan_script, routine, shape, asked.language)
    except FieldError as error:
        return field_error(error.field, error.message)
    except VoiceguideError as error:
        return field_error(field_of(error), str(error))
    rows = cue_rows(script, shape.pace.rate_wpm)
    return JSONResponse({
        "title": script.title,
        "total_ms": script.total_ms,
        "steps": [{"title": c.title, "start_ms": c.start_ms, "end_ms": c.end_ms} for c in script.chapters],
        "rows": [{"time": row.time, "at_ms": row.at_ms, "step": row.step, "kind": row.kind, "said": row.said}
                 for row in rows],
        "sessions_folder": str(studio.folders.sessions),
    })  # fmt: skip


def _speaks(codes: tuple[str, ...], language: str) -> bool:
    return any(code.split("-")[0] == language for code in codes)


def offered_voices(language: str) -> list[dict[str, Any]]:
    """The voices the page may pick for ``language``: auto first, then each engine's."""
    default = pick_engine(AUTO, language)
    best = f"The best installed ({ENGINE_KINDS.get(default, default)})"
    offered: list[dict[str, Any]] = [{"value": AUTO, "label": best, "default": True}]
    for name in engine_names():
        try:
            found = [v for v in get_engine(name).voices() if _speaks(v.languages, language)]
        except VoiceguideError:
            continue
        kind = ENGINE_KINDS.get(name, name)
        offered += [
            {"value": f"{name}:{v.id}", "label": f"{v.name} ({kind})", "default": False} for v in found
        ]
    return offered


async def voices(request: Request) -> Response:
    language = request.query_params.get("language", "en")
    if language not in SAMPLE_TEXT:
        return field_error("language", "voiceguide speaks English (en) and French (fr)")
    return JSONResponse(await run_in_threadpool(offered_voices, language))


async def voice_sample(request: Request) -> Response:
    """A sentence in the chosen voice, as an MP3 (made once per voice and pace)."""
    studio: Studio = request.app.state.studio
    try:
        asked = read_request(await read_json(request))
        language = asked.language or "en"
        offered = {v["value"] for v in await run_in_threadpool(offered_voices, language)}
        settings = voice_settings(voice_choice(asked, offered), language, PACES[asked.pace].rate_wpm)
        key = hashlib.sha256(repr(settings).encode()).hexdigest()[:24]
        sample = studio.folders.work / "samples" / f"{key}.mp3"
        if not sample.exists():
            await run_in_threadpool(render_sample, SAMPLE_TEXT[language], settings, sample)
    except FieldError as error:
        return field_error(error.field, error.message)
    except VoiceguideError as error:
        return field_error("voice", str(error))
    return file_response(sample, "audio/mpeg")


async def list_music(request: Request) -> Response:
    studio: Studio = request.app.state.studio
    names = _upload_names(studio.folders.uploads)
    present = [name for name in names if (studio.folders.uploads / name).is_file()]
    return JSONResponse([{"value": f"upload:{name}", "label": names[name]} for name in present])


async def upload_music(request: Request) -> Response:
    """A track of the user's, sent as the request's body: kept (by its content's hash) only if it
    is under the size cap and decodes as audio."""
    studio: Studio = request.app.state.studio
    label = Path(request.query_params.get("name", "track")).name[:100] or "track"
    extension = Path(label).suffix.lower().lstrip(".")
    if not UPLOAD_NAME.match(f"{'0' * 16}.{extension}"):
        return field_error("music", "not an audio file; upload an MP3, OGG, FLAC, WAV, AIFF or M4A", 415)
    declared = int(request.headers.get("content-length", "0") or 0)
    if declared > MAX_UPLOAD_BYTES:
        return field_error("music", _too_big(), 413)
    uploads = studio.folders.uploads
    scratch, digest, size = await _received(request, uploads)
    if size == 0 or size > MAX_UPLOAD_BYTES:
        scratch.unlink(missing_ok=True)
        return field_error("music", _too_big() if size else "the upload was empty", 413 if size else 400)
    stored = uploads / f"{digest[:16]}.{extension}"
    scratch.replace(stored)
    try:
        await run_in_threadpool(load_background, str(stored), studio.folders.cache / "music")
    except VoiceguideError as error:
        stored.unlink(missing_ok=True)
        return field_error("music", str(error).replace(str(stored), label), 400)
    names = _upload_names(uploads) | {stored.name: label}
    write_text_atomically(uploads / "names.json", json.dumps(names, ensure_ascii=False))
    await run_in_threadpool(prune_caches, studio.folders.cache)
    return JSONResponse({"value": f"upload:{stored.name}", "label": label})


async def _received(request: Request, folder: Path) -> tuple[Path, str, int]:
    """The body streamed to a file in ``folder`` while it is hashed: the file, the hash, the size
    (reading stops once past the size cap)."""
    digest, size = hashlib.sha256(), 0
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".upload.", suffix=".part", delete=False)
    try:
        with handle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    break
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:  # the phone went away mid-upload: nothing half-sent is kept
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name), digest.hexdigest(), size


def _too_big() -> str:
    return f"the track is over {MAX_UPLOAD_BYTES // 1_000_000} MB; upload a shorter one (it is looped)"


def _upload_names(uploads: Path) -> dict[str, str]:
    try:
        names = json.loads((uploads / "names.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {key: str(value) for key, value in names.items() if UPLOAD_NAME.match(key)}
        if isinstance(names, dict)
        else {}
    )


async def read_json(request: Request) -> Any:
    """The body as JSON (None when it is not), read only up to ``MAX_JSON_BYTES``."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            return None
    try:
        return json.loads(body)
    except ValueError:
        return None


async def in_thread(work: Callable[..., T], *args: Any) -> T:
    """``work`` on a thread of its own, one such at a time: planning a stranger's routine must
    not stop the server from answering anything else (a phone streaming a session)."""
    return await anyio.to_thread.run_sync(work, *args, limiter=_PLANNING)
