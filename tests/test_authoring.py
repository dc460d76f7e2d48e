"""Writing routines: `new`, `schema`, and routines kept in the user's config folder."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routines import builtin_names, load_routine


@pytest.fixture
def schema(runner: CliRunner) -> dict:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    return json.loads(result.output)


def test_the_schema_is_valid_and_every_builtin_routine_passes_it(schema: dict):
    jsonschema.Draft202012Validator.check_schema(schema)
    folder = Path(__file__).parent.parent / "voiceguide" / "routines"
    for name in builtin_names():
        for path in (folder / f"{name}.yaml", folder / "fr" / f"{name}.yaml"):
            jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "x", "steps": [{"title": "A", "duraton": "1m"}]},
        {"name": "x", "steps": [{"title": "A", "duration": "a while"}]},
        {"name": "x", "steps": [{"title": "A", "duration": "1m", "technique": "shiatsu"}]},
        {"name": "x"},
    ],
)
def test_the_schema_catches_what_the_loader_catches(schema: dict, bad: dict):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_schema_describes_fields_for_editor_tooltips(schema: dict):
    step = schema["$defs"]["Step"]["properties"]
    assert "90s" in step["duration"]["description"]
    assert {"type": "number"} in step["duration"]["anyOf"]


def test_new_writes_a_commented_routine_that_checks(runner: CliRunner, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["new", "my-evening"])
    assert result.exit_code == 0, result.output
    text = Path("my-evening.yaml").read_text()
    assert text.startswith("# A voiceguide routine.")
    assert "duration      90s, 1.5m, 1m30s" in text
    assert runner.invoke(cli, ["check", "my-evening.yaml"]).exit_code == 0
    assert load_routine("my-evening.yaml").name == "My evening"


def test_new_from_a_routine_copies_its_steps(runner: CliRunner, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["new", "my-daily", "--from", "daily"]).exit_code == 0
    mine, daily = load_routine("my-daily.yaml"), load_routine("daily")
    assert mine.steps == daily.steps
    plan = lambda r: [c.text for c in plan_script(r, SessionShape()).cues[:-1]]  # noqa: E731
    assert plan(mine) == plan(daily)  # all but the closing line, which names the routine


def test_new_never_overwrites_without_force(runner: CliRunner, tmp_path: Path):
    target = tmp_path / "mine.yaml"
    target.write_text("keep me")
    result = runner.invoke(cli, ["new", "mine", "-o", str(target)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert target.read_text() == "keep me"
    assert runner.invoke(cli, ["new", "mine", "-o", str(target), "--force"]).exit_code == 0
    assert target.read_text() != "keep me"


def test_routines_in_the_config_folder_are_listed_and_found_by_name(runner: CliRunner, routines_folder: Path):
    folder = routines_folder
    (folder / "evening.yaml").write_text("name: Evening\nsteps:\n  - title: Neck\n    duration: 2m\n")
    (folder / "broken.yaml").write_text("name: [\n")
    listing = runner.invoke(cli, ["list"])
    line = next(line for line in listing.output.splitlines() if line.startswith("evening "))
    assert "2 min" in line
    assert "yours" in line
    assert str(folder) in listing.stderr
    assert runner.invoke(cli, ["show", "evening"]).output.startswith("Evening: 2:00, 1 steps")
    assert listing.exit_code == 0
    assert "broken           cannot be read:" in listing.stderr
    assert "daily " in listing.output
