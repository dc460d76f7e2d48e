"""A picture of a finished session: its loudness over time, the steps as labelled bands, the cues.

Everything is read back from the file itself (ffmpeg's EBU R128 meter, the chapters and timed
lyrics in its tags), so the picture shows the file as a phone will play it, not the plan. Drawing
needs matplotlib, an optional extra: ``pip install 'voiceguide[plot]'``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceguide.delivery.sessions import SessionFile, read_session
from voiceguide.errors import DeliveryError, MissingToolError
from voiceguide.ffmpeg import read_loudness
from voiceguide.files import atomic_output
from voiceguide.loudness import SESSION_LUFS

# ffmpeg's meter reads -120 in digital silence: the picture's floor is well above that.
QUIETEST_SHOWN_LUFS = -60.0
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


def measure_session(path: Path) -> SessionPicture:
    """Loudness over time from ffmpeg's meter; steps and cues from the file's tags."""
    loudness = read_loudness(path)
    length_s = loudness.seconds[-1] if loudness.seconds else 0.0
    try:
        session: SessionFile | None = read_session(path)
    except DeliveryError:
        session = None  # audio made elsewhere, in a format with no tags of ours: loudness only
    momentary = tuple(max(QUIETEST_SHOWN_LUFS, lufs) for lufs in loudness.momentary_lufs)
    return SessionPicture(
        session.title if session else path.stem,
        loudness.seconds,
        momentary,
        loudness.integrated_lufs,
        loudness.true_peak_dbtp,
        _bands(session, length_s) if session else (),
        tuple(sorted({line.at_ms / 1000 for line in session.narration})) if session else (),
    )


def draw_session(path: Path, png: Path) -> SessionPicture:
    """Write the picture of ``path`` to ``png`` (atomically) and return what it shows."""
    pyplot = _pyplot()
    picture = measure_session(path)
    figure = _figure(pyplot, picture)
    with atomic_output(png) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
    pyplot.close(figure)
    return picture


def _bands(session: SessionFile, length_s: float) -> tuple[Band, ...]:
    """Each chapter, from its start to the next one's (the last to the end of the audio)."""
    starts = [chapter.start_ms / 1000 for chapter in session.chapters]
    ends = [*starts[1:], length_s or session.duration_ms / 1000][: len(starts)]
    chapters = session.chapters
    return tuple(Band(c.title, start, end) for c, start, end in zip(chapters, starts, ends, strict=True))


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


def _figure(pyplot: Any, picture: SessionPicture) -> Any:
    figure, axes = pyplot.subplots(figsize=(13, 4.6))
    _draw_steps(axes, picture.steps)
    axes.fill_between(picture.seconds, QUIETEST_SHOWN_LUFS, picture.momentary_lufs,
                      color=_CURVE_COLOUR, alpha=0.55, linewidth=0, label="loudness (momentary)")  # fmt: skip
    axes.axhline(
        SESSION_LUFS, color=_CURVE_COLOUR, linestyle="--", linewidth=0.8, label=f"{SESSION_LUFS:g} LUFS"
    )
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
