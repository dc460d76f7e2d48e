"""Fitting to a length and planning what is said, without any audio."""

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voiceguide.errors import FittingError, NarrationError
from voiceguide.fitting import fit_to_length, proportional_ms
from voiceguide.narration import PACES, narrate
from voiceguide.narration.layout import CHIME_LEAD_MS
from voiceguide.pauses import without_pauses
from voiceguide.routines import load_routine

NORMAL = PACES["normal"]

DAILY_STARTS_MS = [0, 60_000, 120_000, 240_000, 360_000, 450_000, 540_000]


def test_daily_steps_start_where_the_guide_says():
    plan = fit_to_length(load_routine("daily"))
    assert [p.start_ms for p in plan.steps] == DAILY_STARTS_MS
    assert plan.total_ms == 600_000


def test_other_lengths_keep_proportions_exactly():
    plan = fit_to_length(load_routine("daily"), minutes=20)
    assert [p.start_ms for p in plan.steps] == [2 * s for s in DAILY_STARTS_MS]


@given(
    weights=st.lists(st.floats(min_value=5, max_value=3600), min_size=1, max_size=30),
    total_ms=st.integers(min_value=1, max_value=10_800_000),
)
def test_shares_always_sum_exactly_and_stay_within_a_millisecond(weights, total_ms):
    shares = proportional_ms(weights, total_ms)
    assert sum(shares) == total_ms
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total_ms * weight / sum(weights)) < 1


@pytest.mark.parametrize("minutes", [0, -5, 181, float("nan")])
def test_impossible_lengths_are_refused(minutes):
    with pytest.raises(FittingError, match="minutes"):
        fit_to_length(load_routine("daily"), minutes)


@pytest.mark.parametrize("name", ["daily", "quick", "morning-depuff", "jaw-release"])
def test_every_step_opens_within_four_seconds_and_cues_stay_in_their_step(name):
    plan = fit_to_length(load_routine(name))
    script = narrate(plan, NORMAL)
    for planned in plan.steps:
        cues = [c for c in script.cues if c.step_index == planned.index]
        assert cues[0].kind == "opening"
        assert cues[0].at_ms - planned.start_ms == CHIME_LEAD_MS <= 4000
        assert all(planned.start_ms <= c.at_ms < planned.end_ms for c in cues)
        assert [c.at_ms for c in cues] == sorted(c.at_ms for c in cues)


# A sentence is heard while the hands are busy, so it is short; the natural voice also needs
# about 23 MB more memory for each second of the sentence it is speaking. 120 characters is
# about 8 s of speech.
LONGEST_SENTENCE_CHARS = 120


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", ["daily", "quick", "morning-depuff", "jaw-release"])
def test_every_spoken_sentence_of_the_builtins_is_short(name, language):
    script = narrate(fit_to_length(load_routine(name, language)), PACES["normal"], language)
    spoken = [without_pauses(text) for text in script.spoken_texts()]
    sentences = [s for text in spoken for s in re.split(r"(?<=[.!?])\s+", text)]
    longest = max(sentences, key=len)
    assert len(longest) <= LONGEST_SENTENCE_CHARS, longest


def test_daily_speaks_every_move_in_order_and_ends_with_breaths():
    routine = load_routine("daily")
    script = narrate(fit_to_length(routine), NORMAL)
    spoken = [c.text for c in script.cues if c.kind == "move"]
    assert spoken == [move.text for step in routine.steps for move in step.moves]
    assert "three slow, deep breaths" in spoken[-1]
    assert script.cues[-1].kind == "closing"


def test_long_steps_get_reminders_that_never_repeat_back_to_back():
    script = narrate(fit_to_length(load_routine("daily"), minutes=30), NORMAL)
    reminders = [c.text for c in script.cues if c.kind == "reminder"]
    assert len(reminders) >= 10
    assert all(a != b for a, b in itertools.pairwise(reminders))
    assert "Many of us hold the day's tension here. Breathe out as you work." in reminders


def _routine_saying(tmp_path: Path, line: str):
    path = tmp_path / "say.yaml"
    path.write_text(f"name: Say\nsteps:\n  - title: Neck\n    duration: 1m\n    say: ['{line}']\n")
    return load_routine(str(path))


def test_say_lines_use_the_steps_variables(tmp_path: Path):
    script = narrate(
        fit_to_length(_routine_saying(tmp_path, "{{ title }} for {{ seconds }} seconds.")), NORMAL
    )
    assert "Neck for 60 seconds." in script.cues[0].text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{{ titel }}", r"say line 1: 'titel' is undefined; variables you can use"),
        ("{{ title.__class__.__mro__[1].__subclasses__() }}", r"not allowed|undefined"),
        ("{{ cycler.__init__.__globals__ }}", r"undefined|not allowed"),
        ("{% for %}", r"template syntax error"),
        ("{{ 1 / 0 }}", r"failed to render"),
    ],
)
def test_bad_say_lines_name_the_file_step_and_line(tmp_path: Path, line: str, message: str):
    with pytest.raises(NarrationError, match=message) as caught:
        narrate(fit_to_length(_routine_saying(tmp_path, line)), NORMAL)
    assert str(caught.value).startswith(str(tmp_path / "say.yaml") + ': step 1 "Neck"')


def test_an_unknown_language_lists_the_known_ones():
    with pytest.raises(NarrationError, match="available: en"):
        narrate(fit_to_length(load_routine("daily")), NORMAL, language="xx")
