"""Measuring loudness (ITU-R BS.1770-4, as EBU R128 uses it) and keeping peaks under a ceiling.

Samples are float arrays shaped ``(frames, channels)`` with full scale at 1.0. The K-weighting
filter is applied in the frequency domain with its exact response, which needs only numpy: scipy's
IIR filters would cost every speech worker 0.6 s of import time, and these are short clips.
"""

from __future__ import annotations

import math

import numpy as np

# BS.1770-4: 400 ms gating blocks overlapping by 75%, an absolute gate at -70 LUFS and a relative
# gate 10 LU below the loudness of the blocks above it; -0.691 calibrates a 1 kHz tone.
BLOCK_S = 0.4
HOP_S = 0.1
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = 10.0
CALIBRATION_DB = -0.691
SILENCE_LUFS = -math.inf

# The K-weighting filter's two stages (BS.1770-4, annex 1), as analogue prototypes so that the
# response is right at any sample rate: a +4 dB high shelf for the head, then a 38 Hz high-pass.
_SHELF = {"gain_db": 4.0, "q": 1 / math.sqrt(2), "corner_hz": 1500.0}
_HIGH_PASS = {"q": 0.5, "corner_hz": 38.0}
# Room after the signal for the high-pass's ringing, so the FFT filter acts like the IIR one.
_FILTER_TAIL_S = 0.25


def integrated_lufs(samples: np.ndarray, rate_hz: int) -> float:
    """Gated integrated loudness of the whole signal, in LUFS (-inf for silence)."""
    powers = block_powers(samples, rate_hz)
    return _gated_lufs(powers)


def max_momentary_lufs(samples: np.ndarray, rate_hz: int) -> float:
    """The loudest 400 ms of the signal, in LUFS: how loud a short sound such as a chime is heard."""
    powers = block_powers(samples, rate_hz)
    return power_lufs(float(powers.max())) if powers.size else SILENCE_LUFS


def block_powers(samples: np.ndarray, rate_hz: int) -> np.ndarray:
    """Mean K-weighted power of every 400 ms block (hop 100 ms), summed over the channels."""
    weighted = k_weighted(_as_frames(samples), rate_hz)
    block, hop = round(BLOCK_S * rate_hz), round(HOP_S * rate_hz)
    energy = np.concatenate(([0.0], np.cumsum((weighted**2).sum(axis=1), dtype=np.float64)))
    if len(weighted) <= block:
        return np.array([energy[-1] / max(len(weighted), 1)])
    starts = np.arange(0, len(weighted) - block + 1, hop)
    return (energy[starts + block] - energy[starts]) / block


def k_weighted(frames: np.ndarray, rate_hz: int) -> np.ndarray:
    """The signal through BS.1770's K-weighting filter (linear convolution, via the FFT)."""
    size = _fft_size(len(frames) + round(_FILTER_TAIL_S * rate_hz))
    spectrum = np.fft.rfft(frames, n=size, axis=0)
    response = _k_response(np.linspace(0, math.pi, spectrum.shape[0]), rate_hz)
    return np.fft.irfft(spectrum * response[:, None], n=size, axis=0)[: len(frames)]


def peak_dbfs(samples: np.ndarray) -> float:
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit_peaks(
    samples: np.ndarray, ceiling_dbfs: float, rate_hz: int, smoothing_ms: float = 10.0
) -> np.ndarray:
    """``samples`` with every peak above the ceiling turned down by a smooth gain dip.

    The gain at each frame is the least any frame within ``smoothing_ms`` needs, averaged over a
    window half as wide: it never exceeds what a peak needs, and changes over milliseconds, not
    from one sample to the next (no clicks). Frames far from any peak are left untouched.
    """
    ceiling = 10 ** (ceiling_dbfs / 20)
    if not samples.size or (samples.max() <= ceiling and -samples.min() <= ceiling):
        return samples  # the usual case, found without a pass per frame
    frames = _as_frames(samples)
    loudest = np.abs(frames).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(loudest, 1e-12))
    reach = max(1, round(smoothing_ms * rate_hz / 1000))
    gain = _moving_average(_running_min(needed, 2 * reach + 1), reach + 1)
    # Rounding in the average may leave a peak a hair above the ceiling; the minimum settles it.
    gain = np.minimum(gain, needed)
    return (frames * gain[:, None]).reshape(samples.shape).astype(samples.dtype, copy=False)


def power_lufs(power: float) -> float:
    """The loudness of a block's mean K-weighted power."""
    return CALIBRATION_DB + 10 * math.log10(power) if power > 0 else SILENCE_LUFS


def lufs_power(lufs: float) -> float:
    """The mean K-weighted power of a block of that loudness."""
    return 10 ** ((lufs - CALIBRATION_DB) / 10)


def _gated_lufs(powers: np.ndarray) -> float:
    audible = powers[powers > lufs_power(ABSOLUTE_GATE_LUFS)]
    if not audible.size:
        return SILENCE_LUFS
    relative_gate = power_lufs(float(audible.mean())) - RELATIVE_GATE_LU
    kept = audible[audible > lufs_power(relative_gate)]
    return power_lufs(float(kept.mean()))


def _as_frames(samples: np.ndarray) -> np.ndarray:
    return samples.reshape(len(samples), -1).astype(np.float64, copy=False)


def _fft_size(minimum: int) -> int:
    return 1 << max(0, minimum - 1).bit_length()


def _k_response(radians: np.ndarray, rate_hz: int) -> np.ndarray:
    """The complex response of both K-weighting stages at each normalised frequency."""
    z = np.exp(-1j * radians)
    response = np.ones_like(z)
    for b, a in (_shelf_coefficients(rate_hz), _high_pass_coefficients(rate_hz)):
        response *= (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    return response


def _shelf_coefficients(rate_hz: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    # The high-shelf biquad of the Audio EQ Cookbook (R. Bristow-Johnson).
    a = 10 ** (_SHELF["gain_db"] / 40)
    w0 = 2 * math.pi * _SHELF["corner_hz"] / rate_hz
    alpha, cos = math.sin(w0) / (2 * _SHELF["q"]), math.cos(w0)
    root = 2 * math.sqrt(a) * alpha
    b = (
        a * ((a + 1) + (a - 1) * cos + root),
        -2 * a * ((a - 1) + (a + 1) * cos),
        a * ((a + 1) + (a - 1) * cos - root),
    )
    den = ((a + 1) - (a - 1) * cos + root, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - root)
    return b, den


def _high_pass_coefficients(rate_hz: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    w0 = 2 * math.pi * _HIGH_PASS["corner_hz"] / rate_hz
    alpha, cos = math.sin(w0) / (2 * _HIGH_PASS["q"]), math.cos(w0)
    b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
    return b, (1 + alpha, -2 * cos, 1 - alpha)


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
    sums = np.concatenate(([0.0], np.cumsum(padded)))
    return (sums[width:] - sums[:-width]) / width
