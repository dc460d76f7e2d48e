"""The routine model: what a routine file may say, and the one door from YAML into it."""

from __future__ import annotations

import math
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from voiceguide.durations import parse_seconds
from voiceguide.errors import RoutineError
from voiceguide.routine_yaml import KnownFields, describe_validation_error, parse_yaml_mapping

# A session longer than this is a typo, not a massage.
MAX_SESSION_SECONDS = 3 * 3600
# Below this a step cannot even hold its chime and title.
MIN_STEP_SECONDS = 5.0
# Routine files are a few kilobytes; refusing big ones keeps a stray binary from being parsed.
MAX_FILE_BYTES = 1_000_000

Technique = Literal[
    "effleurage",
    "petrissage",
    "circular friction",
    "pinching",
    "tapping",
    "knuckle circles",
    "lymphatic strokes",
    "acupressure",
    "zigzag",
]


def _step_seconds(value: object) -> float:
    seconds = parse_seconds(value)  # type: ignore[arg-type]
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"duration {value!r} must be a positive length like 90s or 1.5m")
    if seconds < MIN_STEP_SECONDS:
        raise ValueError(f"duration {value!r} is too short; a step needs at least 5s")
    if seconds > MAX_SESSION_SECONDS:
        raise ValueError(f"duration {value!r} is longer than the 3 hour limit")
    return seconds


Seconds = Annotated[float, BeforeValidator(_step_seconds)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Step(BaseModel):
    """One part of a routine, spoken as a chapter of the session."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text
    """What the step is called; spoken at its start and used as the chapter title."""
    duration: Seconds
    """How long the step lasts, in seconds (written as 90s, 1.5m, 1m30s or a number)."""
    area: str | None = None
    """The part of the face or neck it works, for reminders."""
    technique: Technique | None = None
    """The main massage technique; its phrasing comes from the language's technique table."""
    muscles: tuple[Text, ...] = ()
    """Muscles the step works, named in reminders."""
    moves: tuple[Text, ...] = ()
    """The movements, in order; each gets an equal share of the step's time."""
    tips: tuple[Text, ...] = ()
    """Advice spoken between movements when there is room."""
    say: tuple[Text, ...] = ()
    """Lines spoken right after the title, as Jinja templates (e.g. ``{{ seconds }}``)."""

    @property
    def slug(self) -> str:
        return slugify(self.title)


class Routine(BaseModel):
    """A named sequence of steps; its length is the steps' sum unless ``minutes`` says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    """A short name, used for the MP3's title and file name."""
    description: str = ""
    """One or two sentences on what the routine is for."""
    minutes: float | None = Field(default=None, gt=0, le=MAX_SESSION_SECONDS / 60)
    """The default session length; the steps are fitted to it when it differs from their sum."""
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")
    """The narration language (a template folder under voiceguide/templates)."""
    steps: tuple[Step, ...] = Field(min_length=1)
    """The steps, in the order they are done."""

    _source: str = PrivateAttr(default="<routine>")

    @field_validator("steps", mode="before")
    @classmethod
    def _steps_not_empty(cls, value: object) -> object:
        if value is None or value == []:
            raise ValueError("a routine needs at least one step")
        return value

    @model_validator(mode="after")
    def _session_not_absurd(self) -> Routine:
        if self.total_seconds > MAX_SESSION_SECONDS:
            raise ValueError("the steps add up to more than the 3 hour limit")
        return self

    @property
    def total_seconds(self) -> float:
        return sum(step.duration for step in self.steps)

    @property
    def source(self) -> str:
        """Where the routine came from (a path or ``built-in NAME``), for error messages."""
        return self._source


def slugify(title: str) -> str:
    """``Neck & décolletage`` -> ``neck-decolletage``: ASCII, lower case, for names on the CLI."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def parse_routine(text: bytes, source: str) -> Routine:
    """The routine in ``text`` (a YAML file's bytes); ``source`` names it in errors."""
    data = parse_yaml_mapping(text, source)
    try:
        routine = Routine.model_validate(data)
    except ValidationError as error:
        fields = KnownFields(routine=list(Routine.model_fields), step=list(Step.model_fields))
        raise RoutineError(describe_validation_error(error, data, source, fields)) from None
    routine._source = source
    return routine


def load_routine_file(path: Path) -> Routine:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RoutineError(f"{path}: {size} bytes is too large for a routine file (1 MB max)")
        text = path.read_bytes()
    except FileNotFoundError:
        raise RoutineError(f"{path}: no such routine file") from None
    except IsADirectoryError:
        raise RoutineError(f"{path}: is a folder, not a routine file") from None
    except OSError as error:
        raise RoutineError(f"{path}: cannot read it ({error.strerror})") from None
    return parse_routine(text, str(path))


def builtin_names() -> list[str]:
    """The names of the routines that ship with voiceguide, sorted."""
    folder = resources.files("voiceguide") / "routines"
    return sorted(item.name.removesuffix(".yaml") for item in folder.iterdir() if item.name.endswith(".yaml"))


def load_builtin(name: str) -> Routine:
    text = (resources.files("voiceguide") / "routines" / f"{name}.yaml").read_bytes()
    return parse_routine(text, f"built-in routine {name}")


def load_routine(name_or_path: str) -> Routine:
    """A built-in routine by name, or a routine file by path."""
    if name_or_path in builtin_names():
        return load_builtin(name_or_path)
    path = Path(name_or_path).expanduser()
    if path.exists() or path.suffix in {".yaml", ".yml"} or "/" in name_or_path:
        return load_routine_file(path)
    known = ", ".join(builtin_names())
    raise RoutineError(
        f'"{name_or_path}" is neither a built-in routine ({known}) nor a routine file; '
        "give a built-in name or a path to a .yaml file"
    )
