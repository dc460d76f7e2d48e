"""Turning a timeline into 16-bit stereo PCM, a few seconds at a time.

The session is mixed in short windows and handed on window by window, so it never exists whole in
memory and no join copies more than a window (pydub's ``+`` copies its whole buffer).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from pydub import AudioSegment

from voiceguide.speech.clips import SAMPLE_RATE_HZ, SAMPLE_WIDTH_BYTES
from voiceguide.timeline import Placement

CHANNELS = 2
# A whole number of seconds keeps every window a whole number of frames at 44.1 kHz.
WINDOW_MS = 5000


class PlacementSource(Protocol):
    """What mixing reads: the session's length, and the placements known up to a time."""

    total_ms: int

    def placements_until(self, end_ms: int) -> Sequence[Placement]: ...


def mix_pcm(source: PlacementSource) -> Iterator[bytes]:
    """The session as raw s16le stereo PCM at 44.1 kHz, window after window."""
    sounds = _SoundCache()
    for window_start_ms in range(0, source.total_ms, WINDOW_MS):
        window_end_ms = min(window_start_ms + WINDOW_MS, source.total_ms)
        heard = [
            p for p in source.placements_until(window_end_ms) if _overlaps(p, window_start_ms, window_end_ms)
        ]
        yield _mix_window(heard, sounds, window_start_ms, window_end_ms).raw_data
        sounds.keep_only({_key(p) for p in heard if p.at_ms + p.duration_ms > window_end_ms})


def window_count(total_ms: int) -> int:
    """How many chunks ``mix_pcm`` yields for a session of ``total_ms`` (for progress bars)."""
    return -(-total_ms // WINDOW_MS)


class _SoundCache:
    """Decoded sounds in the session's format; a sound is dropped once nothing playing needs it, so
    memory holds a few clips, not the session's, however long it is."""

    def __init__(self) -> None:
        self._sounds: dict[tuple[Path, float], AudioSegment] = {}

    def get(self, placement: Placement) -> AudioSegment:
        key = _key(placement)
        if key not in self._sounds:
            audio = AudioSegment.from_file(placement.sound).set_frame_rate(SAMPLE_RATE_HZ)
            audio = audio.set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH_BYTES)
            self._sounds[key] = audio + placement.gain_db
        return self._sounds[key]

    def keep_only(self, keys: set[tuple[Path, float]]) -> None:
        self._sounds = {key: sound for key, sound in self._sounds.items() if key in keys}


def _key(placement: Placement) -> tuple[Path, float]:
    return placement.sound, placement.gain_db


def _overlaps(placement: Placement, start_ms: int, end_ms: int) -> bool:
    return placement.at_ms < end_ms and placement.at_ms + placement.duration_ms > start_ms


def _mix_window(
    placements: Sequence[Placement], sounds: _SoundCache, start_ms: int, end_ms: int
) -> AudioSegment:
    window = AudioSegment.silent(end_ms - start_ms, frame_rate=SAMPLE_RATE_HZ).set_channels(CHANNELS)
    for placement in placements:
        sound = sounds.get(placement)
        sound_end_ms = placement.at_ms + min(placement.duration_ms, len(sound))
        if sound_end_ms <= start_ms:
            continue
        piece = sound[max(0, start_ms - placement.at_ms) : min(sound_end_ms, end_ms) - placement.at_ms]
        window = window.overlay(piece, position=max(0, placement.at_ms - start_ms))
    return window
