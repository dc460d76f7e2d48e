#!/usr/bin/env python3
"""Measure how fast each bundled voice speaks, and write ``voiceguide/speech/voice_rates.json``.

Every distinct line the built-in routines say at their own length (English, and French for the
system voice's French) is spoken at several of the engine's speed settings; each setting's rate
is the words a minute of voiced time over all of them (``voiceguide.speech.calibration``). The
engines read a pace's setting off these measurements, so that a pace sounds the same in every
voice. Run it again when an engine or a voice changes version.

Usage: .venv/bin/python scripts/calibrate_voices.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from voiceguide.narration import PACES
from voiceguide.pauses import split_pauses
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routines import builtin_names, load_builtin
from voiceguide.speech.calibration import RATES_FILE, voiced_wpm
from voiceguide.speech.hibari_engine import HibariEngine
from voiceguide.speech.piper_engine import BUNDLED_VOICE_ID, PiperEngine
from voiceguide.speech.pyttsx3_engine import Pyttsx3Engine

# Settings that bracket every pace (slow to brisk) in every voice, so a pace's setting is read
# between two measurements rather than beyond them.
ESPEAK_RATES = (80, 100, 120, 140, 160, 190)
NEURAL_SPEEDS = (0.45, 0.55, 0.7, 0.85, 1.0)

Speak = Callable[[str, Path, float], None]


def routine_lines(language: str) -> list[str]:
    """Every distinct spoken part of the built-in routines' narration at their own lengths."""
    lines: dict[str, None] = {}
    for name in builtin_names():
        routine = load_builtin(name, language)
        shape = SessionShape(pace=PACES["normal"])
        for cue in plan_script(routine, shape, language).cues:
            for text in cue.spoken_texts:
                lines.update((part, None) for part in split_pauses(text) if isinstance(part, str))
    return list(lines)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as clip:
        frames = clip.readframes(clip.getnframes())
        samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768
        return samples.reshape(-1, clip.getnchannels()).mean(axis=1), clip.getframerate()


def measure(speak: Speak, lines: list[str], settings: tuple[float, ...], scratch: Path) -> list[list[float]]:
    rates = []
    for setting in settings:
        audio = []
        for number, text in enumerate(lines):
            path = scratch / f"{number}.wav"
            speak(text, path, setting)
            audio.append(read_wav(path))
        rates.append([setting, round(voiced_wpm(lines, audio), 1)])
        print(f"  setting {setting:>6}: {rates[-1][1]:6.1f} voiced words a minute", file=sys.stderr)
    return rates


def voices_to_measure() -> dict[str, tuple[str, Speak, tuple[float, ...]]]:
    """``engine:voice`` -> (the language of its lines, how it speaks at a setting, the settings)."""
    system, piper, hibari = Pyttsx3Engine(), PiperEngine(), HibariEngine()
    english = system.resolve_voice(None, "en").id
    french = system.resolve_voice(None, "fr").id
    return {
        "pyttsx3:en": ("en", lambda t, p, s: system.synthesize_at(t, p, english, s), ESPEAK_RATES),
        "pyttsx3:fr": ("fr", lambda t, p, s: system.synthesize_at(t, p, french, s), ESPEAK_RATES),
        "piper:joe": ("en", lambda t, p, s: piper.synthesize_at(t, p, BUNDLED_VOICE_ID, s), NEURAL_SPEEDS),
        "hibari:heart": ("en", lambda t, p, s: hibari.synthesize_at(t, p, "heart", s), NEURAL_SPEEDS),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    table: dict[str, object] = {}
    lines = {language: routine_lines(language) for language in ("en", "fr")}
    with tempfile.TemporaryDirectory() as scratch:
        for key, (language, speak, settings) in voices_to_measure().items():
            started = time.monotonic()
            print(f"{key} ({len(lines[language])} lines):", file=sys.stderr)
            rates = measure(speak, lines[language], settings, Path(scratch))
            table[key] = {"rates": rates, "lines": len(lines[language])}
            print(f"  {time.monotonic() - started:.0f} s", file=sys.stderr)
    document = {
        "about": "Words a minute of voiced time at each speed setting, by scripts/calibrate_voices.py",
        "voices": table,
    }
    target = Path(str(resources.files("voiceguide") / "speech" / RATES_FILE))
    text = json.dumps(document, indent=1)
    text = re.sub(r"\[\s+([\d.]+),\s+([\d.]+)\s+\]", r"[\1, \2]", text)  # a pair to a line
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
