"""The session's sample format, shared by every stage that touches samples."""

from __future__ import annotations

# CD rate, 16-bit, stereo: what LAME encodes and every phone plays. Clips stay mono until mixing.
SAMPLE_RATE_HZ = 44_100
SAMPLE_WIDTH_BYTES = 2
CHANNELS = 2
# 16-bit samples as floats: full scale is 1.0.
FULL_SCALE = 32768
