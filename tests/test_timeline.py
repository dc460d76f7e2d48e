"""Placing clips on the time axis, with the fake engine's clips (fast, exact lengths)."""

import itertools
import tracemalloc
from pathlib import Path

import pytest
from helpers import FAKE, FakeEngine, plan, speak, timeline_of, voice

from voiceguide.arranging import TimelineBuilder
from voiceguide.chimes import Chimes, ChimeSound, load_chimes
from voiceguide.errors import FittingError
from voiceguide.fitting import FitRequest, fit_to_length
from voiceguide.mixing import mix_pcm
from voiceguide.music import load_background
from voiceguide.narration import MIN_QUIET_MS, PACES, STEP_END_MARGIN_MS, Chapter, Cue, Script, narrate
from voiceguide.pauses import split_pauses
from voiceguide.pipeline import RenderOptions, SessionShape, render_session
from voiceguide.routine import Move
from voiceguide.routines import load_routine
from voiceguide.speech import Clip, VoiceChoice


def _timeline(routine, tmp_path: Path, minutes=None, chimes=None):
    script = narrate(fit_to_length(routine, minutes), PACES["normal"])
    speech = speak([c.text for c in script.cues], FAKE, tmp_path / "cache")
    return script, speech, timeline_of(script, speech.clips, chimes)


def _voice_spans(timeline):
    return [(p.at_ms, p.at_ms + p.duration_ms) for p in timeline.placements if p.is_voice]


@pytest.mark.parametrize("minutes", [None, 8, 20, 60])
def test_speech_never_overlaps_and_stays_inside_its_step(tmp_path: Path, minutes):
    _, _, timeline = _timeline(load_routine("daily"), tmp_path, minutes)
    spans = _voice_spans(timeline)
    assert all(end + 500 <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))
    for chapter in timeline.chapters:
        inside = [(s, e) for s, e in spans if chapter.start_ms <= s < chapter.end_ms]
        assert inside, chapter.title
        assert inside[0][0] - chapter.start_ms <= 4000
        assert all(e <= chapter.end_ms - STEP_END_MARGIN_MS for _, e in inside)


@pytest.mark.parametrize("minutes", [None, 20])
def test_every_long_step_keeps_eight_quiet_seconds(tmp_path: Path, minutes):
    _, _, timeline = _timeline(load_routine("daily"), tmp_path, minutes)
    spans = _voice_spans(timeline)
    for chapter in timeline.chapters:
        edges = [chapter.start_ms]
        for start, end in spans:
            if chapter.start_ms <= start < chapter.end_ms:
                edges += [start, end]
        edges.append(chapter.end_ms)
        gaps = [b - a for a, b in zip(edges[::2], edges[1::2], strict=True)]
        assert max(gaps) >= MIN_QUIET_MS, chapter.title


def test_chimes_mark_every_step_start(tmp_path: Path):
    chimes = Chimes(step=ChimeSound(Path("chime.wav"), 3000, -4.0), end=ChimeSound(Path("end.wav"), 7000))
    _, _, timeline = _timeline(load_routine("daily"), tmp_path, chimes=chimes)
    steps = [p for p in timeline.placements if p.sound == chimes.step.path]
    assert [p.at_ms for p in steps] == [c.start_ms for c in timeline.chapters]
    assert {p.gain_db for p in steps} == {-4.0}
    assert not any(p.is_voice for p in steps)


def test_the_end_chime_rings_after_the_closing_words(tmp_path: Path):
    chimes = Chimes(step=ChimeSound(Path("chime.wav"), 3000), end=ChimeSound(Path("end.wav"), 7000))
    _, _, timeline = _timeline(load_routine("daily"), tmp_path, chimes=chimes)
    (end,) = [p for p in timeline.placements if p.sound == chimes.end.path]
    last_words_end = max(e for _, e in _voice_spans(timeline))
    assert last_words_end + 400 <= end.at_ms <= timeline.total_ms - 3000


def test_lyrics_are_one_line_per_sentence_in_time_order(tmp_path: Path):
    _, _, timeline = _timeline(load_routine("daily"), tmp_path)
    times = [line.at_ms for line in timeline.lyrics]
    assert times == sorted(times)
    assert timeline.lyrics[0].text == "Preparation."  # the title as spoken
    assert all(line.text.count(". ") == 0 for line in timeline.lyrics)


def test_a_step_too_short_for_its_words_is_an_error(tmp_path: Path):
    path = tmp_path / "wordy.yaml"
    words = " ".join(["word"] * 40)
    path.write_text(f"name: Wordy\nsteps:\n  - title: Neck\n    duration: 10s\n    say: ['{words}']\n")
    with pytest.raises(FittingError, match='step "Neck" is too short'):
        _timeline(load_routine(str(path)), tmp_path)


def test_a_long_step_that_leaves_no_quiet_is_an_error():
    chapter = Chapter("Neck", 0, 60_000)
    cues = tuple(Cue(1500 + n * 9500, "move", f"Move {n}.", 0) for n in range(6))
    clips = {cue.text: Clip(cue.text, Path(f"{n}.wav"), 6000) for n, cue in enumerate(cues)}
    with pytest.raises(FittingError, match="leave at least 8 s of quiet"):
        timeline_of(Script("T", "en", 60_000, (chapter,), cues), clips)


