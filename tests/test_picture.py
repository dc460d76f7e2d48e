"""`voiceguide plot`: a picture of a real session, read back from the MP3."""

import builtins
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import DAILY_CHAPTERS

from voiceguide.cli import cli
from voiceguide.picture import measure_session


def test_the_picture_reads_steps_cues_and_loudness_from_the_file(daily_render: Path):
    picture = measure_session(daily_render)
    assert [(round(b.start_s), b.title) for b in picture.steps] == DAILY_CHAPTERS
    assert picture.steps[-1].end_s == pytest.approx(600, abs=0.2)
    assert len(picture.cues_s) > 30
    assert list(picture.cues_s) == sorted(picture.cues_s)
    assert picture.integrated_lufs == pytest.approx(-16, abs=1)
    assert picture.seconds[-1] == pytest.approx(600, abs=0.5)
    assert max(picture.momentary_lufs) > -20
    assert min(picture.momentary_lufs) == -60  # silence, shown at the floor


def test_plot_writes_a_png(daily_render: Path, tmp_path: Path):
    png = tmp_path / "daily.png"
    result = CliRunner().invoke(cli, ["plot", str(daily_render), "-o", str(png)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(png)
    assert "7 steps" in result.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 1000
    assert height > 400


def test_plot_of_an_mp3_without_chapters_still_draws_loudness(tmp_path: Path):
    mp3 = tmp_path / "tone.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=3", str(mp3)], check=True)
    result = CliRunner().invoke(cli, ["plot", str(mp3)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tone.png").exists()
    assert "0 steps" in result.stderr


def test_plot_of_a_file_that_is_not_audio_is_one_line(tmp_path: Path):
    (tmp_path / "notes.mp3").write_text("not audio")
    result = CliRunner().invoke(cli, ["plot", str(tmp_path / "notes.mp3")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {tmp_path / 'notes.mp3'}: not an audio file ffmpeg can read"
    assert not (tmp_path / "notes.png").exists()


def test_without_matplotlib_plot_says_how_to_get_it(
    daily_render: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    result = CliRunner().invoke(cli, ["plot", str(daily_render), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert "pip install 'voiceguide[plot]'" in result.output
    assert not (tmp_path / "x.png").exists()
