"""The narration beside the session file: synced lyrics (.lrc) and subtitles (.srt, .vtt), timed as
the lyrics inside the file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

from voiceguide.durations import format_clock
from voiceguide.files import write_text_atomically
from voiceguide.timeline import LyricLine, Timeline


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
    return lyrics_lrc(timeline.title, timeline.total_ms, timeline.lyrics)


def lyrics_lrc(title: str, total_ms: int, lines: Sequence[LyricLine]) -> str:
    # A bracket would end the tag early, and what follows it read as a line of its own.
    shown = title.replace("[", "(").replace("]", ")")
    header = [f"[ti:{shown}]", "[ar:voiceguide]", f"[length:{format_clock(total_ms)}]"]
    return "\n".join(header + [f"[{_lrc_time(line.at_ms)}]{line.text}" for line in lines]) + "\n"


# One timed line of an LRC file: [mm:ss.xx]text (the header's [ti:...] lines do not match).
_LRC_LINE = re.compile(r"\[(\d+):(\d\d)\.(\d\d)\](.*)")


def read_lrc(text: str) -> list[tuple[int, str]]:
    """(ms, sentence) for each timed line of LRC ``text``, as ``lyrics_lrc`` writes them."""
    found = (_LRC_LINE.fullmatch(line.strip()) for line in text.splitlines())
    return [(int(m[1]) * 60_000 + int(m[2]) * 1000 + int(m[3]) * 10, m[4]) for m in found if m]


def _srt_text(text: str) -> str:
    """SubRip has no escapes: an arrow in a cue would read as a timing line."""
    return text.replace("-->", "→")


def _vtt_text(text: str) -> str:
    """WebVTT reads <, > and & in a cue as markup (a step named "Cheeks <b>" would turn bold)."""
    return escape(text, quote=False)


# Subtitle formats that players and video editors read: (file header, the seconds' fraction mark,
# the cue text as the format writes it; SubRip has no escapes).
SUBTITLE_FORMATS = {
    "srt": ("", ",", _srt_text),
    "vtt": ("WEBVTT\n\n", ".", _vtt_text),
}


def subtitles_text(timeline: Timeline, kind: str) -> str:
    """The narration as timed subtitles (SubRip or WebVTT), one cue per sentence, timed as the .lrc."""
    return subtitles_of(timeline.lyrics, kind)


def subtitles_of(lines: Sequence[LyricLine], kind: str) -> str:
    header, mark, text_of = SUBTITLE_FORMATS[kind]
    # An empty cue would end its block at once: the next cue's number would be read as its text.
    said = [line for line in lines if line.text.strip()]
    cues = [
        f"{number}\n{_subtitle_time(line.at_ms, mark)} --> {_subtitle_time(line.end_ms, mark)}\n"
        f"{text_of(line.text)}\n"
        for number, line in enumerate(said, start=1)
    ]
    return header + "\n".join(cues)


def _subtitle_time(ms: int, mark: str) -> str:
    hours, rest_ms = divmod(ms, 3_600_000)
    minutes, rest_ms = divmod(rest_ms, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest_ms // 1000:02d}{mark}{rest_ms % 1000:03d}"


def npt_time(ms: int) -> str:
    """``hh:mm:ss.mmm``: Normal Play Time (RFC 2326), as Podlove Simple Chapters write a start."""
    return _subtitle_time(ms, ".")


def _lrc_time(ms: int) -> str:
    minutes, rest_ms = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest_ms // 1000:02d}.{rest_ms % 1000 // 10:02d}"
