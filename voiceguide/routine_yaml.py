"""Reading a routine file's YAML safely, remembering the line of every key for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from voiceguide.errors import RoutineError


@dataclass(frozen=True)
class KnownFields:
    """The field names a routine and a step accept, for "did you mean" hints."""

    routine: list[str]
    step: list[str]


class LinedDict(dict[str, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


# A routine is a mapping of steps holding lists of moves: five levels. Hundreds of levels would
# overflow the parser's recursion; a number of hundreds of digits, Python's integer conversion.
MAX_NESTING = 20
MAX_NUMBER_DIGITS = 15


class _RoutineLoader(yaml.SafeLoader):
    """SafeLoader (no ``!!python/...`` objects) that refuses aliases and deep nesting.

    Aliases let a few lines expand to billions of nodes once validated (the "billion laughs" bomb);
    routines never need them, so the first one is an error.
    """

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        mark: Any = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # PyYAML leaves it unannotated
        if self.check_event(yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem="YAML aliases (*name) are not allowed in routine files; write the value out",
                problem_mark=mark,
            )
        if self.depth >= MAX_NESTING:
            raise yaml.MarkedYAMLError(
                problem=f"lists and mappings nested more than {MAX_NESTING} deep; a routine needs five",
                problem_mark=mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_lined_mapping(loader: _RoutineLoader, node: yaml.MappingNode) -> Iterator[LinedDict]:
    mapping = LinedDict()
    yield mapping
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(problem=f"key {key!r} must be text", problem_mark=key_node.start_mark)
        if key in mapping:
            raise yaml.MarkedYAMLError(problem=f'key "{key}" appears twice', problem_mark=key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1


def _construct_short_int(loader: _RoutineLoader, node: yaml.ScalarNode) -> int:
    if sum(character.isdigit() for character in node.value) > MAX_NUMBER_DIGITS:
        raise yaml.MarkedYAMLError(
            problem=f"the number {node.value[:12]}... is far too large", problem_mark=node.start_mark
        )
    number: int = loader.construct_yaml_int(node)
    return number


_RoutineLoader.add_constructor("tag:yaml.org,2002:map", _construct_lined_mapping)
_RoutineLoader.add_constructor("tag:yaml.org,2002:int", _construct_short_int)


ROUTINE_SHAPE = "a routine is a mapping with name: and steps:"


def parse_yaml_mapping(text: bytes, source: str, shape: str = ROUTINE_SHAPE) -> LinedDict:
    """The top-level mapping of a routine file, or a RoutineError naming the file and line."""
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RoutineError(
            f"{source}: not UTF-8 text (byte 0x{text[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8"
        ) from None
    try:
        data = yaml.load(decoded, Loader=_RoutineLoader)
    except yaml.MarkedYAMLError as error:
        raise RoutineError(_describe_yaml_error(error, source)) from None
    except yaml.YAMLError as error:
        raise RoutineError(f"{source}: not valid YAML ({error})") from None
    except (ArithmeticError, RecursionError, ValueError) as error:
        raise RoutineError(f"{source}: not a routine file PyYAML can read ({type(error).__name__})") from None
    if data is None:
        raise RoutineError(f"{source}: the file is empty; {shape}")
    if not isinstance(data, LinedDict):
        kind = type(data).__name__.replace("str", "text")
        raise RoutineError(f"{source}: the file holds a {kind}, but {shape}")
    return data


def _describe_yaml_error(error: yaml.MarkedYAMLError, source: str) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"{source}, line {mark.line + 1}" if mark else source
    problem = error.problem or error.context or "not valid YAML"
    if "could not determine a constructor" in problem:
        problem = "tags like !!python/... are not allowed in routine files"
    return f"{where}: {problem}"


def describe_validation_error(
    error: ValidationError, data: LinedDict, source: str, fields: KnownFields
) -> str:
    """One line for the first problem pydantic found: file, line, step, field, and what to do."""
    # A misspelt field also shows up as the right one missing; the typo is what to report.
    problems = sorted(error.errors(), key=lambda problem: problem["type"] != "extra_forbidden")
    first = problems[0]
    location = _as_written(data, tuple(first["loc"]))
    line = _line_of(data, location)
    where = f"{source}, line {line}" if line else source
    problem = _describe_problem(first, location, fields)
    return f"{where}: {_describe_place(data, location)}{problem}"


def _as_written(data: LinedDict, location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The location cut to what the file has: a move written as plain text has no ``text`` key."""
    found = _found_in_file(data, location)
    reached = found[-1][2] if found else data
    if len(found) < len(location) and not isinstance(reached, dict | list):
        return location[: len(found)]
    return location


def _line_of(data: LinedDict, location: Sequence[int | str]) -> int:
    line = data.line
    for part, parent, node in _found_in_file(data, location):
        if isinstance(parent, LinedDict):
            line = parent.key_lines.get(str(part), line)
        else:
            line = getattr(node, "line", line)
    return line


def _found_in_file(data: LinedDict, location: Sequence[int | str]) -> list[tuple[int | str, Any, Any]]:
    """(part, container, value) for each step of ``location`` that the file has, from the top."""
    found: list[tuple[int | str, Any, Any]] = []
    node: Any = data
    for part in location:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_mapping or in_list):
            break
        found.append((part, node, node[part]))
        node = node[part]
    return found


def _describe_place(data: LinedDict, location: Sequence[int | str]) -> str:
    if len(location) >= 2 and location[0] == "steps" and isinstance(location[1], int):
        index = location[1]
        step = data["steps"][index] if index < len(data.get("steps") or []) else None
        title = step.get("title") if isinstance(step, dict) else None
        return f'step {index + 1} "{_shown(title)}": ' if title else f"step {index + 1}: "
    return ""


def _describe_problem(detail: Any, location: Sequence[int | str], fields: KnownFields) -> str:
    field = _field_name(location)
    kind = detail["type"]
    if kind == "extra_forbidden":
        return f'unknown field "{field}"{_suggestion(location, fields)}'
    if kind == "missing":
        return f'missing field "{field}"'
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f'field "{field}": {message}' if field else message


def _shown(value: object) -> str:
    """A value of the file's as an error message quotes it: printable, and cut short."""
    text = "".join(character if character.isprintable() else "?" for character in str(value))
    return text if len(text) <= 40 else f"{text[:36]}..."


def _field_name(location: Sequence[int | str]) -> str:
    names = [str(part) for part in location if isinstance(part, str)]
    if names[:1] == ["steps"] and len(names) > 1:
        names = names[1:]
    return ".".join(names)


def _suggestion(location: Sequence[int | str], fields: KnownFields) -> str:
    in_step = len(location) > 2 and location[0] == "steps"
    known = fields.step if in_step else fields.routine
    close = difflib.get_close_matches(str(location[-1]), known, n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f" ({hint}known fields: {', '.join(known)})"
