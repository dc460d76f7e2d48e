"""Turning a timeline into 16-bit stereo PCM, a few seconds at a time: voice and chimes summed, the
background dipped under the voice, peaks kept under the ceiling.

The session is mixed in short windows and handed on window by window, so it never exists whole in
memory and no join copies more than a window (pydub's ``+`` copies its whole buffer). Each window
is mixed with a few milliseconds to spare on both sides, so the limiter sees what is around its
edges and the windows join without a seam: the output is the same as mixing the whole at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from voiceguide.audio_format import CHANNELS, FULL_SCALE, SAMPLE_RATE_HZ
from voiceguide.limiter import limit_peaks
from voiceguide.loudness import RELATIVE_GATE_LU, SESSION_LUFS, lufs_power, power_lufs
from voiceguide.music import Background, looped_frames
from voiceguide.sounds import float_frames, load_sound
from voiceguide.timeline import Placement

# A whole number of seconds keeps every window a whole number of frames at 44.1 kHz.
WINDOW_MS = 5000
# The session's sample peaks stay under this; MP3 encoding adds up to about half a decibel, and
# the finished file must measure -1 dBTP or less (EBU R128, as podcast platforms ask).
CEILING_DBFS = -2.0
LIMITER_SMOOTHING_MS = 10.0
_MARGIN_FRAMES = round(2 * LIMITER_SMOOTHING_MS * SAMPLE_RATE_HZ / 1000) + 2
# The background dips this far under speech: down over DUCK_ATTACK_MS before the first word, back
# up over DUCK_RELEASE_MS once DUCK_HOLD_MS has passed after the last (raised-cosine ramps in dB).
DUCK_DB = 15.0
DUCK_ATTACK_MS = 400
DUCK_HOLD_MS = 250
DUCK_RELEASE_MS = 800
# The background's loudness where nobody speaks: 18 LU under the voice, a bed to relax to...
BED_LUFS = -34.0
# ...and, in sessions with long silences, lower still: its loudest moments stay this far under
# R128's relative gate, so the bed never counts in the session's loudness (which is the voice's).
BED_UNDER_GATE_LU = 1.5
# Where a looped track crossfades into itself, two alike passes can add up to 3 dB (equal power
# assumes they differ).
CROSSFADE_SWELL_DB = 3.0
# The background rises at the start and sinks at the end; everything fades in the last moment, so
# a chime still ringing when the file ends stops without a click.
BED_FADE_IN_MS = 4000
BED_FADE_OUT_MS = 5000
FINAL_FADE_MS = 1500
# A sound cut short by its placement fades over this much instead of stopping dead.
CUT_FADE_MS = 10


class PlacementSource(Protocol):
    """What mixing reads: the session's length, its background, and the placements known so far."""

    total_ms: int
    background: Background | None

    def placements_until(self, end_ms: int) -> Sequence[Placement]: ...


def mix_pcm(source: PlacementSource) -> Iterator[bytes]:
    """The session as raw s16le stereo PCM at 44.1 kHz, window after window."""
    sounds = _SoundCache()
    total = _frame(source.total_ms)
    for window_start_ms in range(0, source.total_ms, WINDOW_MS):
        window_end_ms = min(window_start_ms + WINDOW_MS, source.total_ms)
        # Speech just after the window already pulls the background down inside it.
        placements = source.placements_until(window_end_ms + DUCK_ATTACK_MS + 1)
        start, end = _frame(window_start_ms), _frame(window_end_ms)
        low, high = max(0, start - _MARGIN_FRAMES), min(total, end + _MARGIN_FRAMES)
        mixed = _mix_span(placements, sounds, source.background, low, high, total)
        limited = limit_peaks(mixed, CEILING_DBFS, SAMPLE_RATE_HZ, LIMITER_SMOOTHING_MS)
        yield _to_pcm(limited[start - low : end - low])
        sounds.keep_only({_key(p) for p in placements if _frame(p.at_ms + p.duration_ms) > high})


def background_gain_db(background: Background, speech_share: float) -> float:
    """The gain that sets the background at ``BED_LUFS``, or under the relative gate of a session
    whose voice speaks ``speech_share`` of the time, whichever is quieter."""
    gate = power_lufs(speech_share * lufs_power(SESSION_LUFS)) - RELATIVE_GATE_LU
    peaks_above_mean = background.loudest_lufs - background.lufs
    if background.crossfade_frames:
        peaks_above_mean += CROSSFADE_SWELL_DB
    level = min(BED_LUFS, gate - BED_UNDER_GATE_LU - peaks_above_mean)
    return level - background.lufs


