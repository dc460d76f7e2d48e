"""Options shared by several commands, each group folded into the one value the pipeline takes:
how a session is shaped, which voice speaks, what sounds mark time, what file is written."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from voiceguide.chimes import CHIME_SOUNDS, DEFAULT_CHIME
from voiceguide.durations import parse_seconds
from voiceguide.encoding import AUDIO_FORMATS
from voiceguide.fitting import FitRequest
from voiceguide.music import AMBIENT, NO_MUSIC
from voiceguide.narration import PACES
from voiceguide.pipeline import FileChoice, SessionShape, SoundChoice
from voiceguide.speech import AUTO, VoiceChoice

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def parse_pins(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, float], ...]:
    pins = []
    for value in values:
        name, _, duration = value.partition("=")
        try:
            pins.append((name.strip(), parse_seconds(duration)))
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: write NAME=DURATION, like eyes=3m ({error})") from None
    return tuple(pins)


def milliseconds_up_to(longest: str) -> Callable[[click.Context, click.Parameter, str], int]:
    """A callback reading a duration option as milliseconds, from 0 to ``longest`` (e.g. "3h")."""
    limit_s = parse_seconds(longest)

    def milliseconds(ctx: click.Context, param: click.Parameter, value: str) -> int:
        try:
            seconds = parse_seconds(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
        if not 0 <= seconds <= limit_s:
            raise click.BadParameter(f"{value!r} must be from 0 to {longest}")
        return round(seconds * 1000)

    return milliseconds


def _folded(options: list[Decorator], fold: Callable[..., dict[str, Any]]) -> Decorator:
    """Apply ``options`` to a command and hand it what ``fold`` makes of their values instead."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def with_folded(**kwargs: Any) -> Any:
            return command(**fold(kwargs))

        decorated: Callable[..., Any] = with_folded
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


def _fold_shape(kwargs: dict[str, Any]) -> dict[str, Any]:
    pace, rate = PACES[kwargs.pop("pace")], kwargs.pop("rate")
    fit = FitRequest(
        minutes=kwargs.pop("minutes"),
        pins=kwargs.pop("pins"),
        skips=kwargs.pop("skips"),
        lead_in_ms=kwargs.pop("lead_in_ms"),
    )
    pace = pace if rate is None else replace(pace, rate_wpm=rate)
    ticks = kwargs.pop("ticks") == "on"
    return {**kwargs, "shape": SessionShape(fit, pace, ticks)}


session_shape = _folded(
    [
        click.option("--minutes", type=float, help="Session length in minutes (decimals allowed); "
                     "steps keep their proportions. Default: the routine's own length."),
        click.option("--step", "pins", multiple=True, callback=parse_pins, metavar="NAME=DURATION",
                     help="Fix one step's length, e.g. --step eyes=3m; the rest share the time. Repeatable."),
        click.option("--skip", "skips", multiple=True, metavar="NAME", help="Leave a step out. Repeatable."),
        click.option("--pace", type=click.Choice(list(PACES)), default="normal", show_default=True,
                     help="Speaking speed and how often reminders come."),
        click.option("--rate", type=click.IntRange(60, 400), help="Speaking rate in words a minute of "
                     f"voiced time, the same in every voice (default: the pace's, {PACES['normal'].rate_wpm} "
                     "for normal)."),
        click.option("--lead-in", "lead_in_ms", callback=milliseconds_up_to("5m"), metavar="DURATION",
                     default="0",
                     help="Quiet time before the first step, ended by a soft tone, e.g. --lead-in 10s. "
                     "Counted in --minutes."),
        click.option("--ticks", type=click.Choice(["on", "off"]), default="on", show_default=True,
                     help="Counted strokes (moves with strokes: in the routine) are paced by a soft "
                     "tick on each stroke; off: the voice counts them instead."),
        click.option("--lang", "language", metavar="CODE",
                     help="Narration and voice language, e.g. en or fr (default: the routine's)."),
    ],
    _fold_shape,
)  # fmt: skip
"""The options that shape a session, shared by `render` and `show`: passed on as ``shape`` (and
``language``)."""

routine_argument = click.argument("routine", metavar="ROUTINE")


