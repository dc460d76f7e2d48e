"""The chimes: which sounds there are, and each brought to the same loudness under the voice."""

from __future__ import annotations

import wave

import numpy as np

from voiceguide.assets import asset_path
from voiceguide.loudness import max_momentary_lufs
from voiceguide.timeline import Chimes, ChimeSound

# name: what it sounds like (for --help). Each is chime-NAME.wav, made by scripts/make_assets.py.
CHIME_SOUNDS = {
    "bell": "a soft bell",
    "bowl": "a singing bowl, low and long",
    "wood": "a wood block, short and dry",
}
DEFAULT_CHIME = "bell"
END_CHIME_ASSET = "chime-end.wav"
# How loud a chime's strike is heard (its loudest 400 ms): clearly there, 4 LU under the voice.
CHIME_LUFS = -20.0
# A chime is loudest at its strikes, all within its first two seconds; measuring only those
# keeps the measure quick (it runs at the start of every render).
STRIKES_WITHIN_S = 2


def load_chimes(name: str) -> Chimes:
    """The step chime called ``name`` and the end chime, with the gains that level them."""
    return Chimes(step=_levelled(f"chime-{name}.wav"), end=_levelled(END_CHIME_ASSET))


def _levelled(asset: str) -> ChimeSound:
    path = asset_path(asset)
    with wave.open(str(path), "rb") as sound:
        rate, channels = sound.getframerate(), sound.getnchannels()
        frame_count = sound.getnframes()
        strikes = sound.readframes(min(frame_count, STRIKES_WITHIN_S * rate))
    samples = np.frombuffer(strikes, dtype="<i2").reshape(-1, channels)
    loudness = max_momentary_lufs(samples.astype(np.float32) / 32768, rate)
    duration_ms = round(frame_count * 1000 / rate)
    return ChimeSound(path, duration_ms, CHIME_LUFS - loudness)
