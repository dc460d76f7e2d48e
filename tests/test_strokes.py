"""Counted strokes: a tick on each stroke's beat (or a spoken count), on tempo, never on speech."""

import itertools
import re
from pathlib import Path

import numpy as np
import pysubs2
import pytest
from helpers import FAKE, decoded_audio, plan, render, run, speak, timeline_of, write_routine

from voiceguide.assets import asset_path
from voiceguide.chimes import Chimes, ChimeSound
from voiceguide.fitting import FitRequest
from voiceguide.routine import Move, parse_routine

RATE = 44_100
# Every cue a massage needs, in one routine: counted strokes at two tempos, written pauses, a
# plain move, and a step too short for its strokes as written.
COUNTED_ROUTINE = """\
name: Counted
steps:
  - title: Neck & décolletage
    duration: 1m
    say:
      - "Settle your shoulders. [pause 3s] Now begin."
    moves:
      - text: Sweep upward from collarbone to chin
        strokes: 6
        tempo: 4s
      - Now sweep up the sides of your neck. [breath] Slowly.
  - title: Jaw
    duration: 30s
    moves:
      - text: Knead along your jawline, out to the ears.
        strokes: 8
        tempo: 3s
"""
WRITTEN = [(6, 4000), (8, 3000)]


def _routine(tmp_path: Path, text: str = COUNTED_ROUTINE) -> Path:
    return write_routine(tmp_path, text, "counted.yaml")


def _render(tmp_path: Path, name: str, *args: str, engine: str = "fake") -> Path:
    return render(_routine(tmp_path), tmp_path / f"{name}.mp3", *args, engine=engine)


def _mono(path: Path) -> np.ndarray:
    return decoded_audio(path, channels=1)


def _bursts(audio: np.ndarray, floor_db: float = -50, gap_ms: int = 300) -> list[tuple[float, float]]:
    """(start, end) in ms of each sound louder than ``floor_db``, sounds closer than ``gap_ms`` joined."""
    loud = np.nonzero(np.abs(audio) > 10 ** (floor_db / 20))[0]
    breaks = np.nonzero(np.diff(loud) > gap_ms * RATE / 1000)[0]
    starts = [loud[0], *loud[breaks + 1]]
    ends = [*loud[breaks], loud[-1]]
    return [(s * 1000 / RATE, e * 1000 / RATE) for s, e in zip(starts, ends, strict=True)]


def _runs_on_tempo(onsets_ms: list[float], tempo_ms: int, within_ms: int = 50) -> list[list[float]]:
    """The onsets grouped into runs whose neighbours are ``tempo_ms`` apart (within ``within_ms``)."""
    runs: list[list[float]] = []
    for at in onsets_ms:
        if runs and abs(at - runs[-1][-1] - tempo_ms) <= within_ms:
            runs[-1].append(at)
        else:
            runs.append([at])
    return [found for found in runs if len(found) > 1]


def test_a_move_is_a_line_or_a_mapping_with_strokes():
    routine = parse_routine(COUNTED_ROUTINE.encode(), "counted.yaml")
    neck = routine.steps[0]
    assert neck.moves[0] == Move(text="Sweep upward from collarbone to chin", strokes=6, tempo=4.0)
    assert neck.moves[1].strokes is None


