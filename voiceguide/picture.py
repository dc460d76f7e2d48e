"""A picture of a finished session: its loudness over time, the steps as labelled bands, the cues.

Everything is read back from the MP3 itself (ffmpeg's EBU R128 meter, the ID3 chapters and timed
lyrics), so the picture shows the file as a phone will play it, not the plan. Drawing needs
matplotlib, an optional extra: ``pip install 'voiceguide[plot]'``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import ID3

from voiceguide.errors import MissingToolError, VoiceguideError
from voiceguide.ffmpeg import require_ffmpeg
from voiceguide.files import atomic_output

# ffmpeg's meter reports momentary loudness every 100 ms; it reads -120 in digital silence.
QUIETEST_SHOWN_LUFS = -60.0
TARGET_LUFS = -16.0
_MOMENTARY = re.compile(r"t:\s*([\d.]+)\s+TARGET:.*?M:\s*(-?[\d.]+|-inf|nan)")
_BAND_COLOURS = ("#e8efe4", "#f4ece0")
_CURVE_COLOUR = "#4f6d5a"
_CUE_COLOUR = "#b0674f"


@dataclass(frozen=True)
class Band:
    title: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class SessionPicture:
    """What the picture shows, read from the file."""

    title: str
    seconds: tuple[float, ...]
    momentary_lufs: tuple[float, ...]
    integrated_lufs: float
    true_peak_dbtp: float
    steps: tuple[Band, ...]
    cues_s: tuple[float, ...]


def read_session(mp3: Path) -> SessionPicture:
    """Loudness over time from ffmpeg's meter; steps and cues from the file's tags."""
    seconds, momentary, integrated, peak = _measure(mp3)
    title, steps, cues = _read_tags(mp3, seconds[-1] if seconds else 0.0)
    return SessionPicture(title, seconds, momentary, integrated, peak, steps, cues)


def draw_session(mp3: Path, png: Path) -> SessionPicture:
    """Write the picture of ``mp3`` to ``png`` (atomically) and return what it shows."""
    pyplot = _pyplot()
    picture = read_session(mp3)
    figure = _figure(pyplot, picture)
    with atomic_output(png) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
    pyplot.close(figure)
    return picture


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no window, works without a display
        from matplotlib import pyplot
    except ImportError:
        raise MissingToolError(
            "drawing a session needs matplotlib; install it with: pip install 'voiceguide[plot]'"
        ) from None
    return pyplot


def _measure(mp3: Path) -> tuple[tuple[float, ...], tuple[float, ...], float, float]:
    command = [require_ffmpeg(), "-hide_banner", "-nostdin", "-nostats", "-i", str(mp3),
               "-filter_complex", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if done.returncode != 0 or "Summary:" not in done.stderr:
        raise VoiceguideError(f"{mp3}: not an audio file ffmpeg can read")
    log = done.stderr
    points = [(float(t), _shown(m)) for t, m in _MOMENTARY.findall(log)]
    summary = log[log.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    return (
        tuple(t for t, _ in points),
        tuple(m for _, m in points),
        float(integrated[1]) if integrated else float("-inf"),
        float(peak[1]) if peak else float("-inf"),
    )


def _shown(momentary: str) -> float:
    value = float(momentary) if momentary not in ("-inf", "nan") else QUIETEST_SHOWN_LUFS
    return max(QUIETEST_SHOWN_LUFS, value)


def _read_tags(mp3: Path, length_s: float) -> tuple[str, tuple[Band, ...], tuple[float, ...]]:
    try:
        tags = ID3(mp3)
    except MutagenError:
        return mp3.stem, (), ()  # an MP3 made elsewhere: loudness only
    title = str(tags["TIT2"].text[0]) if "TIT2" in tags else mp3.stem
    chapters = sorted(tags.getall("CHAP"), key=lambda chapter: chapter.start_time)
    steps = tuple(
        Band(str(c.sub_frames["TIT2"].text[0]) if "TIT2" in c.sub_frames else c.element_id,
             c.start_time / 1000, min(c.end_time / 1000, length_s or c.end_time / 1000))
        for c in chapters
    )  # fmt: skip
    lyrics = tags.getall("SYLT")
    cues = tuple(sorted({ms / 1000 for _, ms in lyrics[0].text})) if lyrics else ()
    return title, steps, cues


def _figure(pyplot: Any, picture: SessionPicture) -> Any:
    figure, axes = pyplot.subplots(figsize=(13, 4.6))
    _draw_steps(axes, picture.steps)
    axes.fill_between(picture.seconds, QUIETEST_SHOWN_LUFS, picture.momentary_lufs,
                      color=_CURVE_COLOUR, alpha=0.55, linewidth=0, label="loudness (momentary)")  # fmt: skip
    axes.axhline(TARGET_LUFS, color=_CURVE_COLOUR, linestyle="--", linewidth=0.8, label="-16 LUFS")
    axes.vlines(picture.cues_s, QUIETEST_SHOWN_LUFS, QUIETEST_SHOWN_LUFS + 4,
                color=_CUE_COLOUR, linewidth=1.0, label="spoken line")  # fmt: skip
    if picture.steps:
        axes.plot([step.start_s for step in picture.steps], [-1.0] * len(picture.steps), linestyle="none",
                  marker="v", color=_CUE_COLOUR, label="chime (step start)")  # fmt: skip
    length_s = picture.seconds[-1] if picture.seconds else 1
    axes.set_xlim(0, length_s)
    axes.xaxis.set_major_locator(pyplot.MultipleLocator(_tick_seconds(length_s)))
    axes.set_ylim(QUIETEST_SHOWN_LUFS, 0)
    axes.set_ylabel("loudness (LUFS)")
    axes.xaxis.set_major_formatter(pyplot.FuncFormatter(lambda s, _: f"{int(s) // 60}:{int(s) % 60:02d}"))
    axes.set_xlabel("time (min:s)")
    axes.set_title(
        f"{picture.title}: {picture.integrated_lufs:.1f} LUFS integrated, "
        f"true peak {picture.true_peak_dbtp:.1f} dBTP",
        loc="left",
    )
    axes.legend(loc="lower right", fontsize=8, framealpha=0.9)
    figure.tight_layout()
    return figure


def _tick_seconds(length_s: float) -> int:
    """A tick every minute for short sessions, fewer for long ones (about ten to fifteen in all)."""
    return (
        next(step for step in (60, 120, 300, 600, 900) if length_s / step <= 15)
        if length_s < 13_500
        else 1800
    )


def _draw_steps(axes: Any, steps: tuple[Band, ...]) -> None:
    for number, step in enumerate(steps):
        axes.axvspan(step.start_s, step.end_s, color=_BAND_COLOURS[number % 2], zorder=0)
        axes.axvline(step.start_s, color="#9aa59a", linewidth=0.6, zorder=1)
        axes.text((step.start_s + step.end_s) / 2, -3, step.title, ha="center", va="top",
                  fontsize=8, rotation=0 if step.end_s - step.start_s > 50 else 90, wrap=True)  # fmt: skip
