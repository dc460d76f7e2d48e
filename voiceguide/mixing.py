"""Turning a timeline into 16-bit stereo PCM, a few seconds at a time.

The session is mixed in short windows and handed on window by window, so it never exists whole in
memory and no join copies more than a window (pydub's ``+`` copies its whole buffer).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydub import AudioSegment

from voiceguide.speech.clips import SAMPLE_RATE_HZ, SAMPLE_WIDTH_BYTES
from voiceguide.timeline import Placement, Timeline

CHANNELS = 2
# A whole number of seconds keeps every window a whole number of frames at 44.1 kHz.
WINDOW_MS = 5000


def mix_pcm(timeline: Timeline) -> Iterator[bytes]:
    """The session as raw s16le stereo PCM at 44.1 kHz, window after window."""
    sounds = _load_sounds(timeline.placements)
    for window_start_ms in range(0, timeline.total_ms, WINDOW_MS):
        window_end_ms = min(window_start_ms + WINDOW_MS, timeline.total_ms)
        yield _mix_window(timeline.placements, sounds, window_start_ms, window_end_ms).raw_data


def window_count(timeline: Timeline) -> int:
    """How many chunks ``mix_pcm`` yields for ``timeline`` (for progress bars)."""
    return -(-timeline.total_ms // WINDOW_MS)


def _load_sounds(placements: tuple[Placement, ...]) -> dict[tuple[Path, float], AudioSegment]:
    """Each distinct sound decoded once, in the session's format and at its gain."""
    sounds = {}
    for placement in placements:
        key = (placement.sound, placement.gain_db)
        if key not in sounds:
            audio = AudioSegment.from_file(placement.sound).set_frame_rate(SAMPLE_RATE_HZ)
            sounds[key] = (
                audio.set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH_BYTES) + placement.gain_db
            )
    return sounds


def _mix_window(
    placements: tuple[Placement, ...],
    sounds: dict[tuple[Path, float], AudioSegment],
    start_ms: int,
    end_ms: int,
) -> AudioSegment:
    window = AudioSegment.silent(end_ms - start_ms, frame_rate=SAMPLE_RATE_HZ).set_channels(CHANNELS)
    for placement in placements:
        sound = sounds[(placement.sound, placement.gain_db)]
        sound_end_ms = placement.at_ms + min(placement.duration_ms, len(sound))
        if placement.at_ms >= end_ms or sound_end_ms <= start_ms:
            continue
        piece = sound[max(0, start_ms - placement.at_ms) : min(sound_end_ms, end_ms) - placement.at_ms]
        window = window.overlay(piece, position=max(0, placement.at_ms - start_ms))
    return window
