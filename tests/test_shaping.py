"""Shaping a session: any length, pinned and skipped steps, pace, sides, halfway cues."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.errors import FittingError, RoutineError
from voiceguide.fitting import FitRequest
from voiceguide.narration import PACES, step_minimums_ms
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routine import find_step
from voiceguide.routines import load_routine

NORMAL = PACES["normal"]


def _plan(name="daily", **request):
    return plan_script(load_routine(name), SessionShape(FitRequest(**request), NORMAL))


def _lengths_s(script):
    return [(c.end_ms - c.start_ms) / 1000 for c in script.chapters]


# 6 minutes: near the shortest daily takes at the calm pace (5.4).
@pytest.mark.parametrize("minutes", [6, 7.5, 20, 60])
def test_any_length_sums_exactly_and_keeps_proportions_within_15_percent(minutes):
    routine = load_routine("daily")
    script = _plan(minutes=minutes)
    assert script.total_ms == round(minutes * 60_000)
    minimums = step_minimums_ms(routine, NORMAL)
    for chapter, step, minimum in zip(script.chapters, routine.steps, minimums, strict=True):
        length_ms = chapter.end_ms - chapter.start_ms
        share = length_ms / script.total_ms
        if length_ms > minimum:  # a step held at its minimum may take more than its share
            assert abs(share / (step.duration / 600) - 1) <= 0.15, chapter.title


def test_twenty_minutes_starts_where_the_issue_says():
    starts = [c.start_ms // 1000 for c in _plan(minutes=20).chapters]
    assert starts == [0, 120, 240, 480, 720, 900, 1080]


def test_one_minute_is_refused_with_the_shortest_length_that_fits():
    with pytest.raises(
        FittingError, match=r"shortest length that fits is (\d\.\d) minutes \(use --minutes \1"
    ):
        _plan(minutes=1)


def test_the_shortest_length_it_names_really_fits():
    with pytest.raises(FittingError) as refused:
        _plan(minutes=1)
    shortest = float(str(refused.value).split("--minutes ")[1].split()[0])
    assert _plan(minutes=shortest).total_ms == round(shortest * 60_000)


def test_a_pinned_step_keeps_its_length_and_a_skipped_one_goes():
    script = _plan(pins=(("eyes", 180),), skips=("neck",))
    titles = [c.title for c in script.chapters]
    assert "Neck & décolletage" not in titles
    assert _lengths_s(script)[titles.index("Eye area")] == 180
    assert script.total_ms == (600 - 60 - 90 + 180) * 1000  # the others keep their own lengths


def test_with_minutes_the_unpinned_steps_share_what_is_left():
    script = _plan(minutes=12, pins=(("forehead", 120),))
    lengths = dict(zip([c.title for c in script.chapters], _lengths_s(script), strict=True))
    assert lengths["Forehead"] == 120
    assert sum(lengths.values()) == 720
    assert lengths["Jawline & chin"] == pytest.approx(2 * lengths["Prep"], abs=0.01)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("eyes", "Eye area"),
        ("EYE-AREA", "Eye area"),
        ("neck", "Neck & décolletage"),
        ("Jawline & chin", "Jawline & chin"),
    ],
)
def test_steps_are_found_by_title_slug_or_word(name, title):
    routine = load_routine("daily")
    assert routine.steps[find_step(routine, name)].title == title


def test_an_unknown_or_ambiguous_step_name_lists_the_steps():
    routine = load_routine("daily")
    with pytest.raises(RoutineError, match="its steps are: prep, neck-decolletage, jawline-chin"):
        find_step(routine, "nose")
    with pytest.raises(RoutineError, match='"area" could mean "Cheeks & mouth area" and "Eye area"'):
        find_step(routine, "area")


def test_a_pin_shorter_than_what_the_step_says_is_refused():
    with pytest.raises(FittingError, match=r'--step "Prep" is pinned to 10 s but needs at least \d+ s'):
        _plan(pins=(("prep", 10),))


def test_skipping_every_step_is_refused():
    names = ("prep", "neck", "jawline", "cheeks", "eye", "forehead", "drainage")
    with pytest.raises(FittingError, match="no steps"):
        _plan(skips=names)


def test_slow_pace_speaks_slower_and_reminds_less_often():
    normal = plan_script(load_routine("daily"), SessionShape(FitRequest(minutes=30), NORMAL))
    slow = plan_script(load_routine("daily"), SessionShape(FitRequest(minutes=30), PACES["slow"]))
    assert PACES["slow"].rate_wpm < NORMAL.rate_wpm < PACES["brisk"].rate_wpm
    count = lambda script: sum(c.kind == "reminder" for c in script.cues)  # noqa: E731
    assert count(slow) < count(normal)


def test_short_steps_get_the_short_opening_long_ones_the_full():
    long_opening = next(c.text for c in _plan(minutes=20).cues if c.kind == "opening")
    short_opening = next(c.text for c in _plan(minutes=6).cues if c.kind == "opening")
    assert long_opening.startswith("Preparation. [pause 1s] 2 minutes.")
    assert short_opening.startswith("Preparation. [pause 1s] A little oil")


def test_long_steps_get_a_halfway_cue_and_last_few_strokes():
    script = _plan(minutes=30)
    jaw = [c for c in script.cues if c.step_index == 2]
    middle = (script.chapters[2].start_ms + script.chapters[2].end_ms) // 2
    halfway = [c for c in jaw if c.kind == "halfway"]
    assert len(halfway) == 1
    assert abs(halfway[0].at_ms - middle) < 15_000
    assert jaw[-1].kind == "transition"
    assert jaw[-1].text.startswith("Last few strokes")


def test_a_two_sided_step_switches_halfway(tmp_path: Path):
    path = tmp_path / "sides.yaml"
    path.write_text(
        "name: Sides\nsteps:\n  - title: Jaw\n    duration: 2m\n    sides: [left, right]\n"
        "    moves: [Circle along the jaw., Pinch along the bone.]\n"
    )
    script = plan_script(load_routine(str(path)), SessionShape())
    sides = [c for c in script.cues if c.kind == "side"]
    assert [c.text for c in sides] == ["Start on your left side.", "Now switch to your right side."]
    assert 50_000 <= sides[1].at_ms <= 70_000
    moves = [c.text for c in script.cues if c.kind == "move"]
    assert moves == ["Circle along the jaw.", "Pinch along the bone."] * 2


@pytest.mark.parametrize("minutes", [5, 20])
def test_show_prints_the_plan_for_any_shape(minutes):
    result = CliRunner().invoke(
        cli, ["show", "daily", "--minutes", str(minutes), "--pace", "brisk", "--skip", "neck"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Daily facial massage: {minutes}:00, 6 steps")
    assert "Neck & décolletage" not in result.output


def test_a_badly_written_pin_is_a_usage_error():
    result = CliRunner().invoke(cli, ["show", "daily", "--step", "eyes"])
    assert result.exit_code == 2
    assert "write NAME=DURATION, like eyes=3m" in result.stderr
