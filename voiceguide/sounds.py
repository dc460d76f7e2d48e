"""Reading sound files: the one way from a file to samples.

pydub holds a sound while it is cut, levelled and faded (clips, chimes): WAV files, which
voiceguide writes and ships, are read by it directly; anything else (a user's chime, an engine's
AIFF) is decoded by ffmpeg, local files only. Mixing takes the samples as float32 frames.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError

from voiceguide.audio_format import CHANNELS, FULL_SCALE, SAMPLE_RATE_HZ, SAMPLE_WIDTH_BYTES
from voiceguide.errors import VoiceguideError
from voiceguide.ffmpeg import decode_to_bytes

# A sound that stands for a moment (a chime, a spoken line) is read this far at most.
LONGEST_SOUND_S = 600


def load_sound(path: Path) -> AudioSegment:
    """The sound in ``path``, or a VoiceguideError naming it."""
    if _is_wav(path):
        try:
            return AudioSegment.from_file(path, format="wav")
        except (CouldntDecodeError, IndexError, OSError):
            raise VoiceguideError(
                f"{path}: not a sound file ffmpeg can read; use a WAV, MP3, OGG or FLAC"
            ) from None
    pcm = decode_to_bytes(path, LONGEST_SOUND_S)
    return AudioSegment(
        data=pcm, sample_width=SAMPLE_WIDTH_BYTES, frame_rate=SAMPLE_RATE_HZ, channels=CHANNELS
    )


def float_frames(sound: AudioSegment, gain_db: float = 0.0) -> np.ndarray:
    """The sound's 16-bit samples as ``(frames, channels)`` float32, full scale 1.0, times the gain."""
    sound = sound.set_sample_width(SAMPLE_WIDTH_BYTES)
    samples = np.frombuffer(sound.raw_data, dtype=np.int16).reshape(-1, sound.channels)
    return samples.astype(np.float32) * np.float32(10 ** (gain_db / 20) / FULL_SCALE)


def from_samples(samples: np.ndarray, like: AudioSegment) -> AudioSegment:
    """16-bit ``samples`` as a sound of the same rate and channels as ``like``."""
    pcm = samples.astype("<i2").tobytes()
    return AudioSegment(
        data=pcm, sample_width=SAMPLE_WIDTH_BYTES, frame_rate=like.frame_rate, channels=like.channels
    )


def _is_wav(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            header = file.read(12)
    except OSError:
        return False
    return header[:4] == b"RIFF" and header[8:12] == b"WAVE"
