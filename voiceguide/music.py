"""The background under the voice: the generated ambient bed or the user's own track, decoded once
into a cached PCM file, levelled, and looped to any length with a crossfade.

The decoded track is read window by window from disk (a memory map), so an hour-long track costs
no more memory than a short one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.assets import asset_path
from voiceguide.audio_format import CHANNELS, FULL_SCALE, SAMPLE_RATE_HZ, SAMPLE_WIDTH_BYTES
from voiceguide.errors import VoiceguideError
from voiceguide.ffmpeg import decode_to_file
from voiceguide.files import write_text_atomically
from voiceguide.loudness import BLOCK_S, HOP_S, gated_lufs, k_weighted, power_lufs, weighted_block_powers

# A user's track is looped with an equal-power crossfade this long (or a quarter of the track).
LOOP_CROSSFADE_MS = 3000
# Longer than this, a track is decoded only this far (and looped): a small file that decodes to
# hours of audio (a constant tone compresses to almost nothing) must not fill the disk.
LONGEST_TRACK_S = 3600
# Shorter than this, a track cannot carry a loop.
SHORTEST_TRACK_MS = 2000
# Bump when decoding or measuring changes, so cached tracks are made again. 4: loudness gated
# once over the whole track, as BS.1770 says; the decoded track's size kept to check it by; an
# hour at most decoded.
MUSIC_FORMAT_VERSION = 4
# Loudness is measured ten seconds at a time (a whole number of 100 ms hops), so a long track
# never sits whole in memory; each stretch is filtered from half a second before it, by when the
# K-weighting's 38 Hz high-pass has forgotten what came earlier.
_MEASURE_CHUNK_FRAMES = 10 * SAMPLE_RATE_HZ
_FILTER_SETTLE_FRAMES = SAMPLE_RATE_HZ // 2

logger = logging.getLogger(__name__)

NO_MUSIC = "none"
AMBIENT = "ambient"
_GENERATED = {AMBIENT: ("ambient.wav", 0)}  # name: (asset, crossfade ms; the asset loops seamlessly)


@dataclass(frozen=True)
class Background:
    """A decoded track (raw s16le stereo at 44.1 kHz) and how to loop and level it."""

    pcm: Path
    frames: int
    lufs: float
    """The track's integrated loudness."""
    loudest_lufs: float
    """Its loudest 400 ms."""
    crossfade_frames: int
    gain_db: float = 0.0
    """What the session plays it at (mixing decides)."""


def load_background(choice: str, cache: Path) -> Background | None:
    """``none``, ``ambient`` or a path to any file ffmpeg reads, ready to loop under the voice;
    the decoded track is kept in the folder ``cache``."""
    if choice == NO_MUSIC:
        return None
    if choice in _GENERATED:
        asset, crossfade_ms = _GENERATED[choice]
        return _prepared(asset_path(asset), crossfade_ms, cache)
    path = Path(choice).expanduser()
    _check_readable(path)
    return _prepared(path, LOOP_CROSSFADE_MS, cache)


def looped_frames(background: Background, start: int, count: int) -> np.ndarray:
    """Frames ``start`` to ``start + count`` of the track looped forever, levelled, as floats.

    Each pass starts ``period`` frames after the one before and the two overlap by the crossfade,
    the old pass fading out as the new one fades in (equal power, so the level holds).
    """
    track = _decoded_track(background.pcm)
    fade = background.crossfade_frames
    period = background.frames - fade
    frames = np.empty((count, CHANNELS), dtype=np.float32)
    for at, offset, length in _runs(start, count, period):
        frames[at : at + length] = track[offset : offset + length]
        overlap = min(length, fade - offset) if start + at >= period else 0
        if overlap > 0:
            share = (np.arange(offset, offset + overlap) / fade * (np.pi / 2))[:, None]
            previous_pass = track[offset + period : offset + period + overlap]
            frames[at : at + overlap] = frames[at : at + overlap] * np.sin(share) + previous_pass * np.cos(
                share
            )
    frames *= np.float32(10 ** (background.gain_db / 20) / FULL_SCALE)
    return frames


def _runs(start: int, count: int, period: int) -> list[tuple[int, int, int]]:
    """The stretches of ``count`` frames from ``start`` that each lie within one pass of the loop:
    (index in the window, offset in the track, length)."""
    runs, at = [], 0
    while at < count:
        offset = (start + at) % period
        length = min(period - offset, count - at)
        runs.append((at, offset, length))
        at += length
    return runs


