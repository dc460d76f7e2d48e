"""The routine model: what a routine file may say, and the one door from YAML into it."""

from __future__ import annotations

import re
import unicodedata
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

from voiceguide.errors import RoutineError
from voiceguide.routine_fields import (
    DEFAULT_TEMPO_SECONDS,
    MAX_LINES,
    MAX_MOVES,
    MAX_PRONUNCIATIONS,
    MAX_ROUTINE_CHARS,
    MAX_SAY_LINES,
    MAX_SESSION_SECONDS,
    MAX_STEPS,
    MAX_STROKES,
    Prose,
    Respelling,
    Seconds,
    Spoken,
    Tempo,
    Text,
    Word,
)
from voiceguide.routine_yaml import KnownFields, describe_validation_error, parse_yaml_mapping

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


class Move(BaseModel):
    """One movement: what is said, and optionally a number of strokes paced at a tempo."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    text: Spoken
    """What is said to start the movement."""
    strokes: int | None = Field(default=None, ge=1, le=MAX_STROKES)
    """How many strokes to count, each marked by a soft tick (or a spoken count with --ticks off)."""
    tempo: Tempo = DEFAULT_TEMPO_SECONDS
    """One stroke every so long (e.g. 4s); only with ``strokes``."""

    @model_validator(mode="after")
    def _tempo_needs_strokes(self) -> Move:
        if self.strokes is None and "tempo" in self.model_fields_set:
            raise ValueError("tempo needs strokes: say how many strokes to count (strokes: 6)")
        return self


def _move_from_text(value: object) -> object:
    # Most moves are just a sentence; a mapping is only needed to count strokes.
    return {"text": value} if isinstance(value, str) else value


WrittenMove = Annotated[Move, BeforeValidator(_move_from_text, json_schema_input_type=Text | Move)]


class Step(BaseModel):
    """One part of a routine, spoken as a chapter of the session."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    title: Text
    """What the step is called; spoken at its start and used as the chapter title."""
    spoken_title: Text | None = None
    """The title as the voice says it, when the written one is short for it (Prep: Preparation)."""
    duration: Seconds
    """How long the step lasts, in seconds (written as 90s, 1.5m, 1m30s or a number)."""
    area: Text | None = None
    """The part of the face or neck it works, for reminders."""
    technique: Technique | None = None
    """The main massage technique; its phrasing comes from the language's technique table."""
    muscles: tuple[Text, ...] = Field(default=(), max_length=MAX_LINES)
    """Muscles the step works, named in reminders."""
    moves: tuple[WrittenMove, ...] = Field(default=(), max_length=MAX_MOVES)
    """The movements, in order; each gets an equal share of the step's time. A move is a line, or
    ``{text, strokes, tempo}`` to count strokes. Any spoken line may hold pauses: ``[pause]``
    (1.5 s), ``[pause 3s]``, ``[breath]`` (a slow breath, 5 s)."""
    tips: tuple[Spoken, ...] = Field(default=(), max_length=MAX_LINES)
    """Advice spoken between movements when there is room."""
    say: tuple[Spoken, ...] = Field(default=(), max_length=MAX_SAY_LINES)
    """Lines spoken right after the title, as Jinja templates (e.g. ``{{ seconds }}``)."""
    sides: tuple[Text, ...] = Field(default=(), max_length=4)
    """Sides worked in turn (e.g. ``[left, right]``): the step is split with a spoken switch."""

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def said_title(self) -> str:
        """The title as spoken, and shown in the lyrics."""
        return self.spoken_title or self.title


