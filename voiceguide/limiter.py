"""Keeping peaks under a ceiling: a gain that dips smoothly around each peak and is 1 elsewhere.

Samples are float arrays shaped ``(frames, channels)`` with full scale at 1.0.
"""

from __future__ import annotations

import numpy as np

from voiceguide.loudness import as_frames


def limit_peaks(
    samples: np.ndarray, ceiling_dbfs: float, rate_hz: int, smoothing_ms: float = 10.0
) -> np.ndarray:
    """``samples`` with every peak above the ceiling turned down by a smooth gain dip."""
    gain = peak_gain(samples, ceiling_dbfs, rate_hz, smoothing_ms)
    if gain is None:
        return samples
    frames: np.ndarray = as_frames(samples) * gain[:, None]
    return frames.reshape(samples.shape).astype(samples.dtype, copy=False)


def peak_gain(
    samples: np.ndarray, ceiling_dbfs: float, rate_hz: int, smoothing_ms: float = 10.0
) -> np.ndarray | None:
    """The gain per frame that keeps every peak under the ceiling, or None if none is over it.

    The gain at each frame is the least any frame within ``smoothing_ms`` needs, averaged over a
    window half as wide: it never exceeds what a peak needs, and changes over milliseconds, not
    from one sample to the next (no clicks). Frames far from any peak keep a gain of 1, so only
    the stretches around peaks are worked out: speech has a few peaks a second, and levelling a
    clip spent a quarter of its time smoothing a gain of 1 everywhere else.
    """
    ceiling = 10 ** (ceiling_dbfs / 20)
    if not samples.size or (samples.max() <= ceiling and -samples.min() <= ceiling):
        return None  # the usual case, found without a pass per frame
    loudest = np.abs(as_frames(samples)).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(loudest, 1e-12))
    reach = max(1, round(smoothing_ms * rate_hz / 1000))
    gain = np.ones_like(needed)
    # Beyond this distance from every peak both windows below see only gains of 1.
    margin = 2 * reach + 2
    for start, end in _stretches_around(np.flatnonzero(needed < 1.0), margin, len(needed)):
        gain[start:end] = _moving_average(_running_min(needed[start:end], 2 * reach + 1), reach + 1)
    # Rounding in the average may leave a peak a hair above the ceiling; the minimum settles it.
    settled: np.ndarray = np.minimum(gain, needed)
    return settled


def _stretches_around(frames: np.ndarray, margin: int, count: int) -> list[tuple[int, int]]:
    """(start, end) of the stretches that hold every one of ``frames`` (sorted indices) and
    ``margin`` frames either side of it, within ``count``; stretches that would meet are one."""
    breaks = np.flatnonzero(np.diff(frames) > 2 * margin)
    firsts = frames[np.concatenate(([0], breaks + 1))]
    lasts = frames[np.concatenate((breaks, [len(frames) - 1]))]
    return [
        (max(0, int(a) - margin), min(count, int(b) + margin + 1)) for a, b in zip(firsts, lasts, strict=True)
    ]


def _running_min(values: np.ndarray, width: int) -> np.ndarray:
    """The minimum of each centred window of odd ``width``, in linear time (van Herk/Gil-Werman)."""
    half = width // 2
    count = len(values)
    tail = -(count + 2 * half) % width
    padded = np.pad(values, (half, half + tail), constant_values=1.0).reshape(-1, width)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:count], prefix[width - 1 : width - 1 + count])


def _moving_average(values: np.ndarray, width: int) -> np.ndarray:
    """The mean of each centred window of ``width`` frames (edges padded with the edge value)."""
    before = width // 2
    padded = np.pad(values, (before, width - 1 - before), mode="edge")
    # In double precision whatever the input: a single-precision running sum over a long clip
    # rounds to a few hundredths, which put gains up to 1.5 % off.
    sums = np.concatenate(([0.0], np.cumsum(padded, dtype=np.float64)))
    return (sums[width:] - sums[:-width]) / width
