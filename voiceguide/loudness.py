"""Measuring loudness (ITU-R BS.1770-4, as EBU R128 uses it).

Samples are float arrays shaped ``(frames, channels)`` with full scale at 1.0. The K-weighting
filter is applied in the frequency domain with its exact response, which needs only numpy: scipy's
IIR filters would cost every speech worker 0.6 s of import time, and these are short clips.
"""

from __future__ import annotations

import functools
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
# What every session measures, integrated: the podcast norm (EBU R128's -23 is for broadcast).
SESSION_LUFS = -16.0

# The K-weighting filter's two stages (BS.1770-4, annex 1), as analogue prototypes so that the
# response is right at any sample rate: a +4 dB high shelf for the head, then a 38 Hz high-pass.
_SHELF = {"gain_db": 4.0, "q": 1 / math.sqrt(2), "corner_hz": 1500.0}
_HIGH_PASS = {"q": 0.5, "corner_hz": 38.0}
# Room after the signal for the high-pass's ringing, so the FFT filter acts like the IIR one.
_FILTER_TAIL_S = 0.25
_FFT_BLOCK = 4096


def max_momentary_lufs(samples: np.ndarray, rate_hz: int) -> float:
    """The loudest 400 ms of the signal, in LUFS: how loud a short sound such as a chime is heard."""
    powers = block_powers(samples, rate_hz)
    return power_lufs(float(powers.max())) if powers.size else SILENCE_LUFS


def block_powers(samples: np.ndarray, rate_hz: int) -> np.ndarray:
    """Mean K-weighted power of every 400 ms block (hop 100 ms), summed over the channels."""
    return weighted_block_powers(k_weighted(as_frames(samples), rate_hz), rate_hz)


def weighted_block_powers(weighted: np.ndarray, rate_hz: int) -> np.ndarray:
    """``block_powers`` of a signal already through the K-weighting filter."""
    weighted = weighted.reshape(len(weighted), -1)
    block, hop = round(BLOCK_S * rate_hz), round(HOP_S * rate_hz)
    energy = np.concatenate(([0.0], np.cumsum((weighted**2).sum(axis=1), dtype=np.float64)))
    if len(weighted) <= block:
        return np.array([energy[-1] / max(len(weighted), 1)])
    starts = np.arange(0, len(weighted) - block + 1, hop)
    return (energy[starts + block] - energy[starts]) / block


def k_weighted(samples: np.ndarray, rate_hz: int) -> np.ndarray:
    """The signal through BS.1770's K-weighting filter (linear convolution, via the FFT)."""
    frames = as_frames(samples)
    size = _fft_size(len(frames) + round(_FILTER_TAIL_S * rate_hz))
    spectrum = np.fft.rfft(frames, n=size, axis=0)
    spectrum *= _k_response(size, rate_hz).astype(spectrum.dtype)[:, None]
    return np.fft.irfft(spectrum, n=size, axis=0)[: len(frames)]


def power_lufs(power: float) -> float:
    """The loudness of a block's mean K-weighted power."""
    return CALIBRATION_DB + 10 * math.log10(power) if power > 0 else SILENCE_LUFS


def lufs_power(lufs: float) -> float:
    """The mean K-weighted power of a block of that loudness."""
    return 10 ** ((lufs - CALIBRATION_DB) / 10)


def gated_lufs(powers: np.ndarray) -> float:
    """Integrated loudness from 400 ms block powers: BS.1770's two gates, then their mean."""
    audible = powers[powers > lufs_power(ABSOLUTE_GATE_LUFS)]
    if not audible.size:
        return SILENCE_LUFS
    relative_gate = power_lufs(float(audible.mean())) - RELATIVE_GATE_LU
    kept = audible[audible > lufs_power(relative_gate)]
    return power_lufs(float(kept.mean()))


def as_frames(samples: np.ndarray) -> np.ndarray:
    """``(frames, channels)`` floats; single precision stays single (half the memory traffic)."""
    frames = samples.reshape(len(samples), -1)
    return frames if frames.dtype in (np.float32, np.float64) else frames.astype(np.float64)


def _fft_size(minimum: int) -> int:
    """The least multiple of 4096 at or above ``minimum`` with no prime factor over 5: FFTs of
    such sizes are fast, waste far less than a power of two, and are few enough that the filter's
    response, worked out once per size, is mostly reused from one clip to the next."""
    blocks = -(-minimum // _FFT_BLOCK)
    while not _is_5_smooth(blocks):
        blocks += 1
    return blocks * _FFT_BLOCK


def _is_5_smooth(number: int) -> bool:
    for prime in (2, 3, 5):
        while number % prime == 0:
            number //= prime
    return number == 1


@functools.lru_cache(maxsize=64)
def _k_response(size: int, rate_hz: int) -> np.ndarray:
    """The complex response of both K-weighting stages at each bin of a real FFT of ``size``.

    The two biquads are multiplied out into one fourth-order filter and its polynomials evaluated
    in place (Horner), about twice as fast as evaluating each stage on its own.
    """
    angles = np.linspace(0, math.pi, size // 2 + 1)
    z = np.empty(len(angles), dtype=np.complex128)  # e^(-j angle), one bin per element
    z.real, z.imag = np.cos(angles), -np.sin(angles)
    (b_shelf, a_shelf), (b_pass, a_pass) = _shelf_coefficients(rate_hz), _high_pass_coefficients(rate_hz)
    response = _polynomial_at(np.polymul(b_shelf[::-1], b_pass[::-1]), z)
    response /= _polynomial_at(np.polymul(a_shelf[::-1], a_pass[::-1]), z)
    return response


def _polynomial_at(coefficients: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The polynomial (highest power first) at every ``z``, by Horner's rule without temporaries."""
    value = np.full(z.shape, coefficients[0], dtype=np.complex128)
    for coefficient in coefficients[1:]:
        value *= z
        value += coefficient
    return value


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
