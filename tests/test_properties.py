"""Properties over random routines and lengths: exact sums, no overlapping cues, quiet for the hands."""

import itertools
from pathlib import Path

from helpers import plan, timeline_of
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.fitting import FitRequest
from voiceguide.narration import (
    MIN_QUIET_MS,
    PACES,
    QUIET_RULE_FROM_STEP_MS,
    STEP_END_MARGIN_MS,
    step_minimums_ms,
)
from voiceguide.narration.speech_time import cautious_speech_ms, estimate_speech_ms
from voiceguide.routine import Routine
from voiceguide.speech import Clip

WORDS = ["stroke", "gently", "upward", "circle", "along", "the", "jaw", "cheek", "press", "slowly", "outward"]
sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=16).map(
    lambda w: " ".join(w).capitalize() + "."
)
steps = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["Neck", "Jaw", "Cheeks", "Eyes", "Forehead"]),
        "duration": st.integers(10, 900),
    },
    optional={
        "moves": st.lists(sentences, max_size=5),
        "tips": st.lists(sentences, max_size=3),
        "say": st.lists(sentences, max_size=2),
        "sides": st.just(["left", "right"]),
        "technique": st.sampled_from(["effleurage", "tapping", "zigzag", "acupressure"]),
        "muscles": st.just(["masseter"]),
    },
)
routines = st.lists(steps, min_size=1, max_size=8).map(
    lambda s: Routine.model_validate({"name": "R", "steps": s})
)


@settings(max_examples=300, deadline=None)
@given(routine=routines, stretch=st.floats(1.0, 4.0), pace=st.sampled_from(list(PACES)))
def test_plans_sum_exactly_and_cues_never_overlap(routine: Routine, stretch: float, pace: str):
    minimums = step_minimums_ms(routine, PACES[pace])
    minutes = min(180.0, sum(minimums) * stretch / 60_000)
    script = plan(routine, fit=FitRequest(minutes=minutes), pace=PACES[pace])
    assert script.total_ms == round(minutes * 60_000)
    assert [c.start_ms for c in script.chapters[1:]] == [c.end_ms for c in script.chapters[:-1]]
    assert script.chapters[-1].end_ms == script.total_ms
    rate = PACES[pace].rate_wpm
    for cue, following in zip(script.cues, script.cues[1:], strict=False):
        chapter = script.chapters[cue.step_index]
        assert chapter.start_ms <= cue.at_ms
        assert cue.at_ms + cautious_speech_ms(cue.text, rate) <= min(following.at_ms, chapter.end_ms)


@settings(max_examples=200, deadline=None)
@given(routine=routines, stretch=st.floats(1.0, 3.0), slowness=st.floats(0.75, 1.1))
def test_real_speech_near_the_estimate_always_places_with_quiet(
    routine: Routine, stretch: float, slowness: float
):
    pace = PACES["normal"]
    minutes = min(180.0, sum(step_minimums_ms(routine, pace)) * stretch / 60_000)
    script = plan(routine, fit=FitRequest(minutes=minutes), pace=pace)
    clips = {
        cue.text: Clip(
            cue.text, Path("clip.wav"), round(estimate_speech_ms(cue.text, pace.rate_wpm) * slowness)
        )
        for cue in script.cues
    }
    timeline = timeline_of(script, clips)
    spans = sorted((p.at_ms, p.at_ms + p.duration_ms) for p in timeline.placements)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))
    for chapter in timeline.chapters:
        inside = [(s, e) for s, e in spans if chapter.start_ms <= s < chapter.end_ms]
        assert all(e <= chapter.end_ms - STEP_END_MARGIN_MS for _, e in inside)
        if chapter.end_ms - chapter.start_ms >= QUIET_RULE_FROM_STEP_MS:
            edges = [chapter.start_ms, *[t for span in inside for t in span], chapter.end_ms]
            assert max(b - a for a, b in zip(edges[::2], edges[1::2], strict=True)) >= MIN_QUIET_MS


# However long the step, the hands are told what to do as soon as they are told where: after a
# step's opening, or a side's announcement, its first move follows within a breath.
FIRST_MOVE_WITHIN_MS = 3000


@settings(max_examples=300, deadline=None)
@given(routine=routines, stretch=st.floats(1.0, 6.0), pace=st.sampled_from(list(PACES)))
def test_the_first_move_follows_an_opening_or_a_side_at_once(routine: Routine, stretch: float, pace: str):
    rate = PACES[pace].rate_wpm
    minutes = min(180.0, sum(step_minimums_ms(routine, PACES[pace])) * stretch / 60_000)
    script = plan(routine, fit=FitRequest(minutes=minutes), pace=PACES[pace])
    for index, step in enumerate(routine.steps):
        cues = [cue for cue in script.cues if cue.step_index == index]
        if not step.moves:
            continue
        for number, cue in enumerate(cues):
            if cue.kind not in ("opening", "side"):
                continue
            if cue.kind == "opening" and step.sides:
                assert cues[number + 1].kind == "side"
                continue
            following = cues[number + 1]
            assert following.kind == "move"
            quiet_ms = following.at_ms - (cue.at_ms + cautious_speech_ms(cue.text, rate))
            assert quiet_ms <= FIRST_MOVE_WITHIN_MS, (cue.text, following.text, quiet_ms)
