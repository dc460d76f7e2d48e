"""How fast each voice speaks, measured from its own audio, so that a pace means the same spoken
speed on every engine: words a minute of voiced time (the pauses between phrases left out).

Each engine has its own speed setting (espeak-ng's rate parameter, Piper's 1 / length scale,
hibari's speed). A voice's *rates* are pairs (setting, voiced words a minute) measured from its
audio; the setting for a wanted pace is read off them. The bundled voices' rates are measured by
``scripts/calibrate_voices.py`` over the built-in routines and shipped in ``voice_rates.json``; a
voice file of the user's is measured on first use, from a few reference sentences, and kept.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

import numpy as np

from voiceguide.files import user_cache_dir, write_text_atomically

RateTable = tuple[tuple[float, float], ...]
"""(speed setting, voiced words a minute) pairs, slowest first."""

# Voiced time: 20 ms frames at most this far under the clip's loud frames (whatever level the
# engine speaks at), with gaps shorter than GAP_MS bridged (the silences inside and between
# words), longer ones (a comma, a sentence's end) left out. Agrees with the Silero VAD that
# faster-whisper ships within 3 % on every bundled voice.
FRAME_MS = 20
VOICED_WITHIN_DB = 45.0
GAP_MS = 250
# What a voice file of the user's says to be measured, at its own speed 1, in its language.
REFERENCE_SENTENCES = {
    "en": (
        "Stroke upward from your collarbone to your chin, one hand after the other.",
        "Make slow circles along the jawline, from the chin out to the ears.",
        "Rest your fingertips on your temples and press for a few slow breaths.",
        "Let your shoulders drop, and keep your breathing slow and easy.",
    ),
    "fr": (
        "Remontez de la clavicule jusqu'au menton, une main après l'autre.",
        "Faites de petits cercles le long de la mâchoire, du menton vers les oreilles.",
        "Posez le bout des doigts sur les tempes et appuyez le temps de quelques respirations.",
        "Relâchez les épaules, et gardez une respiration lente et calme.",
    ),
}
RATES_FILE = "voice_rates.json"
MEASURED_FILE = "voice-rates.json"


def voiced_seconds(samples: np.ndarray, rate_hz: int) -> float:
    """Seconds of ``samples`` (mono floats) in which the voice sounds, short gaps included."""
    frame = rate_hz * FRAME_MS // 1000
    count = len(samples) // frame
    if count == 0:
        return 0.0
    power = np.mean(np.square(samples[: count * frame].reshape(count, frame), dtype=np.float64), axis=1)
    level_db = 10 * np.log10(np.maximum(power, 1e-12))
    loud = level_db > np.percentile(level_db, 95) - VOICED_WITHIN_DB
    bounds = [0, *(np.flatnonzero(np.diff(loud.astype(np.int8))) + 1), count]
    voiced = 0
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        inside = 0 < number < len(bounds) - 2  # a quiet run with speech on both sides
        if loud[start] or (inside and (end - start) * FRAME_MS < GAP_MS):
            voiced += end - start
    return voiced * FRAME_MS / 1000


def words_in(text: str) -> int:
    return len(re.findall(r"[\w'\u2019-]+", text))


def voiced_wpm(texts: Iterable[str], audio: Iterable[tuple[np.ndarray, int]]) -> float:
    """Words a minute of voiced time, over texts and their audio (samples, rate) in pairs."""
    words = seconds = 0.0
    for text, (samples, rate_hz) in zip(texts, audio, strict=True):
        words += words_in(text)
        seconds += voiced_seconds(samples, rate_hz)
    return 60 * words / seconds if seconds else 0.0


def setting_for(rate_wpm: float, rates: RateTable) -> float:
    """The speed setting at which a voice with ``rates`` speaks ``rate_wpm``: proportional from a
    single measurement, else read off the straight lines between measurements (and beyond the
    ends, the nearest line carried on)."""
    if len(rates) == 1:
        setting, wpm = rates[0]
        return setting * rate_wpm / wpm
    points = sorted(rates, key=lambda pair: pair[1])
    pairs = list(itertools.pairwise(points))
    below = [pair for pair in pairs if pair[1][1] >= rate_wpm]
    (low_setting, low_wpm), (high_setting, high_wpm) = below[0] if below else pairs[-1]
    share = (rate_wpm - low_wpm) / (high_wpm - low_wpm)
    return low_setting + share * (high_setting - low_setting)


@functools.cache
def bundled_rates() -> dict[str, RateTable]:
    """The bundled voices' measured rates, by ``engine:voice``."""
    text = (resources.files("voiceguide") / "speech" / RATES_FILE).read_text(encoding="utf-8")
    table = json.loads(text)["voices"]
    return {key: tuple((float(s), float(w)) for s, w in entry["rates"]) for key, entry in table.items()}


def rates_of(key: str) -> RateTable | None:
    return bundled_rates().get(key)


@functools.cache
def rates_version() -> str:
    """A digest of the bundled rates: part of every clip's cache key, as a new measurement
    changes how fast the same setting is asked for."""
    text = (resources.files("voiceguide") / "speech" / RATES_FILE).read_bytes()
    return hashlib.sha256(text).hexdigest()[:12]


_MEASURING = threading.Lock()


def measured_rates(key: str, language: str, speak: Callable[[str], tuple[np.ndarray, int]]) -> RateTable:
    """The rates of a voice not in the table (``key`` names it, with its file's digest): measured
    once from the language's reference sentences spoken at speed 1, and kept in the cache."""
    with _MEASURING:  # two speaking threads measure a new voice once, not twice
        cache = user_cache_dir() / MEASURED_FILE
        known = _read_measured(cache)
        if isinstance(rate_known := known.get(key), int | float) and rate_known > 0:
            return ((1.0, float(rate_known)),)
        sentences = REFERENCE_SENTENCES.get(language, REFERENCE_SENTENCES["en"])
        rate = voiced_wpm(sentences, (speak(text) for text in sentences))
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(cache, json.dumps({**known, key: rate}, indent=1))
        return ((1.0, rate),)


def _read_measured(cache: Path) -> dict[str, object]:
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}