class Routine(BaseModel):
    """A named sequence of steps; its length is the steps' sum unless ``minutes`` says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: Text
    """A short name, used for the MP3's title and file name."""
    description: Prose = ""
    """One or two sentences on what the routine is for."""
    minutes: float | None = Field(default=None, gt=0, le=MAX_SESSION_SECONDS / 60)
    """The default session length; the steps are fitted to it when it differs from their sum."""
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")
    """The narration language (a template folder under voiceguide/templates)."""
    steps: tuple[Step, ...] = Field(min_length=1, max_length=MAX_STEPS)
    """The steps, in the order they are done."""
    pronunciations: dict[Word, Respelling] = Field(default_factory=dict, max_length=MAX_PRONUNCIATIONS)
    """Words the voice is to say differently, each spelt the way it sounds (``masseter:
    mass-ee-ter``); on top of the built-in table and the user's own. The audio only: the lyrics
    keep the word as written."""

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
        if len(self.model_dump_json()) > MAX_ROUTINE_CHARS:
            raise ValueError(
                f"the routine holds more than {MAX_ROUTINE_CHARS:,} characters of text; split it"
            )
        return self

    @property
    def total_seconds(self) -> float:
        return sum(step.duration for step in self.steps)

    @property
    def counts_strokes(self) -> bool:
        """Whether any move counts strokes (and so needs the tick, and room for its strokes)."""
        return any(move.strokes for step in self.steps for move in step.moves)

    @property
    def source(self) -> str:
        """Where the routine came from (a path or ``built-in NAME``), for error messages."""
        return self._source


def slugify(title: str) -> str:
    """``Neck & décolletage`` -> ``neck-decolletage``: ASCII, lower case, for names on the CLI."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def find_step(routine: Routine, name: str) -> int:
    """The index of the step ``name`` means: its title or slug, or one word of it (``eyes``)."""
    wanted = slugify(name)
    steps = routine.steps
    exact = [i for i, step in enumerate(steps) if step.slug == wanted]
    if len(exact) == 1:
        return exact[0]
    close = [i for i, step in enumerate(steps) if _names_step(wanted, step.slug)]
    if len(close) == 1:
        return close[0]
    names = ", ".join(step.slug for step in steps)
    if close:
        matches = " and ".join(f'"{steps[i].title}"' for i in close)
        raise RoutineError(f'step "{name}" could mean {matches}; use one of: {names}')
    raise RoutineError(f'{routine.name} has no step "{name}"; its steps are: {names}')


def _names_step(wanted: str, slug: str) -> bool:
    words = slug.split("-")
    return slug.startswith(wanted) or wanted in words or wanted.removesuffix("s") in words


def parse_routine(text: bytes, source: str) -> Routine:
    """The routine in ``text`` (a YAML file's bytes); ``source`` names it in errors."""
    data = parse_yaml_mapping(text, source)
    try:
        routine = Routine.model_validate(data)
    except ValidationError as error:
        fields = KnownFields(routine=list(Routine.model_fields), step=list(Step.model_fields))
        raise RoutineError(describe_validation_error(error, data, source, fields)) from None
    except (ArithmeticError, RecursionError, TypeError, ValueError) as error:
        # Nothing a file holds should get past validation like this; if it does, still one line.
        raise RoutineError(f"{source}: this routine cannot be read ({type(error).__name__})") from None
    routine._source = source
    return routine


class PronunciationFile(BaseModel):
    """The user's own pronunciations, for every routine: ``pronunciations.yaml`` in the config folder."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    pronunciations: dict[Word, Respelling] = Field(default_factory=dict, max_length=MAX_PRONUNCIATIONS)
    """Words the voice is to say differently, each spelt the way it sounds."""


def parse_pronunciations(text: bytes, source: str) -> dict[str, str]:
    """The entries of a pronunciation file (``text``, its bytes); ``source`` names it in errors."""
    data = parse_yaml_mapping(text, source, "a pronunciation file is a mapping with pronunciations:")
    try:
        return dict(PronunciationFile.model_validate(data).pronunciations)
    except ValidationError as error:
        fields = KnownFields(routine=list(PronunciationFile.model_fields), step=[])
        raise RoutineError(describe_validation_error(error, data, source, fields)) from None
