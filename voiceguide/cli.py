"""The ``voiceguide`` command: parses options, calls the pipeline, prints, maps errors to exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click

from voiceguide import __version__
from voiceguide.authoring import routine_json_schema, write_new_routine
from voiceguide.chimes import CHIME_SOUNDS, DEFAULT_CHIME
from voiceguide.cue_sheet import cue_sheet
from voiceguide.durations import format_clock, parse_seconds
from voiceguide.errors import EXIT_BAD_INPUT, VoiceguideError
from voiceguide.export import AUDIO_FORMATS
from voiceguide.fitting import FitRequest
from voiceguide.music import AMBIENT, NO_MUSIC
from voiceguide.narration import PACES, Pace
from voiceguide.picture import draw_session
from voiceguide.pipeline import (
    Progress,
    RenderOptions,
    RenderResult,
    plan_script,
    render_many,
    render_sample,
    render_session,
)
from voiceguide.routine import (
    builtin_names,
    load_routine,
    slugify,
    user_routine_names,
    user_routines_dir,
)
from voiceguide.speech import (
    AUTO,
    DEFAULT_ENGINE,
    DEFAULT_RATE_WPM,
    VoiceSettings,
    engine_names,
    get_engine,
    pick_engine,
)

EXIT_INTERRUPTED = 130


class _Commands(click.Group):
    """Prints a VoiceguideError as one line on stderr with its exit status: no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoiceguideError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)
        except OSError as error:
            # Writing where the user pointed us failed: a full disk, a read-only or missing folder.
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"error: {where}{error.strerror or error}; choose another --output folder", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted; no file was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)


class _BarProgress(Progress):
    """Progress bars on stderr, one per stage."""

    def __init__(self) -> None:
        self._bar: Any = None

    def stage(self, label: str, total: int) -> Callable[[], None]:
        self.finish()
        self._bar = click.progressbar(length=max(total, 1), label=label.ljust(20), file=sys.stderr)
        self._bar.__enter__()
        return lambda: self._bar.update(1)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voiceguide")
def cli() -> None:
    """Turn a facial-massage routine into a voice-guided MP3 session.

    A ROUTINE is the name of a routine (see `voiceguide list`) or the path of a routine file you
    wrote (YAML; `voiceguide new` starts one). Start with:

        voiceguide render daily

    then copy daily.mp3 to your phone, press play, and follow the voice.
    """


