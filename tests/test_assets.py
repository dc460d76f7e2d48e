"""Every file in audio_assets/ is made by scripts/make_assets.py, from code alone."""

import os
import subprocess
import sys
import wave
import zipfile
from array import array
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "audio_assets"


def test_the_script_remakes_every_asset_byte_for_byte(tmp_path: Path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_assets.py"), str(tmp_path)], check=True)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in ASSETS.iterdir())
    for name in made:
        assert (tmp_path / name).read_bytes() == (ASSETS / name).read_bytes(), name


@pytest.mark.parametrize("name", ["chime-bell.wav", "chime-bowl.wav", "chime-wood.wav", "chime-end.wav"])
def test_chimes_ring_then_decay_to_silence(name: str):
    with wave.open(str(ASSETS / name)) as chime:
        samples = array("h", chime.readframes(chime.getnframes()))
        rate = chime.getframerate()
    # The end chime strikes twice, 0.6 s apart; the others once, at the start.
    first_second = max(abs(s) for s in samples[:rate])
    last_tenth = max(abs(s) for s in samples[-rate // 10 :])
    assert first_second > 20_000  # near -1 dBFS at the strike
    assert last_tenth < first_second / 30  # decayed by more than 30 dB
    assert abs(samples[0]) < 50  # starts from silence
    assert abs(samples[-1]) < 50  # ends at silence: no click


def test_cover_is_a_square_png():
    data = (ASSETS / "cover.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == height >= 300


def test_the_wheel_carries_assets_routines_and_templates(tmp_path: Path):
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
               "--wheel-dir", str(tmp_path), str(ROOT)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    wheel = next(tmp_path.glob("voiceguide-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for asset in ASSETS.iterdir():
        assert f"voiceguide/audio_assets/{asset.name}" in names
    assert "voiceguide/routines/daily.yaml" in names
    assert "voiceguide/templates/en/opening.j2" in names
    for page_file in ("templates/studio.html", "static/studio.js", "static/studio.css"):
        assert f"voiceguide/web/{page_file}" in names
    assert "voiceguide/py.typed" in names
    find = "from voiceguide.assets import asset_path; print(asset_path('cover.png'))"
    only_the_wheel = {"PYTHONPATH": str(tmp_path / "site"), "PATH": os.environ["PATH"]}
    found = subprocess.run(
        [sys.executable, "-c", find],
        cwd=tmp_path,
        env=only_the_wheel,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert found == str(tmp_path / "site" / "voiceguide" / "audio_assets" / "cover.png")
