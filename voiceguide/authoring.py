"""Writing routine files for people to edit: a commented starter, or a copy of another routine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from voiceguide.errors import VoiceguideError
from voiceguide.files import write_text_atomically
from voiceguide.routine import Move, Routine, Step

SCHEMA_ID = "https://voiceguide.invalid/routine.schema.json"

FIELD_GUIDE = """\
# A voiceguide routine. Check it with:  voiceguide check {file}
# Render it with:                       voiceguide render {file}
#
# Routine fields:
#   name          what the session is called (the MP3's title)
#   description   a sentence or two on what it is for (optional)
#   minutes       default session length; steps are scaled to it (optional: their sum)
#   language      narration language, e.g. en (optional, default en)
#   steps         the steps, in order
# Step fields (only title and duration are required):
#   title         spoken at the step's start and used as its chapter name
#   duration      90s, 1.5m, 1m30s, or a number of seconds
#   area          the part of the face or neck it works
#   technique     effleurage, petrissage, circular friction, pinching, tapping,
#                 knuckle circles, lymphatic strokes, acupressure or zigzag
#   muscles       e.g. [platysma], [masseter], [zygomatic], [orbicularis oculi], [frontalis]
#   moves         the movements, in order; each gets an equal share of the step.
#                 To count strokes, write a move as {{text: ..., strokes: 6, tempo: 4s}}:
#                 a soft tick marks each stroke (or the voice counts, with --ticks off)
#   tips          advice spoken in the quiet between movements when there is room
#   say           lines spoken right after the title; may use {{{{ title }}}}, {{{{ seconds }}}},
#                 {{{{ minutes }}}}, {{{{ step_number }}}}, {{{{ next_title }}}}
#   sides         e.g. [left, right]: the step is split in halves with a spoken switch
# Completion in editors: run `voiceguide schema > routine.schema.json` beside this file.
# yaml-language-server: $schema=routine.schema.json
"""

STARTER_STEPS: list[dict[str, Any]] = [
    {
        "title": "Prep",
        "duration": "45s",
        "say": ["Use a little oil so your fingers glide, keep the pressure gentle, and move upward."],
        "moves": ["Warm a few drops of oil between clean palms, and press it over your face and neck."],
    },
    {
        "title": "Neck",
        "duration": "1m",
        "technique": "effleurage",
        "muscles": ["platysma"],
        "moves": ["Stroke upward from your collarbone to your chin, one hand after the other."],
    },
    {
        "title": "Jawline",
        "duration": "1m30s",
        "technique": "circular friction",
        "muscles": ["masseter"],
        "sides": ["left", "right"],
        "moves": ["Make slow circles along the jawline, from the chin out to the ear."],
        "tips": ["Let your teeth part and your jaw soften."],
    },
]


def routine_file_text(name: str, file_name: str, base: Routine | None = None) -> str:
    """A commented routine file called ``name``: a copy of ``base``, or a small starter."""
    if base is None:
        data: dict[str, Any] = {"name": name, "description": "My own routine.", "steps": STARTER_STEPS}
    else:
        data = {**routine_data(base), "name": name}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return FIELD_GUIDE.format(file=file_name) + "\n" + body


def write_new_routine(path: Path, name: str, base: Routine | None, replace: bool = False) -> None:
    """Write a routine file for people to edit; never over an existing one unless asked."""
    if path.exists() and not replace:
        raise VoiceguideError(f"{path} already exists; pick another name, or add --force to replace it")
    write_text_atomically(path, routine_file_text(name, path.name, base))


def routine_json_schema() -> str:
    """The routine format as JSON Schema, for editors (yaml-language-server and the like)."""
    schema = Routine.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False)


def routine_data(routine: Routine) -> dict[str, Any]:
    """The routine's fields as people write them (durations as 1m30s, moves as lines unless they
    count strokes), for a YAML file or the studio's form."""
    data: dict[str, Any] = {
        "name": routine.name,
        "description": routine.description,
        "language": routine.language,
    }
    data |= {"minutes": routine.minutes} if routine.minutes else {}
    data["steps"] = [_step_data(step) for step in routine.steps]
    return data


def _step_data(step: Step) -> dict[str, Any]:
    data = step.model_dump(exclude_defaults=True)
    data["duration"] = _written_duration(step.duration)
    if step.moves:
        data["moves"] = [_move_data(move) for move in step.moves]
    return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}


def _move_data(move: Move) -> str | dict[str, Any]:
    """A move as people write it: just its line, unless it counts strokes."""
    if move.strokes is None:
        return move.text
    return {"text": move.text, "strokes": move.strokes, "tempo": _written_duration(move.tempo)}


def _written_duration(seconds: float) -> str:
    if seconds != round(seconds):
        return f"{seconds:g}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes and rest:
        return f"{minutes}m{rest}s"
    return f"{minutes}m" if minutes else f"{rest}s"
