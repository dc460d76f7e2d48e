"""Options shared by several commands: how a session is shaped, which voice speaks, durations."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from voiceguide.durations import parse_seconds
from voiceguide.fitting import FitRequest
from voiceguide.narration import PACES
from voiceguide.speech import DEFAULT_ENGINE, VoiceSettings


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


def milliseconds(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        seconds = parse_seconds(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if seconds < 0:
        raise click.BadParameter(f"{value!r} must not be negative")
    return round(seconds * 1000)


def session_shape(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that shape a session, shared by `render` and `show`; passed on as fit and pace."""
    options = [
        click.option("--minutes", type=float, help="Session length in minutes (decimals allowed); "
                     "steps keep their proportions. Default: the routine's own length."),
        click.option("--step", "pins", multiple=True, callback=parse_pins, metavar="NAME=DURATION",
                     help="Fix one step's length, e.g. --step eyes=3m; the rest share the time. Repeatable."),
        click.option("--skip", "skips", multiple=True, metavar="NAME", help="Leave a step out. Repeatable."),
        click.option("--pace", type=click.Choice(list(PACES)), default="normal", show_default=True,
                     help="Speaking speed and how often reminders come."),
        click.option("--rate", type=click.IntRange(60, 400), help="Speaking rate in words per minute "
                     "(default: the pace's, 150 for normal)."),
        click.option("--lead-in", "lead_in_ms", callback=milliseconds, metavar="DURATION", default="0",
                     help="Quiet time before the first step, ended by a soft tone, e.g. --lead-in 10s. "
                     "Counted in --minutes."),
        click.option("--ticks", type=click.Choice(["on", "off"]), default="on", show_default=True,
                     help="Counted strokes (moves with strokes: in the routine) are paced by a soft "
                     "tick on each stroke; off: the voice counts them instead."),
    ]  # fmt: skip

    @functools.wraps(command)
    def with_shape(minutes: float | None, pins: Any, skips: tuple[str, ...], pace: str, rate: int | None,
                   lead_in_ms: int, ticks: str, **kwargs: Any) -> Any:  # fmt: skip
        chosen = PACES[pace] if rate is None else replace(PACES[pace], rate_wpm=rate)
        fit = FitRequest(minutes=minutes, pins=pins, skips=skips, lead_in_ms=lead_in_ms)
        return command(fit=fit, pace=chosen, ticks=ticks == "on", **kwargs)

    for option in reversed(options):
        with_shape = option(with_shape)
    return with_shape


routine_argument = click.argument("routine", metavar="ROUTINE")


def chosen_voice(engine: str, voice: str | None, voice_model: Path | None) -> VoiceSettings:
    """The voice the options name; a Piper voice file means the Piper engine unless one is named."""
    if voice_model is None:
        return VoiceSettings(engine=engine, voice=voice)
    return VoiceSettings(
        engine="piper" if engine == DEFAULT_ENGINE else engine, voice=str(voice_model.expanduser().resolve())
    )


def voice_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Which voice speaks and in what language, for `render`; passed on as one VoiceSettings."""
    options = [
        click.option("--engine", default=DEFAULT_ENGINE, show_default=True,
                     help="Speech engine: auto (the natural Piper voice when installed, else the "
                     "system voice), piper or pyttsx3. See `voiceguide voices`."),
        click.option("--voice", help="Voice id, name or language code (see `voiceguide voices`)."),
        click.option("--voice-model", type=click.Path(dir_okay=False, path_type=Path),
                     help="A Piper voice file (.onnx, its .onnx.json beside it) to speak with."),
        click.option("--lang", "language", metavar="CODE",
                     help="Narration and voice language, e.g. en or fr (default: the routine's)."),
    ]  # fmt: skip

    @functools.wraps(command)
    def with_voice(engine: str, voice: str | None, voice_model: Path | None, **kwargs: Any) -> Any:
        return command(voice=chosen_voice(engine, voice, voice_model), **kwargs)

    for option in reversed(options):
        with_voice = option(with_voice)
    return with_voice
