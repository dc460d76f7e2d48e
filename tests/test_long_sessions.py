"""Long sessions that stay fresh: moves come round again, reminders thin out, no line is said
twice in a row, and each built-in routine at its own length keeps its cue sheet."""

import collections
import itertools
import json
from pathlib import Path

import pytest
from helpers import plan, run

from voiceguide.fitting import FitRequest
from voiceguide.narration import PACES
from voiceguide.narration.layout import Cue
from voiceguide.narration.reminders import LONG_STEP_LEAST_APART_MS, LONG_STEP_MS, reminder_spacing
from voiceguide.narration.script import Script
from voiceguide.narration.wording import Wording
from voiceguide.routine import Routine
from voiceguide.routines import builtin_names, load_routine

LENGTHS_MIN = (10, 20, 30, 60, 120)
LANGUAGES = ("en", "fr")
GOLDEN = Path(__file__).parent / "golden"


def _scripts() -> list[tuple[str, str, int, str]]:
    return [
        (name, language, minutes, pace)
        for name, language, minutes, pace in itertools.product(builtin_names(), LANGUAGES, LENGTHS_MIN, PACES)
        if pace == "normal" or minutes in (10, 60)
    ]


def _script(name: str, language: str, minutes: int, pace: str) -> tuple[Routine, Script]:
    routine = load_routine(name, language)
    return routine, plan(routine, fit=FitRequest(minutes=minutes), pace=PACES[pace])


def _step_cues(script: Script) -> dict[int, list[Cue]]:
    steps: dict[int, list[Cue]] = collections.defaultdict(list)
    for cue in script.cues:
        steps[cue.step_index].append(cue)
    return steps


def _per_side(cues: list[Cue]) -> list[list[Cue]]:
    """A two-sided step's cues split at each side's announcement: a move said for each side counts
    once per side."""
    parts: list[list[Cue]] = [[]]
    for cue in cues:
        if cue.kind == "side":
            parts.append([])
        parts[-1].append(cue)
    return parts


@pytest.mark.parametrize(("name", "language", "minutes", "pace"), _scripts())
def test_long_sessions_stay_fresh(name: str, language: str, minutes: int, pace: str):
    routine, script = _script(name, language, minutes, pace)
    texts = [cue.text for cue in script.cues]
    assert all(a != b for a, b in itertools.pairwise(texts)), "a line said twice in a row"
    for index, cues in _step_cues(script).items():
        step, chapter = routine.steps[index], script.chapters[index]
        for part in _per_side(cues):
            counts = collections.Counter(cue.text for cue in part)
            assert max(counts.values()) <= 2, counts.most_common(1)
        if chapter.end_ms - chapter.start_ms >= LONG_STEP_MS:
            reminders = [cue.at_ms for cue in cues if cue.kind == "reminder"]
            assert all(b - a >= LONG_STEP_LEAST_APART_MS for a, b in itertools.pairwise(reminders)), reminders
        if step.technique:
            moves = [cue for cue in cues if cue.kind == "move"]
            rounds = 2 if chapter.end_ms - chapter.start_ms >= 2 * step.duration * 1000 else 1
            sides = max(1, len(step.sides))
            assert len(moves) >= rounds * sides * len(step.moves), (step.title, len(moves))
            for move in step.moves:  # each written move is said, as written, in the first round
                assert any(move.text.rstrip(".") in cue.text for cue in moves), move.text


def test_a_step_without_a_technique_says_its_moves_once():
    routine, script = _script("daily", "en", 60, "normal")
    prep = _step_cues(script)[0]
    assert not routine.steps[0].technique
    assert len([cue for cue in prep if cue.kind == "move"]) == len(routine.steps[0].moves)


def test_a_returning_move_is_said_as_a_return_and_counts_its_strokes_again():
    _, script = _script("jaw-release", "en", 60, "normal")
    counted = [cue for cue in script.cues if cue.kind == "move" and cue.strokes]
    returns = [cue for cue in counted if cue.text.startswith(("Back to", "Again", "Once more"))]
    assert returns, "no counted move came round again"
    assert all(cue.strokes and cue.strokes.count >= 1 for cue in returns)


def test_reminders_are_spaced_by_the_pace_in_long_steps():
    """slow spaces them further; brisk never goes under a minute."""
    reminders = {}
    for pace in PACES:
        _, script = _script("daily", "en", 60, pace)
        reminders[pace] = [cue.at_ms for cue in _step_cues(script)[2] if cue.kind == "reminder"]
    assert len(reminders["slow"]) <= len(reminders["normal"]) <= len(reminders["brisk"])
    assert min(b - a for a, b in itertools.pairwise(reminders["brisk"])) >= LONG_STEP_LEAST_APART_MS


def test_short_steps_keep_the_paces_spacing():
    for pace in PACES.values():
        assert reminder_spacing(LONG_STEP_MS - 1, pace.reminder_every_ms).every_ms == pace.reminder_every_ms
        assert reminder_spacing(LONG_STEP_MS - 1, pace.reminder_every_ms).least_apart_ms == 0
        assert reminder_spacing(LONG_STEP_MS, pace.reminder_every_ms).every_ms >= LONG_STEP_LEAST_APART_MS


def _golden_cases() -> list[tuple[str, str]]:
    return list(itertools.product(builtin_names(), LANGUAGES))


@pytest.mark.parametrize(("name", "language"), _golden_cases())
def test_each_built_in_routine_at_its_own_length_keeps_its_cue_sheet(name: str, language: str):
    """Changed only deliberately: regenerate with scripts/golden_cue_sheets.py, and say why."""
    result = run("show", name, "--lang", language, "--format", "json")
    assert result.exit_code == 0, result.stderr
    golden = json.loads((GOLDEN / f"{name}.{language}.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == golden


@pytest.mark.parametrize(
    ("language", "move", "said"),
    [
        ("en", "Now sweep up the sides of your neck.", "Again, sweep up the sides of your neck."),
        ("en", "TMJ: press softly.", "Again, TMJ: press softly."),
        ("fr", "Remontez maintenant vers le cou.", "Encore une fois : remontez vers le cou."),
    ],
)
def test_a_return_drops_the_words_that_only_ordered_the_first_round(language: str, move: str, said: str):
    assert Wording(language).returning("move", 2, move=move) == said
