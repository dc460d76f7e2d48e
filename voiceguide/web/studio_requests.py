"""What the studio's page sends, read into the pipeline's own values: the same limits as the
command line, and an error that names the control it belongs to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voiceguide.errors import EngineError, FittingError, NarrationError, RoutineError, VoiceguideError
from voiceguide.fitting import FitRequest
from voiceguide.narration import PACES
from voiceguide.pipeline import FileChoice, SessionShape, SoundChoice
from voiceguide.routine_fields import MAX_SESSION_SECONDS
from voiceguide.speech import AUTO, VoiceChoice

# An uploaded track is kept under a name of the studio's making: the page names it only so.
UPLOAD_NAME = re.compile(r"^[0-9a-f]{16}\.(mp3|ogg|oga|opus|flac|wav|aif|aiff|m4a|mka)$")
# Which control an error from the pipeline belongs beside.
_ERROR_FIELDS: dict[type[VoiceguideError], str] = {
    FittingError: "minutes",
    NarrationError: "routine",
    RoutineError: "routine",
    EngineError: "voice",
}


class SessionRequest(BaseModel):
    """The controls of the page's Shape section, as sent."""

    model_config = ConfigDict(extra="forbid")

    routine: str = Field(min_length=1, max_length=200)
    minutes: float | None = Field(default=None, gt=0, le=MAX_SESSION_SECONDS / 60)
    pace: Literal["slow", "normal", "brisk"] = "normal"
    voice: str = Field(default=AUTO, max_length=300)
    """``auto``, or ``ENGINE:VOICE`` as the voices list gives it."""
    language: Literal["en", "fr"] | None = None
    music: str = Field(default="none", max_length=100)
    """``none``, ``ambient``, or ``upload:NAME`` of a track uploaded to the studio."""
    chime: Literal["bell", "bowl", "wood", "none"] = "bell"
    lead_in_s: float = Field(default=0, ge=0, le=300)
    ticks: bool = True
    format: Literal["mp3", "m4b"] = "mp3"


class FieldError(Exception):
    """Bad input from the page, and the control it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def read_request(data: object) -> SessionRequest:
    try:
        return SessionRequest.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "routine"
        raise FieldError(field, str(first["msg"]).removeprefix("Value error, ")) from None


def field_of(error: VoiceguideError) -> str:
    """The control a pipeline error is shown beside (a bad music file: music, and so on)."""
    if "music" in str(error):
        return "music"
    return next((field for kind, field in _ERROR_FIELDS.items() if isinstance(error, kind)), "routine")


def session_shape(request: SessionRequest) -> SessionShape:
    fit = FitRequest(minutes=request.minutes, lead_in_ms=round(request.lead_in_s * 1000))
    return SessionShape(fit, PACES[request.pace], request.ticks)


def voice_choice(request: SessionRequest, offered: set[str]) -> VoiceChoice:
    """The voice asked for, which must be one the page offered (never a voice file's path)."""
    if request.voice == AUTO:
        return VoiceChoice()
    if request.voice not in offered:
        raise FieldError("voice", "that voice is not offered here; pick one from the list")
    engine, _, voice = request.voice.partition(":")
    return VoiceChoice(engine=engine, voice=voice)


def sound_choice(request: SessionRequest, uploads: Path) -> SoundChoice:
    chime = None if request.chime == "none" else request.chime
    return SoundChoice(chime=chime, music=music_choice(request.music, uploads))


def music_choice(music: str, uploads: Path) -> str:
    """``none``, ``ambient``, or the path of a track uploaded to the studio: never another path."""
    if music in ("none", "ambient"):
        return music
    name = music.removeprefix("upload:")
    if not (music.startswith("upload:") and UPLOAD_NAME.match(name) and (uploads / name).is_file()):
        raise FieldError("music", "that track is not in the studio; upload it again")
    return str(uploads / name)


def file_choice(request: SessionRequest) -> FileChoice:
    return FileChoice(audio_format=request.format)
