"""Turning an engine's raw output into a clip ready to mix: checked, trimmed, levelled, faded."""

from __future__ import annotations

import wave
from pathlib import Path

from pydub import AudioSegment
from pydub.effects import normalize
from pydub.silence import detect_leading_silence

from voiceguide.errors import EngineError

# The session's sample format: CD rate, 16-bit; clips stay mono until mixing.
SAMPLE_RATE_HZ = 44_100
SAMPLE_WIDTH_BYTES = 2
# Peak level of speech below full scale, leaving room for chimes to sit under it.
VOICE_HEADROOM_DB = 3.0
# Short fades keep clip edges from clicking.
EDGE_FADE_MS = 10
# Engines pad clips with silence; more than this of it is trimmed so cues land where planned.
KEEP_SILENCE_MS = 80
SILENCE_BELOW_DBFS = -50.0


def check_engine_output(path: Path, text: str) -> None:
    """Refuse a missing, empty or headerless file before anything tries to decode it."""
    header = path.read_bytes()[:12] if path.exists() else b""
    is_wav = header[:4] == b"RIFF" and header[8:12] == b"WAVE"
    is_aiff = header[:4] == b"FORM" and header[8:12] in (b"AIFF", b"AIFC")
    if not (is_wav or is_aiff) or path.stat().st_size <= 44:
        raise EngineError(f'the speech engine wrote no usable audio for "{text[:60]}"')


def prepare_clip(raw: Path, destination: Path) -> None:
    """Write ``raw`` to ``destination`` as the session's format, trimmed, levelled and faded."""
    audio = AudioSegment.from_file(raw)
    audio = audio.set_frame_rate(SAMPLE_RATE_HZ).set_channels(1).set_sample_width(SAMPLE_WIDTH_BYTES)
    audio = _trim_silence(audio)
    audio = normalize(audio, headroom=VOICE_HEADROOM_DB).fade_in(EDGE_FADE_MS).fade_out(EDGE_FADE_MS)
    audio.export(destination, format="wav")


def _trim_silence(audio: AudioSegment) -> AudioSegment:
    lead = detect_leading_silence(audio, SILENCE_BELOW_DBFS)
    tail = detect_leading_silence(audio.reverse(), SILENCE_BELOW_DBFS)
    start = max(0, lead - KEEP_SILENCE_MS)
    end = len(audio) - max(0, tail - KEEP_SILENCE_MS)
    return audio[start:end] if end > start else audio


def clip_duration_ms(path: Path) -> int:
    """A prepared clip's length, read from its header without decoding it."""
    with wave.open(str(path), "rb") as clip:
        return round(clip.getnframes() * 1000 / clip.getframerate())
