"""Shared fixtures: hermetic user directories, a fake engine for fast tests, one real render."""

from __future__ import annotations

import json
import math
import re
import struct
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from voiceguide.cli import cli
from voiceguide.speech import VoiceInfo, VoiceSettings, register_engine


@pytest.fixture(scope="session", autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the clip cache and config at a temporary folder, shared by the session for speed."""
    home = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        yield home


class FakeEngine:
    """Writes a tone as long as the text takes to say at the rate: fast, exact and deterministic."""

    name = "fake"
    runs_in_processes = False
    threads = 1
    calls: list[str] = []  # noqa: RUF012 - shared on purpose, for tests to count synthesis

    def is_available(self) -> bool:
        return True

    def install_hint(self) -> str:
        return "it is always there"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fake", "tone", "Tone", ("en",))]

    def resolve_voice(self, settings: VoiceSettings) -> VoiceInfo:
        return self.voices()[0]

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        FakeEngine.calls.append(text)
        write_tone(path, len(text.split()) * 60_000 // rate_wpm)


def write_tone(path: Path, duration_ms: int, rate_hz: int = 22_050) -> None:
    period = [round(8000 * math.sin(2 * math.pi * i / 100)) for i in range(100)]  # 220.5 Hz
    frames = duration_ms * rate_hz // 1000
    samples = (period * (frames // 100 + 1))[:frames]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(struct.pack(f"<{frames}h", *samples))


register_engine("fake", FakeEngine)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def daily_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``voiceguide render daily`` with the real engine and encoder, done once for many checks."""
    out = tmp_path_factory.mktemp("render") / "daily.mp3"
    result = CliRunner().invoke(cli, ["render", "daily", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def ffprobe(path: Path, *entries: str) -> dict:
    command = ["ffprobe", "-v", "error", "-of", "json", *entries, str(path)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float


def ebur128(path: Path) -> Loudness:
    """What ffmpeg's EBU R128 meter says of a file: integrated loudness and true peak."""
    command = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
               "-filter_complex", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    log = subprocess.run(command, check=True, capture_output=True, text=True).stderr
    summary = log[log.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated, summary
    assert peak, summary
    return Loudness(float(integrated[1]), float(peak[1]))


def silences(path: Path, min_seconds: float, noise_db: int = -45) -> list[tuple[float, float]]:
    """(start, end) of every stretch quieter than ``noise_db`` lasting ``min_seconds`` or more."""
    command = ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), "-af",
               f"silencedetect=noise={noise_db}dB:d={min_seconds}", "-f", "null", "-"]  # fmt: skip
    log = subprocess.run(command, check=True, capture_output=True, text=True).stderr
    starts = [float(line.split("silence_start: ")[1]) for line in log.splitlines() if "silence_start" in line]
    ends = [
        float(line.split("silence_end: ")[1].split()[0]) for line in log.splitlines() if "silence_end" in line
    ]
    return list(zip(starts, ends, strict=False))


def decoded_audio(path: Path, channels: int = 2) -> np.ndarray:
    """The file's samples as ffmpeg decodes them, floats in [-1, 1): (frames, 2), or (frames,)
    for ``channels=1``."""
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "s16le", "-ac", str(channels), "-"]
    raw = subprocess.run(command, check=True, capture_output=True).stdout
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768
    return samples.reshape(-1, channels) if channels > 1 else samples


def decoded_ms(path: Path) -> float:
    """The audio's length as a gapless decoder plays it (LAME's priming and padding trimmed)."""
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-i",
        str(path),
        "-f",
        "s16le",
        "-ac",
        "2",
        "-ar",
        "44100",
        "-",
    ]
    decoder = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert decoder.stdout is not None
    total_bytes = 0
    while chunk := decoder.stdout.read(1 << 20):
        total_bytes += len(chunk)
    assert decoder.wait() == 0
    return total_bytes / 4 / 44.1