def chosen_voice(engine: str, voice: str | None, voice_model: Path | None) -> VoiceChoice:
    """The voice the options name; a Piper voice file means the Piper engine unless one is named."""
    if voice_model is None:
        return VoiceChoice(engine=engine, voice=voice)
    model = str(voice_model.expanduser().resolve())
    return VoiceChoice(engine="piper" if engine == AUTO else engine, voice=model)


def _fold_voice(kwargs: dict[str, Any]) -> dict[str, Any]:
    choice = chosen_voice(kwargs.pop("engine"), kwargs.pop("voice"), kwargs.pop("voice_model"))
    return {**kwargs, "voice": choice}


voice_options = _folded(
    [
        click.option("--engine", default=AUTO, show_default=True,
                     help="Speech engine: auto (the natural Piper voice when installed, else the "
                     "system voice), piper or pyttsx3. See `voiceguide voices`."),
        click.option("--voice", help="Voice id, name or language code (see `voiceguide voices`)."),
        click.option("--voice-model", type=click.Path(dir_okay=False, path_type=Path),
                     help="A Piper voice file (.onnx, its .onnx.json beside it) to speak with."),
    ],
    _fold_voice,
)  # fmt: skip
"""Which voice speaks, for `render`: passed on as one VoiceChoice."""


def _fold_sound(kwargs: dict[str, Any]) -> dict[str, Any]:
    chime = None if kwargs.pop("no_chimes") else kwargs.pop("chime")
    kwargs.pop("chime", None)
    sound = SoundChoice(chime=chime, bell_every_ms=kwargs.pop("bell_every_ms"), music=kwargs.pop("music"))
    return {**kwargs, "sound": sound}


sound_options = _folded(
    [
        click.option("--chime", default=DEFAULT_CHIME, show_default=True,
                     metavar="|".join([*CHIME_SOUNDS, "FILE"]),
                     help="The sound at the start of each step: "
                     + "; ".join(f"{name}, {sound}" for name, sound in CHIME_SOUNDS.items())
                     + "; or a sound file of yours. The session always ends with its own closing chime."),
        click.option("--bell-every", "bell_every_ms", callback=milliseconds_up_to("3h"), default="0",
                     metavar="DURATION",
                     help="A soft bell this often inside each step, e.g. --bell-every 30s (never on top of "
                     "speech)."),
        click.option("--no-chimes", is_flag=True, help="No chimes or bells, only the voice (and the ticks "
                     "of counted strokes; see --ticks)."),
        click.option("--music", default=NO_MUSIC, show_default=True, metavar="none|ambient|FILE",
                     help=f"Background under the voice: {NO_MUSIC}, {AMBIENT} (a soft generated bed), or "
                     "an audio file of yours (MP3, OGG, FLAC, WAV, M4A), looped to the session's length. "
                     "It dips while the voice speaks."),
    ],
    _fold_sound,
)  # fmt: skip
"""What marks time and plays under the voice, for `render`: passed on as one SoundChoice."""


def _fold_file(kwargs: dict[str, Any]) -> dict[str, Any]:
    subtitles = tuple(dict.fromkeys(kwargs.pop("subtitles")))
    asked = FileChoice(kwargs.pop("audio_format") or "", int(kwargs.pop("bitrate")), subtitles)
    return {**kwargs, "file": asked}


file_options = _folded(
    [
        click.option("--format", "audio_format", type=click.Choice(list(AUDIO_FORMATS)), default=None,
                     help="mp3 (the default; every phone plays it), or m4b/m4a: AAC with chapters and "
                     "cover for Apple Books and audiobook players. Default: from -o's extension, else mp3."),
        click.option("--bitrate", type=click.Choice(["96", "128", "192"]), default="128", show_default=True,
                     help="MP3 bit rate in kbps (constant, so phones seek to chapters exactly)."),
        click.option("--subtitles", type=click.Choice(["srt", "vtt"]), multiple=True,
                     help="Also write the narration as timed subtitles beside the MP3 (NAME.srt or "
                     "NAME.vtt, for video editors and players; timed as the .lrc). Repeatable."),
    ],
    _fold_file,
)  # fmt: skip
"""The file a render writes, for `render`: passed on as one FileChoice (an empty format: from -o's
name)."""
