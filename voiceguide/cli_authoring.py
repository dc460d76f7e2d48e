"""``voiceguide check``, ``new`` and ``schema``: writing routine files and checking them."""

from __future__ import annotations

from pathlib import Path

import click

from voiceguide.authoring import routine_json_schema, write_new_routine
from voiceguide.durations import format_clock
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routine import slugify
from voiceguide.routines import load_routine


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
def check(files: tuple[Path, ...]) -> None:
    """Check routine files (YAML, fields, durations, narration templates) without rendering."""
    for file in files:
        routine = load_routine(str(file))
        script = plan_script(routine, SessionShape())
        click.echo(f"ok: {file}: {routine.name}, {len(routine.steps)} steps, {format_clock(script.total_ms)}")


@click.command()
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


@click.command()
def schema() -> None:
    """Print the routine format as JSON Schema, for editor completion and checks.

    \b
    voiceguide schema > routine.schema.json
    """
    click.echo(routine_json_schema())
