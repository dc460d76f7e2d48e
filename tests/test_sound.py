"""How the session sounds: loudness, peaks, chimes, the background and its ducking, read back from
real renders by ffmpeg, or from the mixer's own PCM where the encoder would blur what is measured."""

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from helpers import ebur128, plan, render, run, silences, speak, timeline_of, voice, write_routine

from voiceguide.chimes import load_chimes
from voiceguide.files import user_cache_dir
from voiceguide.mixing import (
    CEILING_DBFS,
    DUCK_ATTACK_MS,
    DUCK_HOLD_MS,
    DUCK_RELEASE_MS,
    ducking_gain,
    mix_pcm,
)
from voiceguide.music import Background, load_background, looped_frames
from voiceguide.routines import load_routine
from voiceguide.speech import AUTO, pick_engine

RATE = 44_100
TINY_ROUTINE = """\
name: Tiny
steps:
  - title: Neck
    duration: 40s
    moves: [Stroke upward from your collarbone to your chin.]
  - title: Jaw
    duration: 40s
    moves: [Knead along your jawline.]
"""


def _background(choice: str) -> Background | None:
    return load_background(choice, user_cache_dir() / "music")


def _decoded(path: Path) -> np.ndarray:
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "s16le", "-ac", "2", "-"]
    raw = subprocess.run(command, check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype="<i2").reshape(-1, 2)


@pytest.mark.slow
@pytest.mark.parametrize("render", ["daily_render", "daily_ambient_render"])
def test_the_session_meets_ebu_r128_with_and_without_music(render: str, request: pytest.FixtureRequest):
    mp3 = request.getfixturevalue(render)
    measured = ebur128(mp3)
    assert measured.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak_dbtp <= -1.0
    samples = _decoded(mp3).astype(np.int32)
    assert np.abs(samples).max() < 32767  # nothing clipped
    assert abs(int(samples[-1].max())) < 30  # the file ends in silence: no click at the end


def test_ambient_music_plays_in_the_pauses(daily_render: Path, daily_ambient_render: Path):
    pauses = [(start, end) for start, end in silences(daily_render, 3.0, noise_db=-60) if start > 10]
    assert len(pauses) >= 7
    start, end = (round(t * RATE) for t in pauses[0])
    quiet, bed = (_decoded(mp3)[start + RATE : end - RATE] for mp3 in (daily_render, daily_ambient_render))
    assert _rms_db(quiet) < -70
    assert -55 < _rms_db(bed) < -30


def _rms_db(frames: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean((frames.astype(np.float64) / 32768) ** 2)))
    return 20 * np.log10(rms) if rms > 0 else -np.inf


@pytest.fixture(scope="module")
def daily_timeline_parts(daily_render: Path):
    """The real daily session's script and the default voice's clips (cached by the render)."""
    script = plan(load_routine("daily"))
    clips = speak(script.spoken_texts(), voice(pick_engine(AUTO, "en")), user_cache_dir() / "clips").clips
    return script, clips


def _pcm(timeline) -> np.ndarray:
    raw = b"".join(mix_pcm(timeline))
    return np.frombuffer(raw, dtype="<i2").reshape(-1, 2).astype(np.float64) / 32768


def test_the_background_dips_at_least_10_db_under_speech(daily_timeline_parts):
    script, clips = daily_timeline_parts
    background = _background("ambient")
    with_music = _pcm(timeline_of(script, clips, None, background))
    voice_only = _pcm(timeline_of(script, clips))
    bed = with_music - voice_only  # exactly the background as mixed: nothing else differs
    timeline = timeline_of(script, clips)
    speaking = np.zeros(len(bed), dtype=bool)
    near_speech = np.zeros(len(bed), dtype=bool)
    for spoken in (p for p in timeline.placements if p.is_voice):
        start, end = spoken.at_ms * RATE // 1000, (spoken.at_ms + spoken.duration_ms) * RATE // 1000
        speaking[start:end] = True
        reach = (DUCK_ATTACK_MS + DUCK_HOLD_MS + DUCK_RELEASE_MS) * RATE // 1000
        near_speech[max(0, start - reach) : end + reach] = True
    pauses = ~near_speech
    pauses[: 5 * RATE] = pauses[-6 * RATE :] = False  # the background's own fades
    under_speech_db, in_pauses_db = _rms_db(bed[speaking] * 32768), _rms_db(bed[pauses] * 32768)
    assert in_pauses_db - under_speech_db >= 10
    assert in_pauses_db > -60  # the bed is there to be heard


def test_ducking_ramps_are_smooth(daily_timeline_parts):
    script, clips = daily_timeline_parts
    timeline = timeline_of(script, clips, None, _background("ambient"))
    first_voice = next(p for p in timeline.placements if p.is_voice)
    start = first_voice.at_ms * RATE // 1000
    gain = ducking_gain([first_voice], start - RATE, start + RATE)
    assert gain[0] == pytest.approx(1.0)
    assert gain[-1] < 0.2
    steps_db = np.abs(np.diff(20 * np.log10(gain)))
    assert steps_db.max() < 0.01  # 15 dB over 400 ms: no audible step from one sample to the next


