"""BS.1770 loudness and the peak limiter, checked against ffmpeg's own EBU R128 meter."""

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from helpers import ebur128

from voiceguide.limiter import _moving_average, _running_min, limit_peaks, peak_gain
from voiceguide.loudness import block_powers, gated_lufs, max_momentary_lufs

RATE = 44_100


def integrated_lufs(frames: np.ndarray, rate: int) -> float:
    """BS.1770 integrated loudness as voiceguide measures music and clips: both gates over the
    400 ms blocks."""
    return gated_lufs(block_powers(frames, rate))


def peak_dbfs(frames: np.ndarray) -> float:
    return 20 * float(np.log10(np.abs(frames).max()))


def _write_wav(path: Path, frames: np.ndarray, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(frames.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.round(frames * 32767).astype("<i2").tobytes())


def _swelling_noise_with_a_gap(seconds: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frames = rng.standard_normal((seconds * RATE, 2)) * 0.05
    frames *= (1 + 0.8 * np.sin(np.arange(len(frames)) / RATE * 2))[:, None]
    frames[3 * RATE : 6 * RATE] = 0  # silence: gated out
    return frames


@pytest.mark.parametrize("rate", [22_050, 44_100, 48_000])
def test_integrated_loudness_agrees_with_ffmpegs_meter(tmp_path: Path, rate: int):
    frames = _swelling_noise_with_a_gap(15, seed=rate)
    _write_wav(tmp_path / "noise.wav", frames, rate)
    ours = integrated_lufs(np.round(frames * 32767) / 32768, rate)
    assert ours == pytest.approx(ebur128(tmp_path / "noise.wav").integrated_lufs, abs=0.15)


def test_a_full_scale_1khz_tone_on_both_channels_reads_0_lufs():
    # BS.1770's calibration: a 0 dBFS 997 Hz sine in both channels measures 0.0 LUFS (+-0.1).
    tone = np.sin(2 * np.pi * 997 * np.arange(5 * RATE) / RATE)
    assert integrated_lufs(np.stack([tone, tone], axis=1), RATE) == pytest.approx(0.0, abs=0.1)
    assert max_momentary_lufs(0.1 * np.stack([tone, tone], axis=1), RATE) == pytest.approx(-20.0, abs=0.1)


def test_silence_has_no_loudness():
    assert integrated_lufs(np.zeros((RATE, 2)), RATE) == -np.inf


def test_the_limiter_holds_the_ceiling_and_changes_gain_smoothly():
    frames = _swelling_noise_with_a_gap(5, seed=1) * 4
    limited = limit_peaks(frames, -10.0, RATE)
    assert peak_dbfs(frames) > -4
    assert peak_dbfs(limited) <= -10.0 + 1e-9
    sounding = np.abs(frames[:, 0]) > 0.01  # where the gain can be read off the samples
    gain = limited[sounding, 0] / frames[sounding, 0]
    assert gain.min() < 0.5
    # Over 10 ms a gain change is spread over hundreds of samples: no step between neighbours.
    assert np.abs(np.diff(gain)).max() < 0.01


def test_the_limiter_leaves_a_signal_under_the_ceiling_untouched():
    frames = _swelling_noise_with_a_gap(2, seed=2)
    assert limit_peaks(frames, 0.0, RATE) is frames


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("peaks_per_second", [0.5, 5, 50, 2000])
def test_the_gain_worked_out_around_peaks_only_is_the_gain_worked_out_everywhere(
    peaks_per_second: float, dtype: type
):
    """Sparse peaks, speech-like ones, and peaks so dense the stretches around them all join;
    some right at the ends of the signal. Against the plain definition in double precision, for
    single-precision clips too (20 s of them: long enough for single-precision sums to drift)."""
    rng = np.random.default_rng(int(peaks_per_second * 10))
    frames = 0.05 * rng.standard_normal((20 * RATE, 2))  # never near the ceiling
    loud = rng.random(len(frames)) < peaks_per_second / RATE
    loud[[0, 5, len(frames) - 1]] = True
    frames[loud, 0] = 0.9 - 0.4 * rng.random(loud.sum())
    ceiling_dbfs, reach = -6.0, round(10.0 * RATE / 1000)
    needed = np.minimum(1.0, 10 ** (ceiling_dbfs / 20) / np.abs(frames).max(axis=1))
    everywhere = np.minimum(_moving_average(_running_min(needed, 2 * reach + 1), reach + 1), needed)
    gain = peak_gain(frames.astype(dtype), ceiling_dbfs, RATE, smoothing_ms=10.0)
    assert gain is not None
    np.testing.assert_allclose(gain, everywhere, rtol=0, atol=1e-9 if dtype == np.float64 else 1e-6)
    assert (gain[~loud] < 1).any()  # the smoothing reaches past the peaks themselves


@pytest.mark.parametrize("width", [1, 3, 7, 101])
def test_running_minimum_matches_the_plain_definition(width: int):
    values = np.random.default_rng(width).random(1000)
    half = width // 2
    padded = np.pad(values, half, constant_values=1.0)
    expected = [padded[i : i + width].min() for i in range(len(values))]
    assert np.array_equal(_running_min(values, width), expected)


def test_ffmpeg_reads_what_we_write(tmp_path: Path):
    # The helper itself must see a difference of level.
    tone = 0.1 * np.sin(2 * np.pi * 997 * np.arange(3 * RATE) / RATE)
    _write_wav(tmp_path / "quiet.wav", np.stack([tone, tone], axis=1))
    _write_wav(tmp_path / "loud.wav", np.stack([tone, tone], axis=1) * 5)
    quiet, loud = ebur128(tmp_path / "quiet.wav"), ebur128(tmp_path / "loud.wav")
    assert loud.integrated_lufs - quiet.integrated_lufs == pytest.approx(14.0, abs=0.2)
    assert subprocess.run(["ffmpeg", "-version"], capture_output=True).returncode == 0
