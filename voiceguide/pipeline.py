"""The stages in order: routine -> plan -> script -> clips -> timeline -> PCM -> file + tags + sidecars."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceguide.arranging import TimelineBuilder
from voiceguide.assets import asset_path
from voiceguide.caches import prune as prune_caches
from voiceguide.caches import render_running
from voiceguide.chimes import DEFAULT_CHIME, Chimes, load_chimes
from voiceguide.encoding import DEFAULT_BITRATE_KBPS, encode_session
from voiceguide.ffmpeg import require_ffmpeg
from voiceguide.files import atomic_output, prepare_output_folder, sweep_leftovers, user_cache_dir
from voiceguide.fitting import FitRequest, StepNeeds, fit_to_length, pinned_ms, without_skipped
from voiceguide.mixing import background_gain_db, mix_pcm, window_count
from voiceguide.music import NO_MUSIC, Background, load_background
from voiceguide.narration import PACES, Pace, Script, estimate_speech_ms, narrate, step_minimums_ms
from voiceguide.routine import Routine
from voiceguide.routines import user_pronunciations
from voiceguide.sidecars import write_sidecars
from voiceguide.speech import Clip, ClipCache, ClipSupply, VoiceChoice, VoiceSettings, voice_settings
from voiceguide.tags import SessionTags, write_tags
from voiceguide.timeline import Timeline


class Progress:
    """Told how far a render is; the CLI draws it, the studio streams it, the library stays quiet
    by default. Any of its calls may raise to stop the render (it then cleans up as on Ctrl-C)."""

    def stage(self, label: str, total: int) -> Callable[[], None]:
        """Start a stage of ``total`` units; returns the function to call as each is done."""
        return lambda: None

    def clips(self, total: int) -> Callable[[], None]:
        """The render takes ``total`` spoken clips (made now or found in the cache); returns the
        function to call as each is ready."""
        return lambda: None

    def finish(self) -> None:
        """The render is over (finished or failed)."""


@dataclass(frozen=True)
class SessionShape:
    """What the cue sheet depends on: the length and steps asked, the pace, how strokes are paced."""

    fit: FitRequest = field(default_factory=FitRequest)
    pace: Pace = PACES["normal"]
    """The speaking rate and how often reminders come."""
    ticks: bool = True
    """Counted strokes are paced by a soft tick; False counts them aloud instead."""


@dataclass(frozen=True)
class SoundChoice:
    """What marks time and what plays under the voice."""

    chime: str | None = DEFAULT_CHIME
    """A chime name (``bell``, ``bowl``, ``wood``), a sound file's path, or None for no chimes."""
    bell_every_ms: int = 0
    """A soft bell this often inside steps (0: none)."""
    music: str = NO_MUSIC
    """The background: ``none``, ``ambient`` or the path of an audio file."""


@dataclass(frozen=True)
class FileChoice:
    """The file a render writes, beside the .lrc it always writes."""

    audio_format: str = "mp3"
    """``mp3``, or ``m4b``/``m4a``: AAC with a chapter track, for audiobook players."""
    bitrate_kbps: int = DEFAULT_BITRATE_KBPS
    subtitles: tuple[str, ...] = ()
    """Subtitle files to write beside the session: ``srt``, ``vtt``."""


@dataclass(frozen=True)
class RenderOptions:
    output: Path
    shape: SessionShape = field(default_factory=SessionShape)
    voice: VoiceChoice = field(default_factory=VoiceChoice)
    language: str | None = None
    """The narration and voice language; None uses the routine's own."""
    sound: SoundChoice = field(default_factory=SoundChoice)
    file: FileChoice = field(default_factory=FileChoice)
    cache_dir: Path = field(default_factory=user_cache_dir)
    """Where spoken clips and decoded music are kept between renders."""
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


def plan_script(routine: Routine, shape: SessionShape, language: str | None = None) -> Script:
    """What will be said and when, without making any audio (for ``show`` and ``check``)."""
    fit, pace = shape.fit, shape.pace
    chosen = without_skipped(routine, fit.skips) if fit.skips else routine
    minimums_ms = step_minimums_ms(chosen, pace, language)
    wanted_ms = step_minimums_ms(chosen, pace, language, every_stroke=True) if chosen.counts_strokes else None
    pins_ms = pinned_ms(chosen, fit.pins)
    needs = [
        StepNeeds(minimum_ms, wanted_ms[index] if wanted_ms else None, pins_ms.get(index))
        for index, minimum_ms in enumerate(minimums_ms)
    ]
    plan = fit_to_length(chosen, fit.minutes, needs, fit.lead_in_ms)
    return narrate(plan, pace, language, shape.ticks)