@functools.lru_cache(maxsize=4)
def _decoded_track(pcm: Path) -> np.ndarray:
    return np.asarray(np.memmap(pcm, dtype=np.int16, mode="r").reshape(-1, CHANNELS))


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise VoiceguideError(f"{path}: the music file does not exist; give --music a file, ambient or none")
    if not path.is_file():
        raise VoiceguideError(f"{path}: not a file; give --music an audio file, ambient or none")
    if not os.access(path, os.R_OK):
        raise VoiceguideError(f"{path}: the music file cannot be read (permission denied)")


def _prepared(source: Path, crossfade_ms: int, cache: Path) -> Background:
    pcm, meta = _cache_paths(source, cache)
    loudness = _cached_loudness(pcm, meta)
    if loudness is None:
        decode_to_file(source, pcm, LONGEST_TRACK_S)
        loudness = {**_track_loudness(pcm), "pcm_bytes": pcm.stat().st_size}
        # Atomic, like the track: renders running side by side may read it at once.
        write_text_atomically(meta, json.dumps(loudness), durable=True)
    frames = pcm.stat().st_size // (CHANNELS * SAMPLE_WIDTH_BYTES)
    if frames * 1000 < SHORTEST_TRACK_MS * SAMPLE_RATE_HZ:
        raise VoiceguideError(
            f"{source}: the music is too short to loop (under {SHORTEST_TRACK_MS // 1000} s)"
        )
    if loudness["lufs"] is None:
        raise VoiceguideError(f"{source}: the music file is silent; choose another or use --music ambient")
    crossfade = min(crossfade_ms * SAMPLE_RATE_HZ // 1000, frames // 4)
    return Background(pcm, frames, loudness["lufs"], loudness["loudest_lufs"], crossfade)


def _cached_loudness(pcm: Path, meta: Path) -> dict[str, Any] | None:
    """The measurements of a track decoded before, marked as just used; None when it is not in
    the cache, or either file is damaged (it is then made again)."""
    try:
        loudness = json.loads(meta.read_text(encoding="utf-8"))
        if loudness["pcm_bytes"] != pcm.stat().st_size or not all(
            isinstance(loudness[key], float | None) for key in ("lufs", "loudest_lufs")
        ):
            raise ValueError("the measurements do not match the decoded track")
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        logger.warning("decoded music in the cache was damaged and is made again (%s)", meta)
        return None
    for path in (pcm, meta):
        os.utime(path)  # last used now: the cache's size cap lets the oldest go first
    return dict(loudness)


def _cache_paths(source: Path, root: Path) -> tuple[Path, Path]:
    """Where the decoded track lives: keyed by the file's path, size and modification time."""
    stat = source.stat()
    identity = json.dumps([MUSIC_FORMAT_VERSION, str(source.resolve()), stat.st_size, stat.st_mtime_ns])
    digest = hashlib.sha256(identity.encode()).hexdigest()
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{digest}.pcm", root / f"{digest}.json"


def _track_loudness(pcm: Path) -> dict[str, float | None]:
    """The track's integrated loudness (BS.1770: both gates over all its 400 ms blocks) and its
    loudest 400 ms."""
    powers = _block_powers(np.memmap(pcm, dtype=np.int16, mode="r").reshape(-1, CHANNELS))
    lufs = gated_lufs(powers)
    if not np.isfinite(lufs):
        return {"lufs": None, "loudest_lufs": None}
    return {"lufs": lufs, "loudest_lufs": power_lufs(float(powers.max()))}


def _block_powers(track: np.ndarray) -> np.ndarray:
    """Every 400 ms block's K-weighted power, worked out ten seconds at a time so a long track
    never sits whole in memory: each stretch is filtered from a little before it (the filter's
    memory) to the end of its last block, giving the blocks the whole track would."""
    block, hop = round(BLOCK_S * SAMPLE_RATE_HZ), round(HOP_S * SAMPLE_RATE_HZ)
    powers = []
    for start in range(0, len(track), _MEASURE_CHUNK_FRAMES):
        low = max(0, start - _FILTER_SETTLE_FRAMES)
        high = min(len(track), start + _MEASURE_CHUNK_FRAMES + block - hop)
        if high - start < block and start:
            break  # no block starts here that ends inside the track
        weighted = k_weighted(track[low:high] / FULL_SCALE, SAMPLE_RATE_HZ)[start - low :]
        powers.append(weighted_block_powers(weighted, SAMPLE_RATE_HZ))
    return np.concatenate(powers)
