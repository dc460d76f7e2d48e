"""The stages in order: routine -> plan -> script -> clips -> timeline -> PCM -> MP3 + tags."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceguide.arranging import TimelineBuilder
from voiceguide.assets import asset_path
from voiceguide.chimes import DEFAULT_CHIME, load_chimes
from voiceguide.encoding import DEFAULT_BITRATE_KBPS, encode_session
from voiceguide.ffmpeg import require_ffmpeg
from voiceguide.files import atomic_output, prepare_output_folder
from voiceguide.fitting import FitRequest, fit_to_length, pinned_ms, without_skipped
from voiceguide.mixing import background_gain_db, mix_pcm, window_count
from voiceguide.music import NO_MUSIC, Background, load_background
from voiceguide.narration import PACES, Pace, Script, estimate_speech_ms, narrate, step_minimums_ms
from voiceguide.routine import Routine
from voiceguide.sidecars import write_sidecars
from voiceguide.speech import ClipCache, ClipSupply, VoiceSettings, pick_engine
from voiceguide.tags import SessionTags, write_tags
from voiceguide.timeline import Timeline


class Progress:
    """Told how far a render is; the CLI draws it, the library stays quiet by default."""

    def stage(self, label: str, total: int) -> Callable[[], None]:
        """Start a stage of ``total`` units; returns the function to call as each is done."""
        return lambda: None

    def finish(self) -> None:
        """The render is over (finished or failed)."""


@dataclass(frozen=True)
class RenderOptions:
    output: Path
    voice: VoiceSettings
    fit: FitRequest = field(default_factory=FitRequest)
    pace: Pace = PACES["normal"]
    """Reminder spacing; the speaking rate is ``voice.rate_wpm``."""
    chime: str | None = DEFAULT_CHIME
    """A chime name (``bell``, ``bowl``, ``wood``), a sound file's path, or None for no chimes."""
    bell_every_ms: int = 0
    """A soft bell this often inside steps (0: none)."""
    music: str = NO_MUSIC
    """The background: ``none``, ``ambient`` or the path of an audio file."""
    bitrate_kbps: int = DEFAULT_BITRATE_KBPS
    cache_dir: Path | None = None
    language: str | None = None
    """The narration and voice language; None uses the routine's own."""
    subtitles: tuple[str, ...] = ()
    """Subtitle files to write beside the MP3: ``srt``, ``vtt``."""
    ticks: bool = True
    """Counted strokes are paced by a soft tick; False counts them aloud instead."""
    audio_format: str = "mp3"
    """``mp3``, or ``m4b``/``m4a``: AAC with a chapter track, for audiobook players."""
    speech_cores: int | None = None
    """How many cores the speech engine may use (None: the machine's); ``render_many`` shares
    them out among the renders it runs at once."""


@dataclass(frozen=True)
class RenderResult:
    mp3: Path
    lyrics: Path
    timeline: Timeline
    clips_synthesized: int
    subtitles: tuple[Path, ...] = ()


def plan_script(
    routine: Routine, fit: FitRequest, pace: Pace, language: str | None = None, ticks: bool = True
) -> Script:
    """What will be said and when, without making any audio (for ``show`` and ``check``)."""
    chosen = without_skipped(routine, fit.skips) if fit.skips else routine
    minimums_ms = step_minimums_ms(chosen, pace, language)
    wanted_ms = step_minimums_ms(chosen, pace, language, every_stroke=True) if chosen.counts_strokes else None
    pins_ms = pinned_ms(chosen, fit.pins)
    plan = fit_to_length(chosen, fit.minutes, minimums_ms, pins_ms, fit.lead_in_ms, wanted_ms)
    return narrate(plan, pace, language, ticks)


def render_session(
    routine: Routine, options: RenderOptions, progress: Progress | None = None
) -> RenderResult:
    """Render the session to ``options.output`` (and its .lrc), clips spoken while mixing runs."""
    progress = progress or Progress()
    require_ffmpeg()
    prepare_output_folder(options.output)
    language = options.language or routine.language
    voice = replace(options.voice, language=language, engine=pick_engine(options.voice.engine, language))
    pace = replace(options.pace, rate_wpm=voice.rate_wpm)
    script = plan_script(routine, options.fit, pace, voice.language, options.ticks)
    try:
        with ClipSupply(voice, ClipCache(options.cache_dir), options.speech_cores) as clips:
            # In the order heard, which is the order mixing takes them: the last clip made is the
            # closing line, so little audio is left to encode once speech is done.
            clips.start(script.spoken_texts(), needed_first=script.spoken_texts(step_index=0))
            # Read while the first clips are spoken; a bad music or chime file still stops the
            # render before any audio is written.
            background = _levelled_background(options.music, script, voice.rate_wpm)
            chimes = load_chimes(
                options.chime,
                lead_in=script.lead_in_ms > 0,
                bell_every_ms=options.bell_every_ms,
                tick=options.ticks and routine.counts_strokes,
            )
            builder = TimelineBuilder(script, clips.get, chimes, background)
            timeline = _write_audio(builder, routine, options, progress)
    finally:
        progress.finish()
    lyrics, *subtitles = write_sidecars(options.output, timeline, options.subtitles)
    return RenderResult(options.output, lyrics, timeline, clips.synthesized, tuple(subtitles))


def _write_audio(
    builder: TimelineBuilder, routine: Routine, options: RenderOptions, progress: Progress
) -> Timeline:
    tick = progress.stage("Rendering", window_count(builder.total_ms))

    def windows_with_progress() -> Iterator[bytes]:
        for window in mix_pcm(builder):
            yield window
            tick()

    with atomic_output(options.output) as temporary:
        chapters = builder.script.chapters  # known before any audio: the steps' times are fixed
        encode_session(
            windows_with_progress(), temporary, options.audio_format, options.bitrate_kbps, chapters
        )
        timeline = builder.timeline()
        write_tags(temporary, timeline, _session_tags(routine, timeline), options.audio_format)
    return timeline


def _levelled_background(music: str, script: Script, rate_wpm: int) -> Background | None:
    background = load_background(music)
    if background is None:
        return None
    speaking_ms = sum(estimate_speech_ms(cue.text, rate_wpm) for cue in script.cues)
    return replace(background, gain_db=background_gain_db(background, speaking_ms / script.total_ms))


def _session_tags(routine: Routine, timeline: Timeline) -> SessionTags:
    minutes = round(timeline.total_ms / 60_000, 1)
    return SessionTags(
        title=f"{routine.name} ({minutes:g} min)",
        album="voiceguide sessions",
        cover_png=asset_path("cover.png").read_bytes(),
    )
