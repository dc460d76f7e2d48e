#!/usr/bin/env python3
"""Make every file in audio_assets/ from code alone: chimes by additive synthesis, an ambient bed
that loops seamlessly, the cover art.

Deterministic: the same script writes the same bytes, so the assets' licence is the project's.
Usage: python scripts/make_assets.py [OUTPUT_DIR]   (default: audio_assets/ beside this script)
"""

from __future__ import annotations

import math
import random
import struct
import sys
import wave
import zlib
from pathlib import Path

import numpy as np

SAMPLE_RATE_HZ = 44_100
PEAK = 0.89  # -1 dBFS: room for the encoder's overshoot

# Each partial: (frequency ratio to the fundamental, amplitude, decay time constant in seconds).
# Ratios of a struck bell (inharmonic, 2.76 and 5.40 like a free bar) and of a singing bowl.
CHIMES = {
    "chime-bell": {"fundamental_hz": 660.0, "seconds": 4.5, "attack_s": 0.004,
                   "partials": [(1.0, 1.0, 1.1), (2.76, 0.45, 0.55), (5.40, 0.22, 0.28), (8.93, 0.08, 0.15)]},
    "chime-bowl": {"fundamental_hz": 220.0, "seconds": 8.0, "attack_s": 0.02,
                   "partials": [(1.0, 1.0, 1.6), (1.006, 0.6, 1.5), (2.71, 0.35, 1.0), (5.15, 0.12, 0.6)]},
    # The end of a lead-in: a soft tone that swells in, not a strike.
    "chime-lead-in": {"fundamental_hz": 392.0, "seconds": 3.0, "attack_s": 0.4,
                      "partials": [(1.0, 1.0, 1.0), (2.0, 0.15, 0.6), (3.0, 0.05, 0.4)]},
    # A wood block: bright, inharmonic, and gone in a fraction of a second.
    "chime-wood": {"fundamental_hz": 880.0, "seconds": 1.2, "attack_s": 0.001,
                   "partials": [(1.0, 1.0, 0.09), (1.58, 0.5, 0.06), (2.87, 0.3, 0.035), (4.1, 0.15, 0.02)]},
    # The beat of counted strokes: a soft, dry click, over in a tenth of a second so it never
    # blurs into the next beat or the voice.
    "tick": {"fundamental_hz": 1320.0, "seconds": 0.12, "attack_s": 0.0015,
             "partials": [(1.0, 1.0, 0.018), (2.31, 0.4, 0.01), (3.7, 0.2, 0.006)]},
}  # fmt: skip

# The session's end: two soft strikes a fifth apart, C5 then G5, the second left to ring out.
END_CHIME = {"seconds": 7.0, "second_strike_s": 0.6, "attack_s": 0.006,
             "strikes": [(523.25, 0.8), (783.99, 1.0)],
             "partials": [(1.0, 1.0, 1.4), (2.0, 0.35, 0.8), (3.01, 0.15, 0.5)]}  # fmt: skip

# The ambient bed: exactly LOOP_S long, and every frequency in it (tones and swells) completes a
# whole number of cycles in that time, so the end runs into the start without a seam.
AMBIENT_RATE_HZ = 22_050  # a soft bed has nothing above 11 kHz; half the size on disk
LOOP_S = 30
# Partials of a soft open chord on A2 (hertz, amplitude), each paired with a slightly detuned twin.
DRONE = [(110.0, 1.0), (165.0, 0.55), (220.0, 0.45), (247.0, 0.25), (330.0, 0.18)]
DETUNE_HZ = 0.2
NOISE_BAND_HZ = (120.0, 1800.0)
NOISE_SHARE = 0.35
AMBIENT_PEAK = 0.5


def chime_samples(fundamental_hz: float, seconds: float, attack_s: float, partials: list) -> list[float]:
    count = int(seconds * SAMPLE_RATE_HZ)
    samples = []
    for n in range(count):
        t = n / SAMPLE_RATE_HZ
        attack = min(1.0, t / attack_s)
        # A raised-cosine tail brings the last 100 ms to exact silence: no click at the end.
        tail = min(1.0, (count - n) / (0.1 * SAMPLE_RATE_HZ))
        value = sum(
            a * math.exp(-t / d) * math.sin(2 * math.pi * fundamental_hz * r * t) for r, a, d in partials
        )
        samples.append(value * attack * (0.5 - 0.5 * math.cos(math.pi * tail)))
    peak = max(abs(s) for s in samples)
    return [s * PEAK / peak for s in samples]


