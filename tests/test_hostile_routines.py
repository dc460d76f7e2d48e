"""Routine files as a stranger might share them, and option values as a careless hand might type
them: each is refused in one line naming the file (exit 2, no traceback, no file written), fast."""

from __future__ import annotations

import importlib.metadata
import os
import random
from pathlib import Path

import pytest
from click.testing import Result
from helpers import GOOD, run, write_routine

from voiceguide.narration.words import MoveLine, Section, StepWords, Strokes, with_fewer_strokes
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routine import parse_routine
from voiceguide.routine_fields import MAX_MOVES, MAX_STEPS
from voiceguide.routines import builtin_names

STEP = "  - title: Neck\n    duration: 1m\n"


def _refused(result: Result, where: str | Path, *words: str) -> None:
    """One line on stderr naming ``where``, exit 2, nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {where}"), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def _said(line: str) -> str:
    return f"name: Hostile\nsteps:\n{STEP}    muscles: [masseter]\n    say: [{line}]\n"


def _one_step(**fields: str) -> str:
    """A routine whose one step has ``fields`` (YAML values as written) after its title."""
    written = "".join(f"    {name}: {value}\n" for name, value in fields.items())
    return f"name: x\nsteps:\n  - title: A\n{written}"


HOSTILE_FILES = {
    "lists nested 500 deep": ("name: x\nsteps: " + "[" * 500 + "]" * 500 + "\n", "nested more than 20 deep"),
    "mappings nested 500 deep": ("name: x\nsteps: " + "{a: " * 500 + "1" + "}" * 500 + "\n", "nested"),
    "a duration of 5000 digits": (_one_step(duration="1" + "0" * 5000), "far too large"),
    "a duration of 300 digits": (_one_step(duration="1" + "0" * 300), "far too large"),
    "a written duration of 400 digits": (_one_step(duration="9" * 400 + "s"), "duration"),
    "strokes of 400 digits": (
        _one_step(duration="1m", moves=f"[{{text: a, strokes: {'9' * 400}}}]"),
        "far too large",
    ),
    "a pause of 400 digits": (
        _one_step(duration="1m", moves=f"['a [pause {'9' * 400}s]']"),
        "write the pause's length",
    ),
    "a newline in the name": ('name: "Evening\\n#EXTINF:1,x"\nsteps:\n' + STEP, "control character (U+000A)"),
    "a control character in a title": (
        'name: x\nsteps:\n  - title: "Neck\\x07"\n    duration: 1m\n',
        "U+0007",
    ),
    "a right-to-left override in a title": (
        'name: x\nsteps:\n  - title: "Neck\\u202e"\n    duration: 1m\n',
        "U+202E",
    ),
    "an escape character in a move": (_one_step(duration="1m", moves='["Press\\x1b[2J"]'), "U+001B"),
    f"{MAX_STEPS + 1} steps": (
        "name: x\nsteps:\n" + "  - {title: A, duration: 5s}\n" * (MAX_STEPS + 1),
        f"at most {MAX_STEPS}",
    ),
    f"{MAX_MOVES + 1} moves": (
        _one_step(duration="1m", moves="[" + "a, " * MAX_MOVES + "a]"),
        f"at most {MAX_MOVES}",
    ),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", list(HOSTILE_FILES))
@pytest.mark.parametrize("command", ["check", "render", "show"])
def test_a_hostile_routine_file_is_one_line(tmp_path: Path, case: str, command: str):
    content, words = HOSTILE_FILES[case]
    path = write_routine(tmp_path, content, "hostile.yaml")
    output = ["-o", str(tmp_path / "out.mp3"), "--engine", "fake"] if command == "render" else []
    _refused(run(command, path, *output), path, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.yaml"]


HOSTILE_SAY_LINES = {
    "nested loops": (
        "'{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}'",
        "statement",
    ),
    "a recursive macro": ("'{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}'", "statement"),
    "a string times a number": ("\"{{ 'x' * 100000 }}\"", "repeating with *"),
    "a power": ("'{{ 9 ** 9 ** 9 }}'", "a power (**)"),
    "a method call": ("'{{ title.center(1000000000) }}'", "calling"),
    "a growing filter": (
        "\"{{ title | replace('e', 'eeeeeeeeee') | replace('e', 'eeeeeeeeee') }}\"",
        '"replace"',
    ),
    "join over a line's letters": ("'{{ title | join(title) | join(title) }}'", '"join"'),
    "a format string's width": ("\"{{ '%999999999s' % title }}\"", "formatting text with %"),
    "a title that is a format string": ("'{{ routine_name % 1 }}'", "formatting text with %"),
    "a filter with a variable argument": ("'{{ muscles | join(title) }}'", "plain values"),
    "python internals": ("\"{{ ''.__class__.__mro__ }}\"", "an attribute"),
    "a rendered line too long": ("'" + "{{title}}" * 200 + "'", "at most 2000"),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", list(HOSTILE_SAY_LINES))
def test_a_hostile_say_line_is_refused_before_it_runs(tmp_path: Path, case: str):
    line, words = HOSTILE_SAY_LINES[case]
    path = write_routine(
        tmp_path, _said(line).replace("title: Neck", "title: Neck and shoulders"), "say.yaml"
    )
    _refused(run("check", path), path, 'step 1 "Neck and shoulders", say line 1', words)


def test_say_lines_still_substitute_variables_and_filters(tmp_path: Path):
    line = (
        "'{{ title | upper }}: {{ seconds // 60 }} minute, {{ muscles | join(\", \") }}, {{ muscles[0] }}.'"
    )
    script = plan_script(parse_routine(_said(line).encode(), "said.yaml"), SessionShape())
    assert "NECK: 1 minute, masseter, masseter." in script.cues[0].text


@pytest.mark.timeout(20)
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "folder"])
def test_a_routine_that_is_no_regular_file_is_refused_without_reading_it(tmp_path: Path, special: str):
    path = {"fifo": tmp_path / "pipe.yaml", "/dev/zero": Path("/dev/zero"), "folder": tmp_path}[special]
    if special == "fifo":
        os.mkfifo(path)  # no writer: opening it to read would wait forever
    _refused(run("check", path), path)


def test_a_routine_over_its_size_cap_is_refused(tmp_path: Path):
    path = write_routine(tmp_path, GOOD + "#" * 1_000_001, "large.yaml")
    _refused(run("check", path), path, "too large for a routine file (1 MB max)")


@pytest.mark.timeout(30)
def test_list_and_render_all_go_on_past_hostile_files_of_yours(routines_folder: Path, tmp_path: Path):
    for number, (content, _) in enumerate(HOSTILE_FILES.values()):
        write_routine(routines_folder, content, f"hostile-{number}.yaml")
    write_routine(routines_folder, "name: Mine\nsteps:\n  - {title: Neck, duration: 20s}\n", "mine.yaml")
    listing = run("list")
    assert listing.exit_code == 0
    assert "Traceback" not in listing.stderr
    assert len([line for line in listing.stderr.splitlines() if "cannot be read:" in line]) == len(
        HOSTILE_FILES
    )
    assert any(line.startswith("mine ") for line in listing.stdout.splitlines())
    rendered = run("render", "--all", "-d", tmp_path / "out", "--engine", "pyttsx3", "--minutes", "0.4")
    assert rendered.exit_code == 2
    assert "Traceback" not in rendered.stderr
    # Every hostile file, and the built-in routines, which cannot fit in 24 seconds.
    refused, total = len(HOSTILE_FILES) + len(builtin_names()), len(HOSTILE_FILES) + len(builtin_names()) + 1
    assert f"{refused} of {total} routines were not rendered" in rendered.stderr.splitlines()[-1]
    assert (tmp_path / "out" / "mine.mp3").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["show", "daily", "--step", "prep=999h"], "59949 minutes, over the 3 hour limit"),
        (["show", "daily", "--step", f"prep={'9' * 400}h"], "is not a duration"),
        (["show", "daily", "--minutes", "1e308"], "3 hour limit"),
        (["show", "daily", "--lead-in", "999999999999h"], "far too long"),
        (["show", "daily", "--lead-in", "6m"], "from 0 to 5m"),
        (["render", "daily", "--bell-every", "4h"], "from 0 to 3h"),
        (["share", "README.md", "--expire", "999999999999h"], "far too long"),
        (["share", "README.md", "--expire", "25h"], "from 0 to 24h"),
        (["render", "daily", "-o", "x.lrc"], "-o x.lrc: name a session file ending in .mp3"),
        (["render", "daily", "-o", "daily"], "name a session file ending in"),
    ],
)
def test_absurd_option_values_are_one_line(args: list[str], words: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("not a session")
    result = run(*args)
    _refused(result, "", words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]


def test_steps_grown_to_hold_their_strokes_keep_to_the_3_hour_limit(tmp_path: Path):
    moves = "".join("      - {text: Stroke up, strokes: 60, tempo: 30s}\n" for _ in range(8))
    path = write_routine(tmp_path, f"name: Counted\nsteps:\n{STEP}    moves:\n{moves}", "counted.yaml")
    _refused(run("show", path), "", "over the 3 hour limit")


@pytest.mark.timeout(20)
def test_a_routine_at_every_limit_plans_in_seconds(tmp_path: Path):
    """The most a file may hold: 100 steps of 50 moves counting 60 strokes each, asked to fit a
    length that makes every count shrink."""
    move = "{text: Stroke up slowly, strokes: 60, tempo: 1.5s}"
    step = f"  - title: Step\n    duration: 30s\n    moves: [{', '.join([move] * MAX_MOVES)}]\n"
    path = write_routine(tmp_path, "name: Full\nsteps:\n" + step * MAX_STEPS, "full.yaml")
    result = run("show", path, "--minutes", "180")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output


def _greedy(words: StepWords, removed: int) -> StepWords:
    """One stroke at a time from the move that counts the most (the first of equals)."""
    for _ in range(removed):
        counted = [
            (move.strokes.count, -s, -m, s, m)
            for s, section in enumerate(words.sections)
            for m, move in enumerate(section.moves)
            if move.strokes and move.strokes.count > 1
        ]
        *_, s, m = max(counted)
        sections = [list(section.moves) for section in words.sections]
        move = sections[s][m]
        assert move.strokes is not None
        sections[s][m] = MoveLine(move.text, move.strokes.fewer())
        words = StepWords(words.opening, tuple(Section(None, tuple(ms)) for ms in sections), None, None)
    return words


def test_fewer_strokes_at_once_take_the_strokes_one_at_a_time_would():
    generator = random.Random(5)
    for _ in range(200):
        sections = tuple(
            Section(None, tuple(
                MoveLine("m", Strokes(c, 4000, c) if c else None)
                for c in (generator.choice([0, 1, 2, 3, 5, 8, 60]) for _ in range(generator.randint(1, 5)))
            ))
            for _ in range(generator.randint(1, 3))
        )  # fmt: skip
        words = StepWords("Open.", sections, None, None)
        removable = sum(m.strokes.count - 1 for s in sections for m in s.moves if m.strokes)
        for removed in {0, removable, *generator.sample(range(removable + 1), min(5, removable + 1))}:
            expected = _greedy(words, removed)
            assert with_fewer_strokes(words, removed).sections == expected.sections


def test_jinja_is_one_without_the_published_sandbox_escapes():
    version = tuple(int(part) for part in importlib.metadata.version("jinja2").split(".")[:3])
    assert version >= (3, 1, 6)
    requires = importlib.metadata.requires("voiceguide") or []
    assert "jinja2>=3.1.6" in requires


def test_the_limits_hold_for_every_built_in_routine():
    for name in ("daily", "quick", "morning-depuff", "jaw-release"):
        text = (Path(__file__).parent.parent / "voiceguide" / "routines" / f"{name}.yaml").read_bytes()
        assert parse_routine(text, name).steps