def render_session(
    routine: Routine, options: RenderOptions, progress: Progress | None = None
) -> RenderResult:
    """Render the session to ``options.output`` (and its .lrc), clips spoken while mixing runs."""
    progress = progress or Progress()
    require_ffmpeg()
    prepare_output_folder(options.output)
    sweep_leftovers(options.output.parent)  # what renders killed outright left there
    language = options.language or routine.language
    voice = voice_settings(options.voice, language, options.shape.pace.rate_wpm, _pronunciations(routine))
    script = plan_script(routine, options.shape, language)
    try:
        with render_running(options.cache_dir), _clip_supply(voice, options) as clips:
            # In the order heard, which is the order mixing takes them: the last clip made is the
            # closing line, so little audio is left to encode once speech is done.
            clips.start(script.spoken_texts(), needed_first=script.spoken_texts(step_index=0))
            # Read while the first clips are spoken; a bad music or chime file still stops the
            # render before any audio is written.
            background = _levelled_background(options, script)
            clip_for = _counted_clips(clips.get, progress.clips(len(script.spoken_texts())))
            builder = TimelineBuilder(script, clip_for, _chimes(options, routine, script), background)
            with atomic_output(options.output) as temporary:
                windows = _counted(
                    mix_pcm(builder), progress.stage("Rendering", window_count(script.total_ms))
                )
                # The chapters are known before any audio: the steps' times are fixed.
                file = options.file
                encode_session(windows, temporary, file.audio_format, file.bitrate_kbps, script.chapters)
                timeline = builder.timeline()
                write_tags(temporary, timeline, _session_tags(routine, timeline), file.audio_format)
    finally:
        progress.finish()
    lyrics, *subtitles = write_sidecars(options.output, timeline, options.file.subtitles)
    prune_caches(options.cache_dir)
    return RenderResult(options.output, lyrics, timeline, clips.synthesized, tuple(subtitles))


def _pronunciations(routine: Routine) -> tuple[tuple[str, str], ...]:
    """The user's own entries, then the routine's over them (it knows its own words best)."""
    return tuple({**user_pronunciations(), **routine.pronunciations}.items())


def _clip_supply(voice: VoiceSettings, options: RenderOptions) -> ClipSupply:
    return ClipSupply(voice, ClipCache(options.cache_dir / "clips"), options.speech_cores)


def _chimes(options: RenderOptions, routine: Routine, script: Script) -> Chimes | None:
    return load_chimes(
        options.sound.chime,
        lead_in=script.lead_in_ms > 0,
        bell_every_ms=options.sound.bell_every_ms,
        tick=options.shape.ticks and routine.counts_strokes,
    )


def _levelled_background(options: RenderOptions, script: Script) -> Background | None:
    background = load_background(options.sound.music, options.cache_dir / "music")
    if background is None:
        return None
    rate_wpm = options.shape.pace.rate_wpm
    speaking_ms = sum(estimate_speech_ms(cue.text, rate_wpm) for cue in script.cues)
    return replace(background, gain_db=background_gain_db(background, speaking_ms / script.total_ms))


def _counted_clips(get: Callable[[str], Clip], tick: Callable[[], None]) -> Callable[[str], Clip]:
    """``get``, ticking once per distinct text (a line a session says twice is one clip)."""
    ready: set[str] = set()

    def clip_for(text: str) -> Clip:
        clip = get(text)
        if text not in ready:
            ready.add(text)
            tick()
        return clip

    return clip_for


def _counted(windows: Iterable[bytes], tick: Callable[[], None]) -> Iterator[bytes]:
    for window in windows:
        yield window
        tick()


def _session_tags(routine: Routine, timeline: Timeline) -> SessionTags:
    minutes = round(timeline.total_ms / 60_000, 1)
    return SessionTags(
        title=f"{routine.name} ({minutes:g} min)",
        album="voiceguide sessions",
        cover_png=asset_path("cover.png").read_bytes(),
    )
