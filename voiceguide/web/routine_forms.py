"""Routines as the studio's form edits them: a routine's fields as the page's data, the page's data
checked by the same model as routine files (each error named by the field it belongs to), and
saved as a commented YAML file in the user's routines folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from voiceguide.authoring import routine_data, write_new_routine
from voiceguide.errors import VoiceguideError
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routine import Routine, slugify
from voiceguide.routines import builtin_names, load_routine, user_routine_names, user_routines_dir

# The form's fields, beside which errors are shown: ``steps.0.duration``, ``name`` and so on.
FormErrors = dict[str, str]


def routine_form(name: str) -> dict[str, Any]:
    """A routine as the form shows it, and whether it is the user's own (editable) or built-in."""
    routine = load_routine(name)
    return {"file": name, "own": name in user_routine_names(), "routine": routine_data(routine)}


def checked_routine(data: object) -> tuple[Routine | None, FormErrors]:
    """The routine the form holds, or the errors by field (a whole-routine error under "")."""
    try:
        routine = Routine.model_validate(data)
    except ValidationError as error:
        return None, {_field(problem["loc"]): _message(problem) for problem in error.errors()}
    try:
        plan_script(routine, SessionShape())  # say lines, and whether the steps hold what they say
    except VoiceguideError as error:
        return None, {"": str(error)}
    return routine, {}


def save_routine(routine: Routine, file: str, replace: bool) -> Path:
    """Write the routine into the user's routines folder as ``FILE.yaml`` (a slug), atomically;
    an existing file only when ``replace`` is asked. Built-in names stay the built-ins'."""
    name = slugify(file)
    if not name:
        raise VoiceguideError("give the routine a file name of letters or digits")
    if name in builtin_names():
        raise VoiceguideError(f'"{name}" is a built-in routine\'s name; save under another')
    path = user_routines_dir() / f"{name}.yaml"
    write_new_routine(path, routine.name, routine, replace=replace)
    return path


def delete_routine(file: str) -> None:
    """Delete one of the user's own routines (built-in ones cannot be)."""
    if file not in user_routine_names():
        raise VoiceguideError(f'"{file}" is not one of your routines; built-in routines cannot be deleted')
    (user_routines_dir() / f"{file}.yaml").unlink()


def _field(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def _message(problem: Any) -> str:
    if problem["type"] == "missing":
        return "needed"
    return str(problem["msg"]).removeprefix("Value error, ")