def window_count(total_ms: int) -> int:
    """How many chunks ``mix_pcm`` yields for a session of ``total_ms`` (for progress bars)."""
    return -(-total_ms // WINDOW_MS)


def ducking_gain(voices: Sequence[Placement], low: int, high: int) -> np.ndarray:
    """The background's gain (linear) for frames ``low`` to ``high``, given where speech is."""
    grid = _grid(low, high)
    depth = np.zeros(len(grid))
    attack, hold, release = (_frame(ms) for ms in (DUCK_ATTACK_MS, DUCK_HOLD_MS, DUCK_RELEASE_MS))
    for voice in voices:
        first, last = _frame(voice.at_ms), _frame(voice.at_ms + voice.duration_ms)
        if first - attack >= high or last + hold + release <= low:
            continue
        falling = np.clip((grid - (first - attack)) / attack, 0, 1)
        rising = np.clip((last + hold + release - grid) / release, 0, 1)
        depth = np.maximum(depth, np.minimum(falling, rising))
    if not depth.any():
        return np.ones(high - low, dtype=np.float32)
    return _per_frame(grid, 10 ** (-DUCK_DB * _raised_cosine(depth) / 20), low, high)


def _mix_span(
    placements: Sequence[Placement],
    sounds: _SoundCache,
    background: Background | None,
    low: int,
    high: int,
    total: int,
) -> np.ndarray:
    mixed = np.zeros((high - low, CHANNELS), dtype=np.float32)
    for placement in placements:
        first = _frame(placement.at_ms)
        if first >= high or _frame(placement.at_ms + placement.duration_ms) <= low:
            continue
        sound = sounds.get(placement)
        begin, end = max(low, first), min(high, first + len(sound))
        if begin < end:
            mixed[begin - low : end - low] += sound[begin - first : end - first]
    if background is not None:
        voices = [p for p in placements if p.is_voice]
        bed = looped_frames(background, low, high - low)
        bed *= ducking_gain(voices, low, high)[:, None]
        _apply_fade(bed, low, high, total, BED_FADE_IN_MS, BED_FADE_OUT_MS)
        mixed += bed
    _apply_fade(mixed, low, high, total, 0, FINAL_FADE_MS)
    return mixed


def _apply_fade(frames: np.ndarray, low: int, high: int, total: int, in_ms: int, out_ms: int) -> None:
    """Fade ``frames`` (frames ``low`` to ``high`` of the session) in over the session's first
    ``in_ms`` and out over its last ``out_ms``; most windows lie in neither and are left alone."""
    fade_in, fade_out = _frame(in_ms), _frame(out_ms)
    if low >= fade_in and high <= total - fade_out:
        return
    frames *= _fade(low, high, total, fade_in, fade_out)[:, None]


def _fade(low: int, high: int, total: int, fade_in: int, fade_out: int) -> np.ndarray:
    """Gain rising over the first ``fade_in`` frames of the session and falling over its last
    ``fade_out``."""
    grid = _grid(low, high)
    rising = np.clip(grid / fade_in, 0, 1) if fade_in else np.ones(len(grid))
    falling = np.clip((total - grid) / max(fade_out, 1), 0, 1)
    return _per_frame(grid, _raised_cosine(np.minimum(rising, falling)), low, high)


def _raised_cosine(share: np.ndarray) -> np.ndarray:
    """0 to 1 along a half cosine: no corner at either end of a ramp."""
    return 0.5 - 0.5 * np.cos(np.pi * share)


def _grid(low: int, high: int) -> np.ndarray:
    """Frame positions a millisecond apart, covering ``low`` to ``high``: envelopes change over
    hundreds of milliseconds, so they are worked out per millisecond and interpolated between."""
    step = SAMPLE_RATE_HZ // 1000
    return np.arange(low, high + step, step, dtype=np.float64)


def _per_frame(grid: np.ndarray, values: np.ndarray, low: int, high: int) -> np.ndarray:
    interpolated: np.ndarray = np.interp(np.arange(low, high), grid, values)
    return interpolated.astype(np.float32)


class _SoundCache:
    """Decoded sounds as float frames, levelled and cut as placed; a sound is dropped once nothing
    playing needs it, so memory holds a few clips, not the session's, however long it is."""

    def __init__(self) -> None:
        self._sounds: dict[tuple[Path, float, int], np.ndarray] = {}

    def get(self, placement: Placement) -> np.ndarray:
        key = _key(placement)
        if key not in self._sounds:
            self._sounds[key] = _decoded(placement)
        return self._sounds[key]

    def keep_only(self, keys: set[tuple[Path, float, int]]) -> None:
        self._sounds = {key: sound for key, sound in self._sounds.items() if key in keys}


def _decoded(placement: Placement) -> np.ndarray:
    """The sound as ``(frames, channels)`` floats at the placement's gain, cut to its duration."""
    audio = load_sound(placement.sound).set_frame_rate(SAMPLE_RATE_HZ)
    if audio.channels > CHANNELS:
        audio = audio.set_channels(CHANNELS)
    sound = float_frames(audio, placement.gain_db)
    wanted = _frame(placement.duration_ms)
    if wanted < len(sound):
        sound = sound[:wanted]
        fade = min(_frame(CUT_FADE_MS), wanted)
        sound[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)[:, None]
    return sound


def _key(placement: Placement) -> tuple[Path, float, int]:
    return placement.sound, placement.gain_db, placement.duration_ms


def _frame(ms: int) -> int:
    return ms * SAMPLE_RATE_HZ // 1000


def _to_pcm(frames: np.ndarray) -> bytes:
    scaled = frames * FULL_SCALE
    np.clip(np.rint(scaled, out=scaled), -FULL_SCALE, FULL_SCALE - 1, out=scaled)
    return scaled.astype("<i2").tobytes()
