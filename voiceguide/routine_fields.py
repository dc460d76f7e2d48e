"""The kinds of value a routine file holds, each with its limits: lengths of time, one-line names,
spoken lines. Routine files are shared between people, so every limit is one a stranger's file
could otherwise stretch (see the README's "What voiceguide refuses and why")."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from voiceguide.durations import parse_seconds
from voiceguide.pauses import check_pauses

# A session longer than this is a typo, not a massage.
MAX_SESSION_SECONDS = 3 * 3600
# Below this a step cannot even hold its chime and title.
MIN_STEP_SECONDS = 5.0
# A line longer than this is not something to say, or to show as a title.
MAX_LINE_CHARS = 2000
# How many of each a routine may hold: far more than any routine needs.
MAX_STEPS = 100
MAX_MOVES = 50
MAX_LINES = 50
MAX_SAY_LINES = 10
# All the text a routine holds, together: a whole guide is a few thousand characters. Planning a
# session compiles every say line, so this also bounds the work a stranger's file can ask for.
MAX_ROUTINE_CHARS = 100_000
# A stroke quicker than this cannot be done slowly, or counted aloud; slower is a hold, not a stroke.
MIN_TEMPO_SECONDS = 1.5
MAX_TEMPO_SECONDS = 30.0
MAX_STROKES = 60
# Strokes written without a tempo come at this pace: slow, like a breath.
DEFAULT_TEMPO_SECONDS = 4.0
# Pronunciations a routine (or the user's own file) may set: words, each said as written here.
MAX_PRONUNCIATIONS = 200
MAX_WORD_CHARS = 60

# Control characters end up in tags, playlists (a newline adds an entry), feeds (invalid XML) and
# pages; the bidirectional overrides make a title read other than it is. Tabs and line breaks in a
# spoken line are only white space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITE_SPACE = re.compile(r"[\t\n\r]+")
# Jinja's own brackets ({{ muscles[0] }}) are not pause markup.
_TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _printable(text: str) -> str:
    if found := _CONTROL.search(text):
        code = f"U+{ord(found[0]):04X}"
        raise ValueError(f"holds a control character ({code}); write it with printable characters only")
    return text


def _one_paragraph(text: str) -> str:
    return _printable(_WHITE_SPACE.sub(" ", text).strip())


def _spoken(line: str) -> str:
    line = _one_paragraph(line)
    check_pauses(_TEMPLATE_CODE.sub("", line))
    return line


# A word is letters, with single spaces, hyphens or apostrophes between them ("gua sha"). A
# respelling is plain text: markup in it would reach the engines (pauses, espeak-ng's phonemes).
_WORD = re.compile(r"^[^\W\d_]+(?:['\u2019 -][^\W\d_]+)*$")
_RESPELLING = re.compile(r"^[^\W\d_]+(?:['\u2019 ,.-]+[^\W\d_]+)*[.,]?$")


def _word(text: str) -> str:
    if not _WORD.match(text):
        raise ValueError(
            f"{_shown(text)} is not a word to pronounce: letters, with spaces, hyphens or apostrophes between"
        )
    return text.lower()


def _respelling(text: str) -> str:
    if not _RESPELLING.match(text):
        raise ValueError(
            f"respelling {_shown(text)} may hold only letters, spaces, hyphens, apostrophes, "
            "commas and full stops"
        )
    return text


def _shown(value: object) -> str:
    """A value as an error message quotes it: long ones cut short."""
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:20]}...{text[-1]}"


def _step_seconds(value: object) -> float:
    seconds = parse_seconds(value)  # type: ignore[arg-type]
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"duration {_shown(value)} must be a positive length like 90s or 1.5m")
    if seconds < MIN_STEP_SECONDS:
        raise ValueError(f"duration {_shown(value)} is too short; a step needs at least 5s")
    if seconds > MAX_SESSION_SECONDS:
        raise ValueError(f"duration {_shown(value)} is longer than the 3 hour limit")
    return seconds


def _tempo_seconds(value: object) -> float:
    seconds = parse_seconds(value)  # type: ignore[arg-type]
    if not MIN_TEMPO_SECONDS <= seconds <= MAX_TEMPO_SECONDS:
        limits = f"{MIN_TEMPO_SECONDS:g}s to {MAX_TEMPO_SECONDS:g}s"
        raise ValueError(f"tempo {_shown(value)} must be from {limits} (one stroke every so often)")
    return seconds


# In the JSON Schema a duration is what people write: text like "1m30s", or a number of seconds.
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?\s*(h|min|m|sec|s)\s*)+$|^\s*\d+(\.\d+)?\s*$"
_WRITTEN_DURATION = Annotated[str, Field(pattern=DURATION_PATTERN)] | float

Seconds = Annotated[float, BeforeValidator(_step_seconds, json_schema_input_type=_WRITTEN_DURATION)]
"""A step's length: 90s, 1.5m, 1m30s or a number of seconds."""
Tempo = Annotated[float, BeforeValidator(_tempo_seconds, json_schema_input_type=_WRITTEN_DURATION)]
"""Time between two counted strokes."""
Text = Annotated[str, Field(min_length=1, max_length=MAX_LINE_CHARS), AfterValidator(_printable)]
"""A name or title: one line of printable characters."""
Spoken = Annotated[str, Field(min_length=1, max_length=MAX_LINE_CHARS), AfterValidator(_spoken)]
"""A narration line, which may hold pause markup: [pause], [pause 3s], [breath]."""
Prose = Annotated[str, Field(max_length=MAX_LINE_CHARS), AfterValidator(_one_paragraph)]
"""A sentence or two shown, not spoken."""
Word = Annotated[str, Field(min_length=1, max_length=MAX_WORD_CHARS), AfterValidator(_word)]
"""A word (or a few) whose pronunciation is set, matched whatever its case."""
Respelling = Annotated[str, Field(min_length=1, max_length=MAX_LINE_CHARS // 10), AfterValidator(_respelling)]
"""How a word is to be said, spelt the way it sounds (``day-coll-tahzh``)."""