def end_chime_samples(
    seconds: float, second_strike_s: float, attack_s: float, strikes: list, partials: list
) -> list[float]:
    count = int(seconds * SAMPLE_RATE_HZ)
    mixed = [0.0] * count
    for number, (fundamental_hz, amplitude) in enumerate(strikes):
        offset = round(number * second_strike_s * SAMPLE_RATE_HZ)
        strike = chime_samples(fundamental_hz, seconds - number * second_strike_s, attack_s, partials)
        for n, value in enumerate(strike):
            mixed[offset + n] += amplitude * value
    peak = max(abs(s) for s in mixed)
    return [s * PEAK / peak for s in mixed]


def ambient_channel(rng: random.Random, swell_phase: float) -> np.ndarray:
    """One channel of the bed: a drone whose partials swell slowly, over softly surging noise."""
    t = np.arange(LOOP_S * AMBIENT_RATE_HZ) / AMBIENT_RATE_HZ
    drone = np.zeros_like(t)
    for number, (hertz, amplitude) in enumerate(DRONE):
        # Swells of 30, 15 and 10 s, each partial in its own phase: the chord breathes.
        swell = 0.6 + 0.4 * np.sin(2 * np.pi * (1 + number % 3) * t / LOOP_S + swell_phase + number)
        for twin in (hertz, hertz + DETUNE_HZ):
            drone += amplitude * swell * np.sin(2 * np.pi * twin * t + rng.random() * 2 * np.pi)
    noise = _band_noise(rng, len(t)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t / LOOP_S + swell_phase))
    return (1 - NOISE_SHARE) * drone / np.abs(drone).max() + NOISE_SHARE * noise / np.abs(noise).max()


def _band_noise(rng: random.Random, count: int) -> np.ndarray:
    """Noise shaped in one FFT over the whole loop: circular, so it too loops without a seam."""
    white = np.array([rng.random() - 0.5 for _ in range(count)])
    spectrum = np.fft.rfft(white)
    hertz = np.fft.rfftfreq(count, 1 / AMBIENT_RATE_HZ)
    low, high = NOISE_BAND_HZ
    band = (hertz >= low) & (hertz <= high)
    # A gentle slope above the band's floor (pink-like), so the noise sounds like air, not hiss.
    spectrum *= np.where(band, np.sqrt(low / np.maximum(hertz, low)), 0.0)
    return np.fft.irfft(spectrum, n=count)


def ambient_frames() -> np.ndarray:
    rng = random.Random(1770)  # fixed seed: the same bytes on every run
    left, right = ambient_channel(rng, 0.0), ambient_channel(rng, 1.3)
    stereo = np.stack([left, right], axis=1)
    return stereo * AMBIENT_PEAK / np.abs(stereo).max()


def write_wav(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes(b"".join(struct.pack("<h", round(s * 32767)) for s in samples))


def write_stereo_wav(path: Path, frames: np.ndarray, rate_hz: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(np.round(frames * 32767).astype("<i2").tobytes())


def cover_pixels(size: int) -> bytes:
    """A calm square: a sage-to-cream gradient with soft rings, like ripples on still water."""
    rows = []
    for y in range(size):
        row = bytearray([0])  # PNG filter type 0 for the row
        for x in range(size):
            g = y / size
            dx, dy = (x - size / 2) / size, (y - size * 0.45) / size
            ripple = 0.5 + 0.5 * math.cos(math.hypot(dx, dy) * 60) * math.exp(-math.hypot(dx, dy) * 5)
            base = [(1 - g) * 214 + g * 245, (1 - g) * 228 + g * 236, (1 - g) * 206 + g * 220]
            row += bytes(min(255, round(c * (0.9 + 0.1 * ripple))) for c in base)
        rows.append(bytes(row))
    return b"".join(rows)


def write_png(path: Path, size: int) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    png += chunk(b"IDAT", zlib.compress(cover_pixels(size), 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "audio_assets"
    out.mkdir(parents=True, exist_ok=True)
    for name, recipe in CHIMES.items():
        write_wav(out / f"{name}.wav", chime_samples(**recipe))
    write_wav(out / "chime-end.wav", end_chime_samples(**END_CHIME))
    write_stereo_wav(out / "ambient.wav", ambient_frames(), AMBIENT_RATE_HZ)
    write_png(out / "cover.png", 500)
    print(f"wrote {len(CHIMES) + 1} chimes (the stroke tick among them), ambient.wav and cover.png to {out}")


if __name__ == "__main__":
    main()
