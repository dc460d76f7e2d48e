"""Writing the session: MP3 encoding through ffmpeg, the .lrc sidecar, and atomic file writes."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from voiceguide.audio_format import CHANNELS, SAMPLE_RATE_HZ
from voiceguide.durations import format_clock
from voiceguide.errors import MissingToolError, VoiceguideError
from voiceguide.timeline import Timeline

# Constant bit rate: phones seek to chapter starts exactly only in CBR files.
DEFAULT_BITRATE_KBPS = 128
# Mixed windows waiting for the encoder: enough to keep it busy, few enough to bound memory.
WINDOWS_IN_FLIGHT = 3


def require_ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise MissingToolError(
            "ffmpeg is not installed; install it (sudo apt-get install ffmpeg, or brew install ffmpeg) "
            "or run ./scripts/demo"
        )
    return path


def prepare_output_folder(path: Path) -> None:
    """Make sure ``path`` can be written before any audio work starts."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise VoiceguideError(f"{path.parent}: cannot create the folder ({error.strerror})") from None
    if not os.access(path.parent, os.W_OK):
        raise VoiceguideError(f"{path.parent}: the folder is not writable; choose another --output")


@contextlib.contextmanager
def atomic_output(final: Path) -> Iterator[Path]:
    """A temporary path beside ``final``, renamed onto it only if the block finishes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # mkstemp makes the file private (0600); a finished session gets the usual permissions.
        temporary.chmod(0o666 & ~_current_umask())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def encode_mp3(
    pcm_chunks: Iterable[bytes], destination: Path, bitrate_kbps: int = DEFAULT_BITRATE_KBPS
) -> None:
    """Stream s16le stereo PCM into ffmpeg's LAME encoder, writing ``destination`` (no tags)."""
    command = [
        require_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(SAMPLE_RATE_HZ), "-ac", str(CHANNELS), "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
        # Tags are written afterwards by mutagen; the Xing header carries the exact length.
        "-id3v2_version", "0", "-write_xing", "1", "-f", "mp3", str(destination),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:
        encoder = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        assert encoder.stdin is not None
        try:
            _write_in_background(pcm_chunks, encoder.stdin)
        finally:
            encoder.stdin.close()
            status = encoder.wait()
        if status != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()
            raise VoiceguideError(f"ffmpeg could not encode {destination.name}: {' '.join(message[-2:])}")


def _write_in_background(chunks: Iterable[bytes], pipe: BinaryIO) -> None:
    """Write ``chunks`` to ``pipe`` from a thread of its own, so the next window is mixed while
    the encoder takes this one: a pipe holds 64 KiB, and writing in line would idle a core."""
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=WINDOWS_IN_FLIGHT)

    def write_pending() -> None:
        try:
            while (chunk := pending.get()) is not None:
                pipe.write(chunk)
        except BrokenPipeError:
            # The encoder stopped early; its exit status and message say why. Keep taking
            # chunks so the mixing side never waits on a full queue.
            while pending.get() is not None:
                pass

    writer = threading.Thread(target=write_pending, name="encoder-feed", daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            pending.put(chunk)
    finally:
        pending.put(None)
        writer.join()


def lrc_text(timeline: Timeline) -> str:
    """The narration as synced lyrics (LRC): a header, then one ``[mm:ss.xx]`` line per sentence."""
    header = [
        f"[ti:{timeline.title}]",
        "[ar:voiceguide]",
        f"[length:{format_clock(timeline.total_ms)}]",
    ]
    lines = [f"[{_lrc_time(line.at_ms)}]{line.text}" for line in timeline.lyrics]
    return "\n".join(header + lines) + "\n"


# Subtitle formats that players and video editors read: (file header, time format, fraction mark).
SUBTITLE_FORMATS = {
    "srt": ("", ","),
    "vtt": ("WEBVTT\n\n", "."),
}


def subtitles_text(timeline: Timeline, kind: str) -> str:
    """The narration as timed subtitles (SubRip or WebVTT), one cue per sentence, timed as the .lrc."""
    header, mark = SUBTITLE_FORMATS[kind]
    cues = [
        f"{number}\n{_subtitle_time(line.at_ms, mark)} --> {_subtitle_time(line.end_ms, mark)}\n{line.text}\n"
        for number, line in enumerate(timeline.lyrics, start=1)
    ]
    return header + "\n".join(cues)


def _subtitle_time(ms: int, mark: str) -> str:
    hours, rest_ms = divmod(ms, 3_600_000)
    minutes, rest_ms = divmod(rest_ms, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest_ms // 1000:02d}{mark}{rest_ms % 1000:03d}"


def write_text_atomically(path: Path, text: str) -> None:
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def _lrc_time(ms: int) -> str:
    minutes, rest_ms = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest_ms // 1000:02d}.{rest_ms % 1000 // 10:02d}"
