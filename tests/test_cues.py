"""Cues a massage needs: written pauses, a lead-in, bells inside steps, subtitles, own chimes."""

import re
import wave
from pathlib import Path

import numpy as np
import pysubs2
import pytest
from helpers import (
    FAKE,
    decoded_audio,
    ffprobe,
    plan,
    render,
    run,
    silences,
    speak,
    timeline_of,
    write_routine,
)

from voiceguide.chimes import Chimes, ChimeSound
from voiceguide.fitting import FitRequest
from voiceguide.narration import estimate_speech_ms
from voiceguide.pauses import BREATH_MS, PAUSE_MS, split_pauses, without_pauses
from voiceguide.routines import load_routine

RATE = 44_100
CUED_ROUTINE = """\
name: Cued
steps:
  - title: Neck
    duration: 50s
    say:
      - "Settle your shoulders. [pause 3s] Now begin."
    moves:
      - "Sweep upward from collarbone to chin. [breath] And again."
  - title: Jaw
    duration: 70s
    moves:
      - Knead along your jawline. [pause] Slowly.
"""


def _routine(tmp_path: Path, text: str = CUED_ROUTINE) -> Path:
    return write_routine(tmp_path, text, "cued.yaml")


def _render(tmp_path: Path, *args: str, engine: str = "fake") -> Path:
    return render(_routine(tmp_path), tmp_path / "cued.mp3", *args, engine=engine)


def test_pause_markup_splits_words_and_silences():
    assert split_pauses("Settle. [pause 3s] Now begin.") == ["Settle.", 3000, "Now begin."]
    assert split_pauses("[breath] In [pause] out") == [BREATH_MS, "In", PAUSE_MS, "out"]
    assert without_pauses("Settle. [pause 2.5s] Now.") == "Settle. Now."
    assert estimate_speech_ms("Settle. [pause 3s]", 150) == estimate_speech_ms("Settle.", 150) + 3000


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("[pasue]", 'unknown markup "[pasue]"'),
        ("[pause soon]", "write the pause's length like [pause 3s]"),
        ("[pause 0s]", "more than 0 and at most 60 seconds"),
        ("[pause 5m]", "more than 0 and at most 60 seconds"),
        ("[pause 3s", "unclosed pause markup"),
    ],
)
def test_bad_markup_names_file_line_step_and_field(tmp_path: Path, markup: str, message: str):
    text = (
        f'name: Bad\nsteps:\n  - title: Neck\n    duration: 30s\n    moves:\n      - "Stroke {markup} up"\n'
    )
    result = run("check", _routine(tmp_path, text))
    assert result.exit_code == 2
    line = result.output.strip()
    assert line.startswith(f'error: {tmp_path / "cued.yaml"}, line 5: step 1 "Neck": field "moves"')
    assert message in line


def test_jinja_brackets_are_not_pause_markup(tmp_path: Path):
    text = (
        "name: Jinja\nsteps:\n  - title: Neck\n    duration: 30s\n    muscles: [platysma]\n"
        '    say: ["You work the {{ muscles[0] }}. [pause 2s] Good."]\n'
    )
    result = run("check", _routine(tmp_path, text))
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_written_pauses_measure_what_the_markup_says(tmp_path: Path):
    mp3 = _render(tmp_path, "--no-chimes", engine="auto")
    # Quiet stretches of 1.2 s or more in the first step: the 3 s pause, then the 5 s breath.
    quiet = [(s, e) for s, e in silences(mp3, 1.2, noise_db=-50) if 1.5 < s < 20]
    lengths = [end - start for start, end in quiet]
    # Each written pause, plus what little silence the voice leaves at its edges (under 0.25 s).
    assert any(3.0 <= length <= 3.25 for length in lengths), lengths
    assert any(5.0 <= length <= 5.25 for length in lengths), lengths


