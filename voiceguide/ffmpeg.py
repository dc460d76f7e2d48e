"""Finding and running ffmpeg, which decodes what the user brings, encodes what LAME does not, and
measures finished files with its EBU R128 meter."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from voiceguide.audio_format import CHANNELS, SAMPLE_RATE_HZ
from voiceguide.errors import MissingToolError, VoiceguideError

# An hour of FLAC decodes in about 10 s; far longer means ffmpeg is stuck on the input.
DECODE_TIMEOUT_S = 300
_NOT_AUDIO = "not an audio file ffmpeg can read"
_READABLE = "use an MP3, OGG, FLAC, WAV, AIFF or M4A file"
# The containers of audio files, by ffmpeg's names for them. Playlists (concat, HLS) are not among
# them: they would read other files, or fetch URLs, named inside a file a stranger may have sent.
AUDIO_DEMUXERS = "mp3,ogg,flac,wav,w64,aiff,mov,matroska,aac,caf,wv"

# The meter prints momentary loudness every 100 ms ("t: 1.2 TARGET:-23 LUFS M: -18.1 S: ..."),
# then a summary with the integrated loudness and, with peak=true, the true peak.
_MOMENTARY = re.compile(r"t:\s*([\d.]+)\s+TARGET:.*?M:\s*(-?[\d.]+|-inf|nan)")
_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_TRUE_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


@dataclass(frozen=True)
class LoudnessReading:
    """What ffmpeg's EBU R128 meter says of a file."""

    integrated_lufs: float
    true_peak_dbtp: float
    seconds: tuple[float, ...]
    """When each momentary reading was taken."""
    momentary_lufs: tuple[float, ...]
    """Loudness over the 400 ms before each of ``seconds`` (-inf in digital silence)."""


def require_ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise MissingToolError(
            "ffmpeg is not installed; install it (sudo apt-get install ffmpeg, or brew install ffmpeg) "
            "or run ./scripts/demo"
        )
    return path


def read_loudness(path: Path) -> LoudnessReading:
    """The file measured by ffmpeg's EBU R128 meter, true peak included."""
    command = [require_ffmpeg(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
               "-filter_complex", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if done.returncode != 0 or "Summary:" not in done.stderr:
        raise VoiceguideError(f"{path}: not an audio file ffmpeg can read")
    log = done.stderr
    points = [(float(t), _reading(m)) for t, m in _MOMENTARY.findall(log)]
    summary = log[log.rindex("Summary:") :]
    integrated, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    return LoudnessReading(
        _reading(integrated[1]) if integrated else -math.inf,
        _reading(peak[1]) if peak else -math.inf,
        tuple(t for t, _ in points),
        tuple(m for _, m in points),
    )


def _reading(text: str) -> float:
    return -math.inf if text in ("-inf", "nan") else float(text)


def decode_to_file(
    source: Path, destination: Path, max_seconds: float, timeout_s: float = DECODE_TIMEOUT_S
) -> None:
    """The first ``max_seconds`` of ``source`` as the session's raw PCM (s16le stereo at 44.1 kHz)
    in ``destination``, written atomically; a file ffmpeg cannot read is the user's error, named."""
    handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    os.close(handle)
    try:
        _decode(source, name, timeout_s, max_seconds)
        if os.path.getsize(name) == 0:
            raise VoiceguideError(f"{source}: {_NOT_AUDIO} (no audio in it); {_READABLE}")
        with open(name, "rb") as written:
            os.fsync(written.fileno())  # whole on disk before it takes its name
        os.replace(name, destination)
    finally:
        Path(name).unlink(missing_ok=True)


def decode_to_bytes(source: Path, max_seconds: float, timeout_s: float = DECODE_TIMEOUT_S) -> bytes:
    """The first ``max_seconds`` of ``source`` as the session's raw PCM, for short sounds."""
    return _decode(source, "pipe:1", timeout_s, max_seconds)


def _decode(source: Path, output: str, timeout_s: float, max_seconds: float | None = None) -> bytes:
    # Only a local file, only as audio (see AUDIO_DEMUXERS). The "file:" prefix keeps a name that
    # starts with "-" or holds a ":" from being read as anything else.
    command = [require_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-protocol_whitelist", "file", "-format_whitelist", AUDIO_DEMUXERS,
               "-i", f"file:{source.absolute()}", "-vn",
               *(["-t", f"{max_seconds:g}"] if max_seconds else []),
               "-f", "s16le", "-ar", str(SAMPLE_RATE_HZ), "-ac", str(CHANNELS), output]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise VoiceguideError(f"{source}: decoding took over {timeout_s:g} s; {_READABLE}") from None
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["no audio in it"])[-1]
        raise VoiceguideError(f"{source}: {_NOT_AUDIO} ({reason}); {_READABLE}")
    return done.stdout
