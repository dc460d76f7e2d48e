"""How long speech takes, estimated before any audio exists (for planning and the cue sheet)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceguide.pauses import pause_total_ms, without_pauses

# Speech length model, fitted by least squares to the clips of every bundled voice (espeak-ng,
# joe, heart) saying the built-in routines at each pace, every voice calibrated to the pace's
# voiced words a minute: a syllable takes 0.6 of a "word" at the rate, a sentence mark 520 ms, a
# comma 480 ms (the natural voices pause longer at both than espeak-ng).
SYLLABLE_SHARE_OF_WORD = 0.60
SENTENCE_PAUSE_MS = 520
COMMA_PAUSE_MS = 480
# Real clips run up to 1.2 times the estimate (short lines); plans leave 10% and a quarter second
# more, and the timeline places the real clips.
SAFETY_FACTOR = 1.1
SAFETY_MS = 250


@dataclass(frozen=True)
class Pace:
    """How fast the voice speaks and how often it reminds."""

    rate_wpm: int
    """Words a minute of voiced time (the pauses between phrases left out)."""
    reminder_every_ms: int
    """A silence longer than this gets a reminder in it."""


# Words a minute of voiced time, which every voice is calibrated to: normal is calm, for someone
# relaxing with their eyes closed; slow and brisk keep their places around it.
PACES = {
    "slow": Pace(rate_wpm=117, reminder_every_ms=32_000),
    "normal": Pace(rate_wpm=140, reminder_every_ms=25_000),
    "brisk": Pace(rate_wpm=168, reminder_every_ms=20_000),
}


def estimate_speech_ms(text: str, rate_wpm: int) -> int:
    """About how long ``text`` takes to say: syllables at the rate, plus pauses at punctuation and
    the pauses its markup asks for."""
    pauses_ms = pause_total_ms(text)
    text = without_pauses(text)
    syllables = len(re.findall(r"[aeiouy]+", text.lower())) + 2 * len(re.findall(r"\d+", text))
    sentences = sum(text.count(mark) for mark in ".!?:;")
    commas = text.count(",")
    syllable_ms = SYLLABLE_SHARE_OF_WORD * 60_000 / rate_wpm
    return (
        round(syllables * syllable_ms + sentences * SENTENCE_PAUSE_MS + commas * COMMA_PAUSE_MS) + pauses_ms
    )


def cautious_speech_ms(text: str, rate_wpm: int) -> int:
    """The estimate at its slow end: what a plan must leave room for."""
    return round(estimate_speech_ms(text, rate_wpm) * SAFETY_FACTOR) + SAFETY_MS