def test_a_reminder_that_would_crowd_the_next_move_is_dropped():
    chapter = Chapter("Neck", 0, 60_000)
    cues = (
        Cue(1500, "opening", "Neck.", 0),
        Cue(4000, "reminder", "A long reminder.", 0),
        Cue(8000, "move", "Stroke upward.", 0),
    )
    clips = {
        "Neck.": Clip("Neck.", Path("a.wav"), 1000),
        "A long reminder.": Clip("A long reminder.", Path("b.wav"), 5000),
        "Stroke upward.": Clip("Stroke upward.", Path("c.wav"), 2000),
    }
    timeline = timeline_of(Script("T", "en", 60_000, (chapter,), cues), clips)
    assert [(p.sound.name, p.at_ms) for p in timeline.placements] == [("a.wav", 1500), ("c.wav", 8000)]


def test_a_warm_cache_synthesises_nothing_and_an_edit_only_its_clip(tmp_path: Path):
    routine = load_routine("daily")
    FakeEngine.calls.clear()
    first = _timeline(routine, tmp_path)[1]
    again = _timeline(routine, tmp_path)[1]
    assert first.synthesized == len(first.clips) > 0
    assert again.synthesized == 0
    jaw = routine.steps[2]
    reworded = jaw.model_copy(update={"moves": (Move(text="Knead the jawline, slowly."), *jaw.moves[1:])})
    edited = routine.model_copy(update={"steps": (*routine.steps[:2], reworded, *routine.steps[3:])})
    script = narrate(fit_to_length(edited), PACES["normal"])
    FakeEngine.calls.clear()
    after_edit = speak([c.text for c in script.cues], FAKE, tmp_path / "cache")
    assert after_edit.synthesized == 1
    assert FakeEngine.calls == ["Knead the jawline, slowly."]
    slower = speak(["Prep."], voice(rate_wpm=120), tmp_path / "cache")
    assert slower.synthesized == 1  # the rate is part of the cache key


@pytest.mark.slow
def test_an_hour_is_mixed_in_bounded_memory(tmp_path: Path):
    """An hour of 44.1 kHz stereo is 635 MB; mixed window by window, with chimes, bells and the
    ambient bed, the mixer never holds more than a few seconds of it."""
    script, speech, _ = _timeline(load_routine("daily"), tmp_path, 60)
    chimes = load_chimes("bell", bell_every_ms=20_000)
    background = load_background("ambient", tmp_path / "music")
    builder = TimelineBuilder(script, speech.clips.__getitem__, chimes, background)
    tracemalloc.start()
    try:
        pcm_bytes = sum(len(window) for window in mix_pcm(builder))
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pcm_bytes == 60 * 60 * 44_100 * 4
    assert peak_bytes < 40_000_000


@pytest.mark.parametrize(
    ("name", "minutes", "lead_in_ms", "music", "ticks"),
    [
        ("daily", None, 0, "none", True),
        ("daily", 20, 7_000, "ambient", True),  # the lead-in's tone starts in an earlier window
        ("quick", None, 12_000, "none", True),
        ("jaw-release", None, 0, "ambient", True),  # ticks on counted strokes
        ("jaw-release", 9, 0, "none", False),  # counts spoken on the beats
    ],
)
def test_mixing_as_clips_arrive_makes_the_audio_of_the_whole_timeline(
    tmp_path: Path, name: str, minutes: float | None, lead_in_ms: int, music: str, ticks: bool
):
    """The builder hands mixing a step's first lines before all its clips exist; every window
    must come out as it does from the finished timeline."""
    routine = load_routine(name)
    script = plan(routine, fit=FitRequest(minutes=minutes, lead_in_ms=lead_in_ms), ticks=ticks)
    clips = speak(script.spoken_texts(), FAKE, tmp_path / "cache").clips
    chimes = load_chimes("bell", lead_in=lead_in_ms > 0, tick=ticks and routine.counts_strokes)
    background = load_background(music, tmp_path / "music")
    as_they_arrive = b"".join(mix_pcm(TimelineBuilder(script, clips.__getitem__, chimes, background)))
    from_the_whole = b"".join(mix_pcm(timeline_of(script, clips, chimes, background)))
    assert as_they_arrive == from_the_whole


def test_the_first_window_waits_for_the_first_line_only(tmp_path: Path):
    """Mixing starts once the opening line is spoken, not the whole first step."""
    script = narrate(fit_to_length(load_routine("daily")), PACES["normal"])
    clips = speak(script.spoken_texts(), FAKE, tmp_path / "cache").clips
    fetched: list[str] = []
    builder = TimelineBuilder(script, lambda text: fetched.append(text) or clips[text], load_chimes("bell"))
    first_window = builder.placements_until(5_000 + 400 + 1)
    opening = script.spoken_texts(step_index=0)[0]
    assert fetched == [opening]
    assert [p.sound for p in first_window if p.is_voice] == [clips[opening].path]
    assert builder.timeline().placements  # the rest is fetched as mixing goes on
    assert set(fetched) == set(script.spoken_texts())


def test_a_render_makes_its_clips_in_the_order_they_are_heard(tmp_path: Path):
    """Mixing takes the lines as they are heard; clips made in another order (the longest of a step
    first, say) leave more of the session to encode after the last one is spoken."""
    routine = load_routine("quick")
    options = RenderOptions(tmp_path / "quick.mp3", voice=VoiceChoice("fake"), cache_dir=tmp_path / "cache")
    FakeEngine.calls.clear()
    render_session(routine, options)
    script = plan(routine)
    assert options.shape == SessionShape()
    heard = [part for text in script.spoken_texts() for part in split_pauses(text) if isinstance(part, str)]
    assert FakeEngine.calls == heard
    assert len(heard) > len(script.chapters)
