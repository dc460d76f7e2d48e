"""The narration beside the session file: synced lyrics (.lrc) and subtitles (.srt, .vtt), timed as
the lyrics inside the file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from voiceguide.durations import format_clock
from voiceguide.files import write_text_atomically
from voiceguide.timeline import Timeline


def write_sidecars(session: Path, timeline: Timeline, subtitles: Sequence[str] = ()) -> tuple[Path, ...]:
    """The .lrc beside ``session``, then each subtitle kind asked for (``srt``, ``vtt``); their paths."""
    lyrics = session.with_suffix(".lrc")
    write_text_atomically(lyrics, lrc_text(timeline))
    written = [lyrics]
    for kind in subtitles:
        written.append(session.with_suffix(f".{kind}"))
        write_text_atomically(written[-1], subtitles_text(timeline, kind))
    return tuple(written)


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


def _lrc_time(ms: int) -> str:
    minutes, rest_ms = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest_ms // 1000:02d}.{rest_ms % 1000 // 10:02d}"
