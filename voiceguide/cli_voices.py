"""``voiceguide voices``: what each speech engine offers here, a sample to hear one, and natural
voices added from Piper's catalogue or removed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from voiceguide.cli_options import chosen_voice
from voiceguide.errors import VoiceguideError
from voiceguide.narration import PACES, narrated_languages
from voiceguide.speech import AUTO, engine_names, get_engine, pick_engine, voice_settings
from voiceguide.speech.voice_catalogue import fetch_catalogue, voices_for
from voiceguide.speech.voice_store import (
    SUGGESTED_VOICES,
    InstalledVoice,
    add_voice,
    installed_voice_models,
    remove_voice,
)
from voiceguide.voice_sample import render_sample

# What ``auto`` falls back to: a language it picks this engine for has no natural voice here.
SYSTEM_ENGINE = "pyttsx3"


@click.group(invoke_without_command=True)
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
    default=PACES["normal"].rate_wpm,
    show_default=True,
    help="With --sample: words a minute of voiced time.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("voice-sample.mp3"), show_default=True,
              help="With --sample: where to write it.")  # fmt: skip
@click.pass_context
def voices(ctx: click.Context, engine: str, lang: str | None, sample: str | None, voice: str | None,
           voice_model: Path | None, rate: int, output: Path) -> None:  # fmt: skip
    """List the voices each speech engine offers here, and which one a render uses by default;
    add a natural voice from Piper's catalogue, or remove one.

    \b
    Examples:
      voiceguide voices
      voiceguide voices --lang fr
      voiceguide voices --sample "Slow upward strokes." --engine pyttsx3 --voice en-gb
      voiceguide voices add --list --lang fr
      voiceguide voices add fr_FR-siwis-medium
    """
    if ctx.invoked_subcommand is not None:
        return
    language = (lang or "en").split("-")[0]
    if sample is not None:
        settings = voice_settings(chosen_voice(engine, voice, voice_model), language, rate)
        click.echo(str(render_sample(sample, settings, output)))
        return
    default_engine = pick_engine(AUTO, language)
    for name in engine_names() if engine == AUTO else [engine]:
        _list_voices(name, lang, language, default_engine)
    for narrated in narrated_languages():
        if (not lang or narrated == language) and pick_engine(AUTO, narrated) == SYSTEM_ENGINE:
            click.echo(f"no natural voice for {narrated} here; to get one: {_suggestion(narrated)}")


@voices.command()
@click.argument("name", required=False)
@click.option("--from", "source", metavar="URL",
              help="The catalogue's URL (voices.json, or its folder) [default: Piper's on Hugging Face, "
                   "or $VOICEGUIDE_VOICES_URL].")  # fmt: skip
@click.option("--list", "list_them", is_flag=True, help="List the catalogue's voices instead.")
@click.option("--lang", help="With --list: only voices for this language code (e.g. fr, en-gb).")
def add(name: str | None, source: str | None, list_them: bool, lang: str | None) -> None:
    """Download the natural voice NAME from Piper's catalogue, checked, into your voices folder.

    \b
    Examples:
      voiceguide voices add --list --lang fr
      voiceguide voices add fr_FR-siwis-medium
    """
    if list_them:
        _list_catalogue(source, lang)
        return
    if name is None:
        raise click.UsageError("give the NAME of a voice to add, or --list to see the names")
    bar = _DownloadBar(f"Downloading {name}")
    try:
        installed = add_voice(name, source, bar)
    finally:
        bar.close()
    _tell_installed(installed)


@voices.command()
@click.argument("name")
def remove(name: str) -> None:
    """Delete the natural voice NAME from your voices folder."""
    removed = remove_voice(name)
    click.echo(f"removed {name.removesuffix('.onnx')} ({len(removed)} files from {removed[0].parent})")


def _list_voices(name: str, lang: str | None, language: str, default_engine: str) -> None:
    try:
        speech = get_engine(name)
    except VoiceguideError as error:
        click.echo(f"{name:<8} (not available: {error})")
        return
    try:
        default_id = speech.resolve_voice(None, language).id
    except VoiceguideError:
        default_id = None
    for found in speech.voices():
        if lang and not any(code.lower().startswith(lang.lower()) for code in found.languages):
            continue
        mark = ""
        if found.id == default_id:
            mark = f"  (default for {language})" if name == default_engine else f"  ({name}'s {language})"
        click.echo(f"{name:<8} {found.id:<28} {found.name[:32]:<32} {', '.join(found.languages)}{mark}")


def _suggestion(language: str) -> str:
    suggested = SUGGESTED_VOICES.get(language)
    return (
        f"voiceguide voices add {suggested}"
        if suggested
        else f"voiceguide voices add --list --lang {language}"
    )


def _list_catalogue(source: str | None, lang: str | None) -> None:
    catalogue = fetch_catalogue(source)
    installed = {model.name.removesuffix(".onnx") for model in installed_voice_models()}
    for name in voices_for(catalogue, lang):
        voice = catalogue[name]
        mark = "  (installed)" if name in installed else ""
        size_mb = voice.size_bytes / 1e6
        click.echo(
            f"{name:<34} {voice.language.code:<6} {voice.language.name_english:<14} {size_mb:6.1f} MB{mark}"
        )


def _tell_installed(installed: InstalledVoice) -> None:
    where = installed.model.parent
    if installed.downloaded_bytes:
        size_mb = installed.downloaded_bytes / 1e6
        click.echo(
            f"{installed.name} ({installed.language.name_english}, {size_mb:.1f} MB): installed in {where}"
        )
    else:
        click.echo(f"{installed.name}: installed already, in {where}")
    licence = [path for path in installed.files if path.name.endswith(".MODEL_CARD")]
    if licence:
        click.echo(f"its licence: {licence[0]}")
    language = installed.language.family
    if language not in narrated_languages():
        click.echo(f'hear it: voiceguide voices --sample "..." --voice-model {installed.model}')
    elif _speaks_by_default(installed.model, language):
        click.echo(f"use it: voiceguide render daily --lang {language}")
    else:
        click.echo(f"use it: voiceguide render daily --lang {language} --voice-model {installed.model}")


def _speaks_by_default(model: Path, language: str) -> bool:
    """Whether ``--engine auto`` speaks ``language`` with the voice ``model``."""
    engine = pick_engine(AUTO, language)
    if engine == SYSTEM_ENGINE:
        return False
    try:
        return get_engine(engine).resolve_voice(None, language).name == model.name.removesuffix(".onnx")
    except VoiceguideError:
        return False


class _DownloadBar:
    """A progress bar on stderr, drawn from the first report (which brings the total)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
