"""``voiceguide voices``: what each speech engine offers here, and a sample to hear one."""

from __future__ import annotations

from pathlib import Path

import click

from voiceguide.cli_options import chosen_voice
from voiceguide.errors import VoiceguideError
from voiceguide.narration import PACES
from voiceguide.speech import AUTO, engine_names, get_engine, pick_engine, voice_settings
from voiceguide.voice_sample import render_sample


@click.command()
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
        settings = voice_settings(chosen_voice(engine, voice, voice_model), language, rate)
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