@pytest.mark.parametrize(
    ("move", "message"),
    [
        ("{text: Sweep, strokes: 0}", 'field "moves.strokes": Input should be greater than or equal to 1'),
        ("{text: Sweep, strokes: 6, tempo: 0.5s}", "tempo '0.5s' must be from 1.5s to 30s"),
        ("{text: Sweep, tempo: 4s}", "tempo needs strokes: say how many strokes to count (strokes: 6)"),
        ("{text: Sweep, strokes: 6, pace: 4s}", 'unknown field "moves.pace"'),
    ],
)
def test_bad_strokes_are_one_line_naming_file_line_and_step(tmp_path: Path, move: str, message: str):
    text = f"name: Bad\nsteps:\n  - title: Neck\n    duration: 1m\n    moves:\n      - {move}\n"
    result = run("check", _routine(tmp_path, text))
    assert result.exit_code == 2
    assert result.output.startswith(f'error: {tmp_path / "counted.yaml"}, line 6: step 1 "Neck": ')
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def _sheet(tmp_path: Path, *args: str) -> list[str]:
    result = run("show", _routine(tmp_path), *args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_a_step_too_short_for_its_strokes_grows_and_the_cue_sheet_says_so(tmp_path: Path):
    sheet = _sheet(tmp_path)
    grown = [line for line in sheet if " length " in line]
    assert len(grown) == 1
    assert re.search(r"Jaw\s+length\s+\(0:4\d: grown from its share of 0:30 to hold what it says\)", grown[0])
    strokes = [line[44:] for line in sheet if " strokes " in line]
    assert strokes == [
        "(6 strokes, one every 4 s, a tick on each)",
        "(8 strokes, one every 3 s, a tick on each)",
    ]


def test_a_length_asked_takes_time_from_other_steps_before_counts_shrink(tmp_path: Path):
    roomy = _sheet(tmp_path, "--minutes", "2")
    assert roomy[0] == "Counted: 2:00, 2 steps"
    assert not any("shortened" in line for line in roomy)
    assert any("Jaw" in line and "grown from its share of 0:40" in line for line in roomy)
    tight = _sheet(tmp_path, "--minutes", "1.2", "--ticks", "off")
    assert tight[0] == "Counted: 1:12, 2 steps"
    shortened = [line[44:] for line in tight if " strokes " in line]
    assert all("written (shortened to fit)" in line and "counted aloud" in line for line in shortened)
    counts = [int(re.search(r"\((\d+) stroke", line)[1]) for line in shortened]  # type: ignore[index]
    assert all(1 <= count < written for count, (written, _) in zip(counts, WRITTEN, strict=True))


def test_ticks_fall_on_the_tempo_and_never_on_speech(tmp_path: Path):
    audio = _mono(_render(tmp_path, "ticks", "--no-chimes", "--lead-in", "10s"))
    bursts = _bursts(audio)
    ticks = [start for start, end in bursts if end - start < 150]  # a tick is over in 120 ms
    # Each tick stands alone: 300 ms of silence at least either side, so no speech is under it.
    assert len(ticks) == sum(count for count, _ in WRITTEN)
    runs = [_runs_on_tempo(ticks, tempo) for _, tempo in WRITTEN]
    assert [len(run) for found in runs for run in found] == [6, 8]
    # Measured from the audio: every beat within 50 ms of where the tempo puts it.
    for (beats,), (_, tempo) in zip(runs, WRITTEN, strict=True):
        assert max(abs(at - (beats[0] + n * tempo)) for n, at in enumerate(beats)) <= 50
    # The first beat follows the move's words by the lead of about 0.7 s, not on top of them.
    for (beats,) in runs:
        words = max(end for start, end in bursts if end < beats[0])
        assert 500 <= beats[0] - words <= 1000


def test_ticks_stay_on_tempo_under_chimes_and_bells(tmp_path: Path):
    audio = _mono(_render(tmp_path, "full", "--chime", "wood", "--bell-every", "20s", "--lead-in", "10s"))
    tick = _mono(asset_path("tick.wav"))
    # A matched filter: where the audio looks like the tick, whatever else rings around it.
    spectrum_length = 1 << int(np.ceil(np.log2(len(audio) + len(tick))))
    correlation = np.fft.irfft(
        np.fft.rfft(audio, spectrum_length) * np.conj(np.fft.rfft(tick, spectrum_length)), spectrum_length
    )[: len(audio)]
    energy = np.sqrt(np.convolve(audio**2, np.ones(len(tick)), "full")[len(tick) - 1 :] * np.sum(tick**2))
    likeness = correlation / np.maximum(energy, 1e-9)
    peaks = np.nonzero(likeness > 0.8)[0]
    onsets = [peaks[0], *peaks[1:][np.diff(peaks) > RATE // 10]]
    onsets_ms = [at * 1000 / RATE for at in onsets]
    assert len(onsets_ms) == sum(count for count, _ in WRITTEN)
    runs = [_runs_on_tempo(onsets_ms, tempo) for _, tempo in WRITTEN]
    assert [len(run) for found in runs for run in found] == [6, 8]


@pytest.mark.slow
def test_with_ticks_off_the_voice_counts_each_stroke_on_the_beat(tmp_path: Path):
    mp3 = _render(tmp_path, "counted", "--no-chimes", "--ticks", "off", engine="auto")
    bursts = _bursts(_mono(mp3))
    assert not [start for start, end in bursts if end - start < 150]  # no ticks
    onsets = [start for start, _ in bursts]
    # A word is heard from its first loud sound: "two" only after the silent closure of its t.
    runs = [_runs_on_tempo(onsets, tempo, within_ms=100) for _, tempo in WRITTEN]
    # Two lines can start a tempo apart by chance ("Now begin." and the move after it); a count is
    # a run of at least three beats.
    assert [len(run) for found in runs for run in found if len(run) >= 3] == [6, 8]
    # The counts are the voice's, not the lyrics': the transcript stays the narration.
    lyrics = mp3.with_suffix(".lrc").read_text(encoding="utf-8")
    assert "Knead along your jawline" in lyrics
    assert not re.search(r"\]\d+\.$", lyrics, re.MULTILINE)


def test_subtitles_of_a_counted_session_parse_and_hold_no_counts(tmp_path: Path):
    mp3 = _render(tmp_path, "subs", "--no-chimes", "--subtitles", "srt", "--ticks", "off")
    subtitles = pysubs2.load(str(mp3.with_suffix(".srt")))
    texts = [event.plaintext for event in subtitles]
    assert "Sweep upward from collarbone to chin" in texts
    assert not any(re.fullmatch(r"\d+\.", text) for text in texts)


# 1.2 minutes is the shortest the routine takes at the calm pace: most strokes go.
@pytest.mark.parametrize("minutes", [1.2, 1.3, 1.7, 2.0, 3.0, None])
@pytest.mark.parametrize("ticks", ["on", "off"])
def test_at_any_length_beats_keep_their_tempo_and_clear_of_the_words(
    tmp_path: Path, minutes: float | None, ticks: str
):
    routine = parse_routine(COUNTED_ROUTINE.encode(), "counted.yaml")
    fit = FitRequest(minutes=minutes, lead_in_ms=5000)
    script = plan(routine, fit=fit, ticks=ticks == "on")
    speech = speak(script.spoken_texts(), FAKE, tmp_path)
    tick = ChimeSound(Path("tick.wav"), 120, -10.0)
    timeline = timeline_of(script, speech.clips, Chimes(step=None, end=None, tick=tick))
    counted = [cue for cue in script.cues if cue.strokes]
    assert len(counted) == 2
    count_sounds = {speech.clips[text].path for cue in counted for text in cue.strokes.counts}  # type: ignore[union-attr]
    beats = [p for p in timeline.placements if p.sound == tick.path or p.sound in count_sounds]
    words = [p for p in timeline.placements if p.is_voice and p not in beats]
    assert len(beats) == sum(cue.strokes.count for cue in counted)  # type: ignore[union-attr]
    for beat in beats:
        assert all(not (w.at_ms - 300 < beat.at_ms < w.at_ms + w.duration_ms + 300) for w in words), beat
        chapter = next(c for c in timeline.chapters if c.start_ms <= beat.at_ms < c.end_ms)
        assert beat.at_ms + beat.duration_ms < chapter.end_ms
    gaps = {b.at_ms - a.at_ms for a, b in itertools.pairwise(beats)}
    assert {gap for gap in gaps if gap < 5000} <= {4000, 3000}


def test_a_copy_of_a_counted_routine_keeps_its_strokes_as_written(tmp_path: Path):
    source = _routine(tmp_path)
    copy = tmp_path / "copy.yaml"
    result = run("new", "copy", "--from", source, "-o", copy)
    assert result.exit_code == 0, result.output
    text = copy.read_text(encoding="utf-8")
    assert "  - text: Sweep upward from collarbone to chin\n    strokes: 6\n    tempo: 4s\n" in text
    assert "  - Now sweep up the sides of your neck. [breath] Slowly.\n" in text
    original = parse_routine(source.read_bytes(), "counted.yaml")
    assert parse_routine(text.encode(), "copy.yaml").steps == original.steps