def _pin(
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


def _milliseconds(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        seconds = parse_seconds(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if seconds < 0:
        raise click.BadParameter(f"{value!r} must not be negative")
    return round(seconds * 1000)


def _session_shape(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that shape a session, shared by `render` and `show`; passed on as fit and pace."""
    options = [
        click.option("--minutes", type=float, help="Session length in minutes (decimals allowed); "
                     "steps keep their proportions. Default: the routine's own length."),
        click.option("--step", "pins", multiple=True, callback=_pin, metavar="NAME=DURATION",
                     help="Fix one step's length, e.g. --step eyes=3m; the rest share the time. Repeatable."),
        click.option("--skip", "skips", multiple=True, metavar="NAME", help="Leave a step out. Repeatable."),
        click.option("--pace", type=click.Choice(list(PACES)), default="normal", show_default=True,
                     help="Speaking speed and how often reminders come."),
        click.option("--rate", type=click.IntRange(60, 400), help="Speaking rate in words per minute "
                     "(default: the pace's, 150 for normal)."),
        click.option("--lead-in", "lead_in_ms", callback=_milliseconds, metavar="DURATION", default="0",
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


_routine_argument = click.argument("routine", metavar="ROUTINE")


def _voice_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Which voice speaks, shared by `render` and `voices`; passed on as one VoiceSettings."""
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
        if voice_model is not None:
            engine = "piper" if engine == DEFAULT_ENGINE else engine
            voice = str(voice_model.expanduser().resolve())
        return command(voice=VoiceSettings(engine=engine, voice=voice), **kwargs)

    for option in reversed(options):
        with_voice = option(with_voice)
    return with_voice


@cli.command()
@click.argument("routines", nargs=-1, metavar="ROUTINE...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the session (default: ROUTINE.mp3 in this folder, or .m4b with "
              "--format m4b). A .lrc lyrics file is written beside it.")  # fmt: skip
@click.option("--all", "every_routine", is_flag=True, help="Render every routine `voiceguide list` shows.")
@click.option("-d", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Folder for the MP3s when rendering several routines.")  # fmt: skip
@_session_shape
@_voice_options
@click.option("--chime", default=DEFAULT_CHIME, show_default=True, metavar="|".join([*CHIME_SOUNDS, "FILE"]),
              help="The sound at the start of each step: "
              + "; ".join(f"{name}, {sound}" for name, sound in CHIME_SOUNDS.items())
              + "; or a sound file of yours. The session always ends with its own closing "
              "chime.")  # fmt: skip
@click.option("--bell-every", "bell_every_ms", callback=_milliseconds, default="0", metavar="DURATION",
              help="A soft bell this often inside each step, e.g. --bell-every 30s (never on top of "
              "speech).")  # fmt: skip
@click.option("--no-chimes", is_flag=True, help="No chimes or bells, only the voice (and the ticks of "
              "counted strokes; see --ticks).")  # fmt: skip
@click.option("--music", default=NO_MUSIC, show_default=True, metavar="none|ambient|FILE",
              help=f"Background under the voice: {NO_MUSIC}, {AMBIENT} (a soft generated bed), or an "
              "audio file of yours (MP3, OGG, FLAC, WAV, M4A), looped to the session's length. "
              "It dips while the voice speaks.")  # fmt: skip
@click.option("--subtitles", type=click.Choice(["srt", "vtt"]), multiple=True,
              help="Also write the narration as timed subtitles beside the MP3 (NAME.srt or NAME.vtt, "
              "for video editors and players; timed as the .lrc). Repeatable.")  # fmt: skip
@click.option(
    "--format",
    "audio_format",
    type=click.Choice(list(AUDIO_FORMATS)),
    default=None,
    help="mp3 (the default; every phone plays it), or m4b/m4a: AAC with chapters and cover "
    "for Apple Books and audiobook players. Default: from -o's extension, else mp3.",
)
@click.option("--bitrate", type=click.Choice(["96", "128", "192"]), default="128", show_default=True,
              help="MP3 bit rate in kbps (constant, so phones seek to chapters exactly).")  # fmt: skip
def render(routines: tuple[str, ...], output: Path | None, every_routine: bool, output_dir: Path,
           fit: FitRequest, pace: Pace, ticks: bool, voice: VoiceSettings, language: str | None, chime: str,
           bell_every_ms: int, no_chimes: bool, music: str, subtitles: tuple[str, ...],
           audio_format: str | None, bitrate: str) -> None:  # fmt: skip
    """Render ROUTINE to an MP3 with chapters, lyrics and cover art.

    Several routines (or --all) are rendered in parallel, one per processor core.

    \b
    Examples:
      voiceguide render daily
      voiceguide render daily --minutes 20 -o long.mp3
      voiceguide render daily --step eyes=3m --skip neck
      voiceguide render jaw-release --pace slow
      voiceguide render daily --music ambient --chime bowl
      voiceguide render daily --music ~/Music/rain.mp3
      voiceguide render daily --subtitles srt
      voiceguide render daily --format m4b
      voiceguide render daily --engine pyttsx3 --voice en-gb --rate 140
      voiceguide render daily --lang fr
      voiceguide render daily --lead-in 10s --bell-every 30s
      voiceguide render jaw-release --ticks off
      voiceguide render --all -d sessions/
    """
    names = sorted({*builtin_names(), *user_routine_names()}) if every_routine else list(routines)
    if not names:
        raise click.UsageError("name a ROUTINE to render (see `voiceguide list`), or use --all")
    if output and len(names) > 1:
        raise click.UsageError("-o names one file; for several routines use --output-dir")
    audio_format = _output_format(audio_format, output)
    outputs = {name: output or output_dir / f"{Path(name).stem}.{audio_format}" for name in names}
    if len(set(outputs.values())) < len(names):
        raise click.UsageError("two routines would write the same file; render them to different folders")
    shared = RenderOptions(
        output=Path(),
        voice=replace(voice, rate_wpm=pace.rate_wpm),
        language=language,
        fit=fit,
        pace=pace,
        chime=None if no_chimes else chime,
        bell_every_ms=bell_every_ms,
        music=music,
        subtitles=tuple(dict.fromkeys(subtitles)),
        bitrate_kbps=int(bitrate),
        ticks=ticks,
        audio_format=audio_format,
    )
    if len(names) == 1:
        _report(
            render_session(
                load_routine(names[0], language), replace(shared, output=outputs[names[0]]), _BarProgress()
            )
        )
        return
    outcomes = render_many([(name, replace(shared, output=outputs[name])) for name in names], _report_one)
    failed = sum(isinstance(outcome, VoiceguideError) for outcome in outcomes)
    if failed:
        raise VoiceguideError(f"{failed} of {len(names)} routines were not rendered (see above)")


def _output_format(asked: str | None, output: Path | None) -> str:
    """The format asked, or the one -o's extension names, or MP3."""
    named = output.suffix.lower().lstrip(".") if output else ""
    if asked and named in AUDIO_FORMATS and named != asked:
        raise click.UsageError(f"-o {output} names a .{named} file but --format is {asked}; make them agree")
    return asked or (named if named in AUDIO_FORMATS else "mp3")


def _report(result: RenderResult) -> None:
    total_ms = result.timeline.total_ms
    click.echo(
        f"{len(result.timeline.chapters)} steps, {format_clock(total_ms)} ({total_ms / 1000:g} s), "
        f"{result.clips_synthesized} new clips; lyrics in {result.lyrics}",
        err=True,
    )
    click.echo(str(result.mp3))


def _report_one(name: str, outcome: RenderResult | VoiceguideError) -> None:
    if isinstance(outcome, VoiceguideError):
        click.echo(f"error: {name}: {outcome}", err=True)
    else:
        _report(outcome)


@cli.command("list")
def list_routines() -> None:
    """List the routines you can render by name: built-in ones and your own."""
    mine = user_routine_names()
    for name in sorted({*builtin_names(), *mine}):
        source = "yours" if name in mine else "built-in"
        try:
            routine = load_routine(name)
        except VoiceguideError as error:  # one broken file of yours should not hide the others
            click.echo(f"{name:<16} cannot be read: {error}", err=True)
            continue
        minutes = routine.minutes or routine.total_seconds / 60
        click.echo(
            f"{name:<16} {minutes:>4g} min  {len(routine.steps)} steps  {source:<8}  {routine.description}"
        )
    click.echo(f"\nYour own routines are read from {user_routines_dir()}", err=True)


@cli.command()
@_routine_argument
@_session_shape
@click.option("--lang", "language", metavar="CODE", help="Narration language, e.g. en or fr.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table to read, or JSON for scripts.")  # fmt: skip
def show(
    routine: str, fit: FitRequest, pace: Pace, ticks: bool, language: str | None, output_format: str
) -> None:
    """Print ROUTINE's cue sheet: when each step starts and what is said when, without rendering.

    Times are planned from an estimate of speaking speed; in the rendered file a spoken line may
    move by a second or two, a step start never.
    """
    script = plan_script(load_routine(routine, language), fit, pace, language, ticks=ticks)
    if output_format == "json":
        click.echo(json.dumps(asdict(script), indent=2, ensure_ascii=False))
    else:
        click.echo(cue_sheet(script, pace.rate_wpm))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
def check(files: tuple[Path, ...]) -> None:
    """Check routine files (YAML, fields, durations, narration templates) without rendering."""
    for file in files:
        routine = load_routine(str(file))
        script = plan_script(routine, FitRequest(), PACES["normal"])
        click.echo(f"ok: {file}: {routine.name}, {len(routine.steps)} steps, {format_clock(script.total_ms)}")


@cli.command()
@click.argument("name")
@click.option(
    "--from", "base", metavar="ROUTINE", help="Start from a copy of this routine (a name or a file)."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: NAME.yaml in this folder).")  # fmt: skip
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def new(name: str, base: str | None, output: Path | None, force: bool) -> None:
    """Write a new routine file NAME.yaml, commented, ready to edit.

    \b
    Examples:
      voiceguide new my-evening
      voiceguide new my-evening --from daily
    """
    path = output or Path(f"{slugify(name) or 'routine'}.yaml")
    title = name.replace("-", " ").replace("_", " ").strip().capitalize()
    write_new_routine(path, title, load_routine(base) if base else None, replace=force)
    click.echo(f"wrote {path}; edit it, then: voiceguide check {path}")


@cli.command()
def schema() -> None:
    """Print the routine format as JSON Schema, for editor completion and checks.

    \b
    voiceguide schema > routine.schema.json
    """
    click.echo(routine_json_schema())


@cli.command()
@click.option("--engine", type=click.Choice([AUTO, *engine_names()]), default=AUTO, show_default=True,
              help="The engine whose voices to list (auto: every engine).")  # fmt: skip
@click.option("--lang", help="Only voices for this language code (e.g. en, fr, en-gb).")
@click.option("--sample", metavar="TEXT", help="Speak TEXT with the chosen voice into a short MP3.")
@click.option("--voice", help="With --sample: the voice (id, name or language code).")
@click.option(
    "--voice-model",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --sample: a Piper voice file (.onnx).",
)
@click.option(
    "--rate",
    type=click.IntRange(60, 400),
    default=DEFAULT_RATE_WPM,
    show_default=True,
    help="With --sample: words per minute.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("voice-sample.mp3"), show_default=True,
              help="With --sample: where to write it.")  # fmt: skip
def voices(engine: str, lang: str | None, sample: str | None, voice: str | None, voice_model: Path | None,
           rate: int, output: Path) -> None:  # fmt: skip
    """List the voices each speech engine offers here, and which one a render uses by default.

    \b
    Examples:
      voiceguide voices
      voiceguide voices --lang fr
      voiceguide voices --sample "Slow upward strokes." --engine pyttsx3 --voice en-gb
    """
    language = (lang or "en").split("-")[0]
    if sample is not None:
        chosen = voice_model.expanduser().resolve() if voice_model else None
        settings = VoiceSettings(
            engine="piper" if chosen and engine == AUTO else engine,
            voice=str(chosen) if chosen else voice,
            rate_wpm=rate,
            language=language,
        )
        click.echo(str(render_sample(sample, settings, output)))
        return
    default_engine = pick_engine(AUTO, language)
    for name in engine_names() if engine == AUTO else [engine]:
        _list_voices(name, lang, language, default_engine)


def _list_voices(name: str, lang: str | None, language: str, default_engine: str) -> None:
    try:
        speech = get_engine(name)
    except VoiceguideError as error:
        click.echo(f"{name:<8} (not available: {error})")
        return
    try:
        default_id = speech.resolve_voice(VoiceSettings(engine=name, language=language)).id
    except VoiceguideError:
        default_id = None
    for found in speech.voices():
        if lang and not any(code.lower().startswith(lang.lower()) for code in found.languages):
            continue
        mark = ""
        if found.id == default_id:
            mark = f"  (default for {language})" if name == default_engine else f"  ({name}'s {language})"
        click.echo(f"{name:<8} {found.id:<28} {found.name[:32]:<32} {', '.join(found.languages)}{mark}")


@cli.command()
@click.argument("mp3", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE.mp3")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PNG (default: beside the MP3, same name).")  # fmt: skip
def plot(mp3: Path, output: Path | None) -> None:
    """Draw a session as a picture: loudness over time, the steps as bands, the spoken cues.

    Reads everything from the MP3 (loudness from ffmpeg, steps from its chapters). Needs the
    plot extra: pip install 'voiceguide[plot]'.

    \b
    voiceguide plot daily.mp3 -o daily.png
    """
    png = output or mp3.with_suffix(".png")
    picture = draw_session(mp3, png)
    click.echo(
        f"{len(picture.steps)} steps, {len(picture.cues_s)} cues, {picture.integrated_lufs:.1f} LUFS",
        err=True,
    )
    click.echo(str(png))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder on a mounted phone, SD card or synced folder, e.g. /media/phone/Music.",
)
@click.option("--adb", "use_adb", is_flag=True,
              help="Push to an Android phone connected by USB (needs adb and USB debugging).")  # fmt: skip
def export(files: tuple[Path, ...], folder: Path | None, use_adb: bool) -> None:
    """Copy rendered sessions (with their .lrc lyrics) to a phone.

    With --to, each MP3 is copied and checked, and the folder's voiceguide.m3u8 playlist lists
    every session there (exporting again replaces, never duplicates). With --adb, they go to the
    phone's Music/voiceguide folder and the phone's music library is told about them.

    \b
    Examples:
      voiceguide export daily.mp3 --to /media/phone/Music
      voiceguide export sessions/ --adb
    """
    # Delivery is imported when used: a render should not pay for an HTTP server and QR codes.
    from voiceguide.delivery.adb import push_to_phone
    from voiceguide.delivery.folder import PLAYLIST_NAME, export_to_folder
    from voiceguide.delivery.sessions import sessions_in

    if (folder is None) == (not use_adb):
        raise click.UsageError("say where: --to FOLDER or --adb (one of them)")
    sessions = sessions_in(list(files))
    if use_adb:
        for on_phone in push_to_phone(sessions):
            click.echo(f"pushed {on_phone}")
        return
    assert folder is not None
    for copied in export_to_folder(sessions, folder):
        click.echo(f"copied {copied}")
    click.echo(f"playlist: {folder / PLAYLIST_NAME}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option(
    "--host",
    help="The address to listen on (default: this machine's address on the local "
    "network; 0.0.0.0 listens on every network, only if you mean it).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port (default: a free one).")
@click.option("--expire", "expire_ms", callback=_milliseconds, default="30m", show_default=True,
              metavar="DURATION", help="Stop sharing after this long, e.g. 20s, 10m, 1h.")  # fmt: skip
def share(paths: tuple[Path, ...], host: str | None, port: int, expire_ms: int) -> None:
    """Share sessions with a phone on the same Wi-Fi: scan the QR code, then play or download.

    PATH is an MP3 or a folder of them. The address holds a secret random part, so only who
    sees it can open it; the page lists each session with a player, and feed.xml is a podcast
    feed for AntennaPod or Apple Podcasts. Sharing stops after --expire or on Ctrl-C.

    \b
    Examples:
      voiceguide share daily.mp3 jaw-release.mp3
      voiceguide share sessions/ --expire 10m
    """
    from voiceguide.delivery.sessions import sessions_in
    from voiceguide.delivery.share import SessionShare, lan_address, qr_code_text, wait_for_expiry

    sessions = sessions_in(list(paths))
    log = functools.partial(click.echo, err=True)
    with SessionShare(sessions, host or lan_address(), port, log=log) as server:
        count = f"{len(sessions)} session" + ("" if len(sessions) == 1 else "s")
        click.echo(f"Sharing {count} for {format_clock(expire_ms)}. On your phone (same Wi-Fi), open:")
        click.echo(f"\n  {server.url}\n")
        click.echo(qr_code_text(server.url))
        click.echo(f"Podcast feed: {server.url}feed.xml")
        click.echo("Press Ctrl-C to stop sharing.", err=True)
        wait_for_expiry(expire_ms / 1000)
    click.echo("Sharing stopped.", err=True)


def main() -> None:
    cli(prog_name="voiceguide")