def test_the_lead_in_is_silent_but_for_its_tone(tmp_path: Path):
    mp3 = _render(tmp_path, "--lead-in", "10s", "--minutes", "2.5")
    chapters = sorted(ffprobe(mp3, "-show_chapters")["chapters"], key=lambda c: c["start"])
    assert [c["start"] for c in chapters] == [10_000, 10_000 + 50_000 * 140 // 120]
    audio = decoded_audio(mp3)
    assert len(audio) == 150 * RATE  # the asked length includes the lead-in
    before_tone, tone = audio[: 7 * RATE - 2000], audio[7 * RATE : 10 * RATE]
    assert np.abs(before_tone).max() == 0.0  # digital silence
    assert 20 * np.log10(np.sqrt(np.mean(tone**2))) > -50  # the tone is heard
    lrc = mp3.with_suffix(".lrc").read_text().splitlines()
    assert lrc[3].startswith("[00:11.50]")  # the first words, 1.5 s into the first step


def test_show_lists_the_lead_in(tmp_path: Path):
    result = run("show", _routine(tmp_path), "--lead-in", "15s")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.match(r"\s+0:00\s+Lead-in\s+lead-in\s+\(quiet for 15 s", lines[3])
    assert lines[4].split() == ["0:15", "Neck", "chime"]  # the first step starts after the lead-in
    assert lines[5].split()[0] == "0:16"  # the opening, 1.5 s after the chime at 0:15


def test_bells_ring_on_time_inside_steps_and_never_on_speech(tmp_path: Path):
    script = plan(load_routine("daily"), fit=FitRequest(minutes=20))
    speech = speak(script.spoken_texts(), FAKE, tmp_path)
    bell = ChimeSound(Path("bell.wav"), 4500, -16.0)
    chimes = Chimes(step=None, end=None, bell=bell, bell_every_ms=30_000)
    timeline = timeline_of(script, speech.clips, chimes)
    bells = [p.at_ms for p in timeline.placements if p.sound == bell.path]
    voices = [(p.at_ms, p.at_ms + p.duration_ms) for p in timeline.placements if p.is_voice]
    assert len(bells) >= 20
    for at_ms in bells:
        assert all(not (start - 500 < at_ms < end + 500) for start, end in voices)
        chapter = next(c for c in timeline.chapters if c.start_ms <= at_ms < c.end_ms)
        assert at_ms - chapter.start_ms >= 30_000
        assert at_ms <= chapter.end_ms - 3000
    on_the_beat = [at for at in bells if any((at - c.start_ms) % 30_000 == 0 for c in timeline.chapters)]
    assert len(on_the_beat) >= len(bells) // 2  # most fall exactly on the beat; the rest wait out a word


def test_subtitles_parse_and_match_the_lyrics(tmp_path: Path):
    mp3 = _render(tmp_path, "--subtitles", "srt", "--subtitles", "vtt")
    lrc = [
        re.fullmatch(r"\[(\d\d):(\d\d)\.(\d\d)\](.+)", line)
        for line in mp3.with_suffix(".lrc").read_text(encoding="utf-8").splitlines()[3:]
    ]
    lrc_times = [(int(m[1]) * 60_000 + int(m[2]) * 1000 + int(m[3]) * 10, m[4]) for m in lrc if m]
    for kind in ("srt", "vtt"):
        subtitles = pysubs2.load(str(mp3.with_suffix(f".{kind}")))
        assert [event.plaintext for event in subtitles] == [text for _, text in lrc_times]
        for event, (lrc_ms, _) in zip(subtitles, lrc_times, strict=True):
            assert 0 <= event.start - lrc_ms < 10  # the .lrc shows hundredths
            assert event.end > event.start
        assert "pause" not in " ".join(event.plaintext for event in subtitles)


def test_a_chime_of_your_own(tmp_path: Path):
    tone = (0.5 * np.sin(2 * np.pi * 523 * np.arange(RATE) / RATE) * np.linspace(1, 0, RATE)).astype(
        np.float64
    )
    with wave.open(str(tmp_path / "ding.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.round(tone * 32767).astype("<i2").tobytes())
    mp3 = _render(tmp_path, "--chime", str(tmp_path / "ding.wav"))
    step_start = decoded_audio(mp3)[50 * RATE : int(50.5 * RATE)]
    assert 20 * np.log10(np.sqrt(np.mean(step_start**2))) > -45


def test_a_chime_file_that_does_not_exist_is_one_line(tmp_path: Path):
    out = tmp_path / "cued.mp3"
    result = run("render", _routine(tmp_path), "--chime", "gong", "-o", out, "--engine", "fake")
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == "error: --chime gong: not a chime (bell, bowl, wood) nor a sound file that exists"
    )
    assert not out.exists()


def test_a_lead_in_that_leaves_no_room_for_the_steps_is_refused(tmp_path: Path):
    result = run("show", _routine(tmp_path), "--minutes", "1", "--lead-in", "50s")
    assert result.exit_code == 2
    assert "cannot fit in 1 minute: the shortest length that fits is" in result.output


def test_every_step_pinned_with_a_lead_in_fills_the_rest(tmp_path: Path):
    args = ["show", _routine(tmp_path), "--minutes", "2.5", "--lead-in", "30s"]
    result = run(*args, "--step", "neck=50s", "--step", "jaw=70s")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Cued: 2:30, 2 steps")


def test_bells_closer_than_five_seconds_are_refused_in_one_line(tmp_path: Path):
    out = tmp_path / "cued.mp3"
    result = run("render", _routine(tmp_path), "--bell-every", "2s", "-o", out, "--engine", "fake")
    assert result.exit_code == 2
    assert result.output.strip() == "error: --bell-every 2s is too often; give 5s or more"
    assert not out.exists()


def test_two_beats_inside_one_long_line_ring_once(tmp_path: Path):
    script = plan(load_routine("daily"), fit=FitRequest(minutes=20))
    speech = speak(script.spoken_texts(), FAKE, tmp_path)
    bell = ChimeSound(Path("bell.wav"), 4500, -16.0)
    timeline = timeline_of(script, speech.clips, Chimes(step=None, end=None, bell=bell, bell_every_ms=5000))
    bells = [p.at_ms for p in timeline.placements if p.sound == bell.path]
    assert len(bells) == len(set(bells))
    assert bells == sorted(bells)
