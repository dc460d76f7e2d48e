"""The ``voiceguide`` command: parses options, calls the pipeline, prints, maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click

from voiceguide import __version__
from voiceguide.batch import render_many
from voiceguide.cli_authoring import check, new, schema
from voiceguide.cli_cache import cache
from voiceguide.cli_delivery import export, publish, share
from voiceguide.cli_options import file_options, routine_argument, session_shape, sound_options, voice_options
from voiceguide.cli_studio import studio
from voiceguide.cli_voices import voices
from voiceguide.cue_sheet import cue_sheet
from voiceguide.durations import format_clock
from voiceguide.encoding import AUDIO_FORMATS
from voiceguide.errors import EXIT_BAD_INPUT, VoiceguideError
from voiceguide.picture import draw_session
from voiceguide.pipeline import (
    FileChoice,
    Progress,
    RenderOptions,
    RenderResult,
    SessionShape,
    SoundChoice,
    plan_script,
    render_session,
)
from voiceguide.processes import EXIT_TERMINATED, Stopped, stop_on_sigterm
from voiceguide.routines import builtin_names, load_routine, user_routine_names, user_routines_dir
from voiceguide.speech import VoiceChoice

EXIT_INTERRUPTED = 130


class _Commands(click.Group):
    """Prints a VoiceguideError as one line on stderr with its exit status: no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoiceguideError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)
        except click.UsageError as error:
            # One line, as for every other bad input; --help shows the usage.
            command = error.ctx.command_path if error.ctx else "voiceguide"
            click.echo(f"error: {error.format_message()} (see {command} --help)", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:
            # The reader has gone (`voiceguide voices | head`): stop quietly, as other tools do;
            # stdout goes to /dev/null so that flushing it at exit does not fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except OSError as error:
            # Writing where the user pointed us failed: a full disk, a read-only or missing folder.
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"error: {where}{error.strerror or error}; choose another --output folder", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted; no file was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Stopped:
            click.echo("stopped (SIGTERM); no file was written", err=True)
            ctx.exit(EXIT_TERMINATED)


class _WarningLines(logging.Handler):
    """The library's warnings (a damaged cache entry made again) as one line each on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"warning: {record.getMessage()}", err=True)


# click hides the cursor while it draws a bar, except on Windows; a wiped bar shows it again.
_SHOW_CURSOR = "" if os.name == "nt" else "\033[?25h"


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
        if self._bar is None:
            return
        if self._bar.finished or not self._bar.file.isatty():
            self._bar.__exit__(None, None, None)
        else:
            # Cut short by an error, which is printed next: the half-drawn bar is wiped rather
            # than left above it, so the error stands alone on the terminal.
            blank = " " * (shutil.get_terminal_size().columns - 1)
            self._bar.file.write(f"\r{blank}\r{_SHOW_CURSOR}")
            self._bar.file.flush()
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
    package_logger = logging.getLogger("voiceguide")
    if not any(isinstance(handler, _WarningLines) for handler in package_logger.handlers):
        package_logger.addHandler(_WarningLines())


@cli.command()
@click.argument("routines", nargs=-1, metavar="ROUTINE...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the session (default: ROUTINE.mp3 in this folder, or .m4b with "
              "--format m4b). A .lrc lyrics file is written beside it.")  # fmt: skip
@click.option("--all", "every_routine", is_flag=True, help="Render every routine `voiceguide list` shows.")
@click.option("-d", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Folder for the MP3s when rendering several routines.")  # fmt: skip
@session_shape
@voice_options
@sound_options
@file_options
def render(routines: tuple[str, ...], output: Path | None, every_routine: bool, output_dir: Path,
           shape: SessionShape, language: str | None, voice: VoiceChoice, sound: SoundChoice,
           file: FileChoice) -> None:  # fmt: skip
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
    file = replace(file, audio_format=_output_format(file.audio_format, output))
    outputs = _output_paths(names, output, output_dir, file.audio_format)
    shared = RenderOptions(Path(), shape, voice, language, sound, file)
    if len(names) == 1:
        options = replace(shared, output=outputs[names[0]])
        _report(render_session(load_routine(names[0], language), options, _BarProgress()))
        return
    outcomes = render_many([(name, replace(shared, output=outputs[name])) for name in names], _report_one)
    failed = sum(isinstance(outcome, VoiceguideError) for outcome in outcomes)
    if failed:
        raise VoiceguideError(f"{failed} of {len(names)} routines were not rendered (see above)")


def _output_paths(names: list[str], output: Path | None, folder: Path, audio_format: str) -> dict[str, Path]:
    """Where each routine's session goes: -o for one, else NAME.FORMAT in the folder."""
    if not names:
        raise click.UsageError("name a ROUTINE to render (see `voiceguide list`), or use --all")
    if output and len(names) > 1:
        raise click.UsageError("-o names one file; for several routines use --output-dir")
    outputs = {name: output or folder / f"{Path(name).stem}.{audio_format}" for name in names}
    if len(set(outputs.values())) < len(names):
        raise click.UsageError("two routines would write the same file; render them to different folders")
    return outputs


def _output_format(asked: str, output: Path | None) -> str:
    """The format asked, or the one -o's extension names, or MP3."""
    named = output.suffix.lower().lstrip(".") if output else ""
    if output and named not in AUDIO_FORMATS:
        # A session written as x.lrc would be overwritten by its own lyrics a moment later.
        endings = ", ".join(f".{name}" for name in AUDIO_FORMATS)
        raise click.UsageError(f"-o {output}: name a session file ending in {endings}")
    if asked and named != asked:
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
@routine_argument
@session_shape
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table to read, or JSON for scripts.")  # fmt: skip
def show(routine: str, shape: SessionShape, language: str | None, output_format: str) -> None:
    """Print ROUTINE's cue sheet: when each step starts and what is said when, without rendering.

    Times are planned from an estimate of speaking speed; in the rendered file a spoken line may
    move by a second or two, a step start never.
    """
    script = plan_script(load_routine(routine, language), shape, language)
    if output_format == "json":
        click.echo(json.dumps(asdict(script), indent=2, ensure_ascii=False))
    else:
        click.echo(cue_sheet(script, shape.pace.rate_wpm))


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


for command in (check, new, schema, voices, export, share, publish, cache, studio):
    cli.add_command(command)


def main() -> None:
    stop_on_sigterm()
    cli(prog_name="voiceguide")
