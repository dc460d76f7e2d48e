#!/usr/bin/env python3
"""Make every file in audio_assets/ from code alone: chimes by additive synthesis, the cover art.

Deterministic: the same script writes the same bytes, so the assets' licence is the project's.
Usage: python scripts/make_assets.py [OUTPUT_DIR]   (default: audio_assets/ beside this script)
"""

from __future__ import annotations

import math
import struct
import sys
import wave
import zlib
from pathlib import Path

SAMPLE_RATE_HZ = 44_100
PEAK = 0.89  # -1 dBFS: room for the encoder's overshoot

# Each partial: (frequency ratio to the fundamental, amplitude, decay time constant in seconds).
# Ratios of a struck bell (inharmonic, 2.76 and 5.40 like a free bar) and of a singing bowl.
CHIMES = {
    "chime-bell": {"fundamental_hz": 660.0, "seconds": 4.5, "attack_s": 0.004,
                   "partials": [(1.0, 1.0, 1.1), (2.76, 0.45, 0.55), (5.40, 0.22, 0.28), (8.93, 0.08, 0.15)]},
    "chime-bowl": {"fundamental_hz": 220.0, "seconds": 8.0, "attack_s": 0.02,
                   "partials": [(1.0, 1.0, 1.6), (1.006, 0.6, 1.5), (2.71, 0.35, 1.0), (5.15, 0.12, 0.6)]},
    "chime-end": {"fundamental_hz": 523.25, "seconds": 7.0, "attack_s": 0.006,
                  "partials": [(1.0, 1.0, 1.4), (1.5, 0.5, 1.1), (2.0, 0.35, 0.8), (3.01, 0.15, 0.5)]},
}  # fmt: skip


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


def write_wav(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes(b"".join(struct.pack("<h", round(s * 32767)) for s in samples))


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
    write_png(out / "cover.png", 500)
    print(f"wrote {len(CHIMES)} chimes and cover.png to {out}")


if __name__ == "__main__":
    main()