def test_chimes_are_levelled_under_the_voice():
    for name in ("bell", "bowl", "wood"):
        chimes = load_chimes(name)
        assert chimes.step.path.name == f"chime-{name}.wav"
        assert chimes.end.path.name == "chime-end.wav"
        assert -30 < chimes.step.gain_db < 0


def test_every_sound_starts_and_ends_quietly(daily_timeline_parts):
    _script, clips = daily_timeline_parts
    chimes = load_chimes("bell")
    paths = {clip.path for clip in clips.values()} | {chimes.step.path, chimes.end.path}
    for path in paths:
        with wave.open(str(path)) as sound:
            samples = np.frombuffer(sound.readframes(sound.getnframes()), dtype="<i2")
        assert abs(int(samples[0])) < 300, path.name
        assert abs(int(samples[-1])) < 300, path.name


def test_the_mix_stays_under_its_ceiling_with_chimes_and_music(daily_timeline_parts):
    script, clips = daily_timeline_parts
    timeline = timeline_of(script, clips, load_chimes("bowl"), _background("ambient"))
    pcm = _pcm(timeline)
    assert len(pcm) == 600 * RATE
    assert 20 * np.log10(np.abs(pcm).max()) <= CEILING_DBFS + 0.01


def test_the_ambient_bed_loops_without_a_seam():
    background = _background("ambient")
    assert background is not None
    across_the_seam = looped_frames(background, background.frames - RATE, 2 * RATE)
    steps = np.abs(np.diff(across_the_seam, axis=0)).max(axis=1)
    seam = background.frames - (background.frames - RATE) - 1
    assert steps[seam] <= 2 * np.percentile(steps, 99)


def _write_noise(path: Path, seconds: float, seed: int) -> None:
    frames = np.random.default_rng(seed).standard_normal((int(seconds * RATE), 2)) * 0.1
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.round(np.clip(frames, -1, 1) * 32767).astype("<i2").tobytes())


def test_a_track_loops_with_a_crossfade_that_holds_its_level(tmp_path: Path):
    _write_noise(tmp_path / "rain.wav", 8, seed=3)
    background = load_background(str(tmp_path / "rain.wav"), tmp_path / "music")
    assert background is not None
    assert background.crossfade_frames == 2 * RATE  # a quarter of an 8 s track
    period = background.frames - background.crossfade_frames
    frames = looped_frames(background, 0, 3 * period)
    blocks = frames[: len(frames) // 4410 * 4410].reshape(-1, 4410, 2)
    levels = 10 * np.log10((blocks**2).mean(axis=(1, 2)))
    assert levels.max() - levels.min() < 1.5  # 100 ms blocks, through two crossfades


@pytest.mark.parametrize("extension", ["mp3", "ogg", "flac", "wav", "m4a"])
def test_render_with_a_music_file_in_any_common_format(tmp_path: Path, extension: str):
    _write_noise(tmp_path / "source.wav", 6, seed=4)
    track = tmp_path / f"rain.{extension}"
    if extension != "wav":
        subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / "source.wav"), str(track)], check=True)
    else:
        track = tmp_path / "source.wav"
    out = render(write_routine(tmp_path, TINY_ROUTINE), tmp_path / "tiny.mp3", "--music", str(track))
    assert len(_decoded(out)) == 80 * RATE
    assert ebur128(out).true_peak_dbtp <= -1.0


def _bad_music(tmp_path: Path, case: str) -> tuple[str, str]:
    """A bad --music value and the words its error must contain."""
    if case == "missing":
        return str(tmp_path / "nope.mp3"), "does not exist"
    if case == "folder":
        return str(tmp_path), "not a file"
    if case == "not audio":
        (tmp_path / "notes.mp3").write_text("these are not sounds")
        return str(tmp_path / "notes.mp3"), "not an audio file ffmpeg can read"
    if case == "silent":
        with wave.open(str(tmp_path / "silence.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(b"\0\0" * 5 * RATE)
        return str(tmp_path / "silence.wav"), "silent"
    _write_noise(tmp_path / "blip.wav", 0.5, seed=5)
    return str(tmp_path / "blip.wav"), "too short to loop"


@pytest.mark.parametrize("case", ["missing", "folder", "not audio", "silent", "too short"])
def test_a_bad_music_file_is_one_line_exit_2_and_no_output(tmp_path: Path, case: str):
    music, words = _bad_music(tmp_path, case)
    out = tmp_path / "out" / "daily.mp3"
    result = run("render", "daily", "--engine", "fake", "--music", music, "-o", out)
    assert result.exit_code == 2
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not list(out.parent.glob("*")) if out.parent.exists() else True


@pytest.mark.parametrize("chime", ["bell", "bowl", "wood"])
def test_every_chime_can_be_chosen(tmp_path: Path, chime: str):
    out = render(write_routine(tmp_path, TINY_ROUTINE), tmp_path / "tiny.mp3", "--chime", chime)
    # The strike at the second step's start is heard right away (the voice comes 1.5 s later).
    second_step = _decoded(out)[40 * RATE : int(40.5 * RATE)]
    assert _rms_db(second_step) > -45
