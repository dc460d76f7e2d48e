"""Turning an engine's raw output into a clip ready to mix: checked, trimmed, levelled, faded."""

from __future__ import annotations

import math
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from voiceguide.audio_format import FULL_SCALE, SAMPLE_RATE_HZ, SAMPLE_WIDTH_BYTES
from voiceguide.errors import EngineError
from voiceguide.limiter import peak_gain
from voiceguide.loudness import SESSION_LUFS, gated_lufs, k_weighted, weighted_block_powers
from voiceguide.sounds import float_frames, from_samples, load_sound

# Every clip is levelled on its own so the finished session measures SESSION_LUFS without a second
# pass over it. A clip is heard on both channels (+3 dB over its mono measure), and a session
# measures about 0.9 LU under its clips, from the blocks that straddle the gaps between them.
SESSION_UNDER_CLIPS_LU = 0.9
SPEECH_LUFS = SESSION_LUFS + SESSION_UNDER_CLIPS_LU
BOTH_CHANNELS_DB = 10 * math.log10(2)
# Speech peaks stay this far under full scale, leaving room for a chime's tail under the voice;
# the few peaks above it (a plosive, a stressed syllable) are turned down smoothly.
SPEECH_CEILING_DBFS = -3.0
# Turning peaks down takes a little loudness with it; a second pass makes up for it.
LEVELLING_PASSES = 2
# Short fades keep clip edges from clicking.
EDGE_FADE_MS = 10
# pydub writes a 44-byte WAV header; other writers add a few chunks, never this many bytes.
MAX_HEADER_BYTES = 4096
# Engines pad clips with silence; more than this of it is trimmed so cues land where planned.
KEEP_SILENCE_MS = 80
SILENCE_BELOW_DBFS = -50.0
# The breath between two sentences, which the neural engines leave out.
SENTENCE_GAP_MS = 400


def check_engine_output(path: Path, text: str) -> None:
    """Refuse a missing, empty or headerless file before anything tries to decode it."""
    header = path.read_bytes()[:12] if path.exists() else b""
    is_wav = header[:4] == b"RIFF" and header[8:12] == b"WAVE"
    is_aiff = header[:4] == b"FORM" and header[8:12] in (b"AIFF", b"AIFC")
    if not (is_wav or is_aiff) or path.stat().st_size <= 44:
        raise EngineError(f'the speech engine wrote no usable audio for "{text[:60]}"')


def prepare_clip(pieces: Sequence[Path | int], destination: Path) -> None:
    """Write the spoken ``pieces`` (raw engine files, and milliseconds of silence between them)
    to ``destination`` as one clip in the session's format, each piece trimmed, levelled, faded."""
    clip = AudioSegment.empty().set_frame_rate(SAMPLE_RATE_HZ)
    for piece in pieces:
        clip += _silence(piece) if isinstance(piece, int) else _prepared_speech(piece)
    clip.export(destination, format="wav")


def _prepared_speech(raw: Path) -> AudioSegment:
    audio = load_sound(raw).set_channels(1).set_sample_width(SAMPLE_WIDTH_BYTES)
    # Levelled at the engine's own rate (espeak-ng speaks at 22.05 kHz): half the work.
    audio = _level_speech(_trim_silence(audio)).set_frame_rate(SAMPLE_RATE_HZ)
    return audio.fade_in(EDGE_FADE_MS).fade_out(EDGE_FADE_MS)


def _silence(ms: int) -> AudioSegment:
    return AudioSegment.silent(ms, frame_rate=SAMPLE_RATE_HZ).set_sample_width(SAMPLE_WIDTH_BYTES)


def _level_speech(audio: AudioSegment) -> AudioSegment:
    """The clip at ``SPEECH_LUFS``, its peaks under ``SPEECH_CEILING_DBFS``.

    The clip is K-weighted once; each pass then measures the limited clip as the weighted one
    times the same gains (the limiter's gain moves over milliseconds, far slower than speech).
    """
    samples = float_frames(audio)[:, 0]
    rate = audio.frame_rate
    weighted = k_weighted(samples, rate)[:, 0]
    gain = 1.0
    dips: np.ndarray | np.floating[Any] = np.float32(1.0)
    for _ in range(LEVELLING_PASSES):
        loudness = gated_lufs(weighted_block_powers(weighted * gain * dips, rate)) + BOTH_CHANNELS_DB
        if not np.isfinite(loudness):
            return audio  # silence stays silence
        gain *= 10 ** ((SPEECH_LUFS - loudness) / 20)
        limiting = peak_gain(samples * gain, SPEECH_CEILING_DBFS, rate)
        dips = np.float32(1.0) if limiting is None else limiting
    levelled = samples * gain * dips
    pcm = np.clip(np.round(levelled * FULL_SCALE), -FULL_SCALE, FULL_SCALE - 1)
    return from_samples(pcm, like=audio)


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


def is_whole_clip(path: Path) -> bool:
    """Whether ``path`` holds a prepared clip whose samples are all there (its header says how
    many): a file cut short by a crash, or emptied, is not."""
    try:
        with wave.open(str(path), "rb") as clip:
            sample_bytes = clip.getnframes() * clip.getnchannels() * clip.getsampwidth()
            header_bytes = path.stat().st_size - sample_bytes
            return clip.getnframes() > 0 and 0 < header_bytes <= MAX_HEADER_BYTES
    except (OSError, EOFError, wave.Error):
        return False


def write_sentences_wav(path: Path, sentences: Sequence[np.ndarray], rate_hz: int) -> None:
    """Sentences of float samples as one 16-bit WAV, a breath between each two: the neural engines
    speak sentences back to back, with none."""
    gap = np.zeros(rate_hz * SENTENCE_GAP_MS // 1000, dtype=np.float32)
    joined = [part for sentence in sentences for part in (gap, sentence)][1:]
    audio = np.concatenate(joined) if joined else np.zeros(0, dtype=np.float32)
    samples = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(samples.tobytes())
