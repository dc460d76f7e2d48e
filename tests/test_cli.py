"""The command line as a newcomer meets it: list, show, check, voices, help, and bad input."""

import io
import json
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import BAD_FILES

from voiceguide.cli import _BarProgress, cli


def test_list_shows_each_builtin_with_length_and_steps(runner: CliRunner):
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    daily = next(line for line in result.output.splitlines() if line.startswith("daily "))
    assert "10 min" in daily
    assert "7 steps" in daily
    assert len(result.output.splitlines()) >= 4


def test_show_prints_the_cue_sheet(runner: CliRunner):
    result = runner.invoke(cli, ["show", "daily"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Daily facial massage: 10:00, 7 steps"
    assert lines[2].split() == ["time", "step", "cue", "said"]
    openings = [line.split()[0] for line in lines[3:] if " opening " in line]
    assert openings == ["0:02", "1:02", "2:02", "4:02", "6:02", "7:32", "9:02"]
    chimes = [(line.split()[0], line[8:30].strip()) for line in lines[3:] if line.endswith(" chime")]
    assert chimes == [
        ("0:00", "Prep"), ("1:00", "Neck & décolletage"), ("2:00", "Jawline & chin"),
        ("4:00", "Cheeks & mouth area"), ("6:00", "Eye area"), ("7:30", "Forehead"),
        ("9:00", "Final drainage"),
    ]  # fmt: skip
    assert any("dermatologist" in line for line in lines)


def test_show_as_json_for_scripts(runner: CliRunner):
    result = runner.invoke(cli, ["show", "daily", "--minutes", "20", "--format", "json"])
    assert result.exit_code == 0
    sheet = json.loads(result.output)
    assert sheet["total_ms"] == 1_200_000
    assert [c["start_ms"] for c in sheet["chapters"]] == [
        0,
        120_000,
        240_000,
        480_000,
        720_000,
        900_000,
        1_080_000,
    ]
    assert {c["kind"] for c in sheet["cues"]} >= {"opening", "move", "reminder", "transition", "closing"}


def test_check_accepts_a_good_file(runner: CliRunner, tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: Mine\nsteps:\n  - title: Neck\n    duration: 1m\n    say: ['{{ title }} time.']\n")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 0
    assert result.output == f"ok: {path}: Mine, 1 steps, 1:00\n"


BAD_INPUT = {
    "broken yaml": ("name: x\nsteps: [\n", "line"),
    "misspelt field": ("name: x\nsteps:\n  - title: A\n    duraton: 1m\n", 'unknown field "duraton"'),
    "undefined variable": (
        "name: x\nsteps:\n  - title: A\n    duration: 1m\n    say: ['{{ nope }}']\n",
        "'nope' is undefined",
    ),
    "sandbox escape": (
        "name: x\nsteps:\n  - title: A\n    duration: 1m\n    say: [\"{{ ''.__class__.__mro__ }}\"]\n",
        'step 1 "A", say line 1',
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
@pytest.mark.parametrize("command", ["check", "render"])
def test_bad_input_is_one_line_exit_2_and_no_file(runner: CliRunner, tmp_path: Path, case: str, command: str):
    content, message = BAD_INPUT[case]
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    args = [command, str(path)] + (["-o", str(tmp_path / "bad.mp3")] if command == "render" else [])
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_a_missing_routine_file(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["render", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such routine file" in result.stderr


def test_a_length_that_cannot_fit_is_refused_before_any_audio(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["render", "daily", "--minutes", "1", "-o", str(tmp_path / "d.mp3")])
    assert result.exit_code == 2
    assert re.fullmatch(
        r"error: Daily facial massage cannot fit in 1 minute: the shortest length that fits is "
        r"(\d+\.\d) minutes \(use --minutes \1 or more\)\n",
        result.stderr,
    )
    assert list(tmp_path.iterdir()) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def lines_shown(self) -> list[str]:
        """What is left on screen, escape sequences (the cursor's) left out: a carriage return
        goes back to the start of the line, and what follows is written over what was there."""
        lines = []
        for line in re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", self.getvalue()).split("\n"):
            screen = ""
            for part in line.split("\r"):
                screen = part + screen[len(part) :]
            lines.append(screen.rstrip())
        return lines


def test_a_render_cut_short_wipes_its_progress_bar_so_the_error_stands_alone(monkeypatch: pytest.MonkeyPatch):
    """An error found mid-render (a voice file that will not load) is printed after the bar has
    started: on a terminal the bar is wiped first. A finished bar stays."""
    for windows_mixed, shown in ((3, []), (4, ["Rendering"])):
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        progress = _BarProgress()
        tick = progress.stage("Rendering", 4)
        for _ in range(windows_mixed):
            tick()
        progress.finish()
        seen = [line.split()[0] for line in terminal.lines_shown() if line]
        assert seen == shown
        assert terminal.getvalue().count("\x1b[?25h") == 1  # the cursor is shown again


def test_voices_lists_the_system_voices(runner: CliRunner):
    result = runner.invoke(cli, ["voices", "--lang", "en"])
    assert result.exit_code == 0
    assert "gmw/en-us" in result.output
    assert "(default for en)" in result.output
    assert all("en" in line for line in result.output.splitlines())


def test_help_explains_where_to_start(runner: CliRunner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ["render", "list", "show", "check", "voices"]:
        assert command in result.output
    assert "voiceguide render daily" in result.output


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "voiceguide", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("voiceguide, version ")


def test_a_reader_that_stops_early_gets_no_error_message():
    """``voiceguide voices | head -1``: the pipe closes before the list is written."""
    command = [sys.executable, "-m", "voiceguide", "voices"]
    listing = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert listing.stdout is not None
    assert listing.stderr is not None
    listing.stdout.close()  # long before the command has imported what it needs to list voices
    errors = listing.stderr.read()
    assert listing.wait() == 1
    assert errors == b""


def test_the_console_script_is_cheap_for_speech_workers_to_import():
    """Spawned speech workers re-import the script that started the render; the entry point's
    module must not pull in the CLI and the pipeline with it."""
    (entry,) = [e for e in entry_points(group="console_scripts") if e.name == "voiceguide"]
    loaded = "sorted(m for m in sys.modules if m.startswith(('click', 'voiceguide.')))"
    probe = f"import sys, {entry.module}; print({loaded})"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['voiceguide.__main__']"
    script = Path(sys.executable).with_name("voiceguide")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("voiceguide, version ")


def test_the_command_leaves_its_objects_to_the_kernel_at_exit():
    """The last garbage collection at exit is skipped: the objects are frozen once every other
    exit handler has run (this probe's handler, registered before the command's, runs after it)."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "sys.argv = ['voiceguide', '--version']\n"
        "from voiceguide.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "frozen at exit: True"


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_every_bad_routine_file_is_one_line_and_exit_2_from_the_cli(runner: CliRunner, tmp_path: Path, case):
    content, _ = BAD_FILES[case]
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = runner.invoke(cli, ["render", str(path), "-o", str(tmp_path / "out.mp3")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}")
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_an_output_folder_that_cannot_be_written_is_one_line(runner: CliRunner):
    result = runner.invoke(cli, ["render", "quick", "-o", "/proc/voiceguide/quick.mp3"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: /proc/voiceguide")
    assert result.stderr.count("\n") == 1


@pytest.mark.slow
def test_several_routines_render_in_parallel_into_a_folder(runner: CliRunner, tmp_path: Path):
    # Each render runs in a fresh process, where only the built-in engines are registered.
    result = runner.invoke(
        cli, ["render", "quick", "jaw-release", "-d", str(tmp_path), "--engine", "pyttsx3"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.split()) == sorted(
        [str(tmp_path / "quick.mp3"), str(tmp_path / "jaw-release.mp3")]
    )
    assert sorted(p.name for p in tmp_path.glob("*.mp3")) == ["jaw-release.mp3", "quick.mp3"]


@pytest.mark.slow
def test_one_failing_routine_does_not_stop_the_others(runner: CliRunner, tmp_path: Path):
    args = ["render", "quick", str(tmp_path / "nope.yaml"), "-d", str(tmp_path), "--engine", "pyttsx3"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "no such routine file" in result.stderr
    assert (tmp_path / "quick.mp3").is_file()
    assert "1 of 2 routines were not rendered" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name a ROUTINE to render"),
        (["daily", "quick", "-o", "x.mp3"], "use --output-dir"),
        (["daily", "daily"], "would write the same file"),
    ],
)
def test_render_usage_errors(runner: CliRunner, args: list[str], message: str):
    result = runner.invoke(cli, ["render", *args])
    assert result.exit_code == 2
    assert message in result.stderr
