"""What many test files share: a fake engine, routines written to disk, renders through the CLI,
clips and timelines made the way the pipeline makes them, and independent readers of audio files
(ffprobe, ffmpeg's decoder and meters)."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from click.testing import CliRunner, Result

from voiceguide.arranging import TimelineBuilder
from voiceguide.chimes import Chimes
from voiceguide.cli import cli
from voiceguide.ffmpeg import LoudnessReading, read_loudness
from voiceguide.music import Background
from voiceguide.narration import PACES, Script
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routine import Routine
from voiceguide.speech import Clip, ClipCache, ClipSupply, VoiceInfo, VoiceSettings, register_engine
from voiceguide.timeline import Timeline

SAMPLE_RATE = 44_100
# One MP3 frame: the most a decoded length may differ from the length asked.
MP3_FRAME_MS = 1152 / 44.1
# The daily routine's steps: where each starts (s) and its title.
DAILY_CHAPTERS = [
    (0, "Prep"),
    (60, "Neck & décolletage"),
    (120, "Jawline & chin"),
    (240, "Cheeks & mouth area"),
    (360, "Eye area"),
    (450, "Forehead"),
    (540, "Final drainage"),
]
# A routine file that loads, and files that must not, each with the words its error must hold.
GOOD = "name: Tiny\nsteps:\n  - title: Neck\n    duration: 30s\n"
BAD_FILES = {
    "yaml syntax": (b"name: Tiny\nsteps: [\n", r"line \d+"),
    "misspelt field": (
        b"name: Tiny\nsteps:\n  - title: Neck\n    duraton: 30s\n",
        r'line 4: step 1 "Neck": unknown field "duraton" \(did you mean "duration"\?',
    ),
    "missing field": (
        b"name: Tiny\nsteps:\n  - title: Neck\n",
        r'line 3: step 1 "Neck": missing field "duration"',
    ),
    "wrong type": (b"name: Tiny\nsteps:\n  - title: [a, b]\n    duration: 30s\n", r'line 3: .*field "title"'),
    "empty file": (b"", r"empty"),
    "only a comment": (b"# nothing\n", r"empty"),
    "a list": (b"- title: Neck\n  duration: 30s\n", r"holds a list.*mapping"),
    "a scalar": (b"just words\n", r"holds a text.*mapping"),
    "not utf-8": ("name: Détente\n".encode("latin-1"), r"not UTF-8 text \(byte 0xe9"),
    "binary": (bytes(range(256)) * 4, r"not UTF-8|not valid|special characters|line"),
    "zero duration": (
        GOOD.replace("30s", "0s").encode(),
        r'line 4: step 1 "Neck": field "duration".*positive',
    ),
    "negative duration": (
        GOOD.replace("30s", "-30s").encode(),
        r'field "duration": "-30s" is not a duration',
    ),
    "absurd duration": (GOOD.replace("30s", "999h").encode(), r"3 hour limit"),
    "unreadable duration": (GOOD.replace("30s", "a while").encode(), r'"a while" is not a duration'),
    "infinite duration": (GOOD.replace("30s", ".inf").encode(), r"positive"),
    "no steps": (b"name: Tiny\nsteps: []\n", r"at least one step"),
    "steps missing": (b"name: Tiny\n", r'missing field "steps"'),
    "unknown technique": (
        GOOD.replace("30s", "30s\n    technique: shiatsu").encode(),
        r'line 5: step 1 "Neck": field "technique"',
    ),
    "python tag": (b"name: !!python/object/apply:os.system ['echo pwned']\nsteps: []\n", r"!!python"),
    "duplicate key": (b"name: A\nname: B\nsteps: []\n", r'line 2: key "name" appears twice'),
    "alias bomb": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        r"line 2: YAML aliases",
    ),
    "session too long": (
        b"name: Long\nsteps:\n" + b"  - title: Part\n    duration: 2h\n" * 2,
        r"3 hour limit",
    ),
}


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
        return [VoiceInfo("fake", "tone", "Tone", ("en", "fr"))]

    def resolve_voice(self, voice: str | None, language: str) -> VoiceInfo:
        return self.voices()[0]

    def identity(self, voice: str | None, language: str) -> str:
        return "fake 1"

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        FakeEngine.calls.append(text)
        write_tone(path, len(text.split()) * 60_000 // rate_wpm)


register_engine("fake", FakeEngine)


def write_tone(path: Path, duration_ms: int, rate_hz: int = 22_050) -> None:
    period = [round(8000 * math.sin(2 * math.pi * i / 100)) for i in range(100)]  # 220.5 Hz
    frames = duration_ms * rate_hz // 1000
    samples = (period * (frames // 100 + 1))[:frames]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(struct.pack(f"<{frames}h", *samples))


def voice(engine: str = "fake", rate_wpm: int = PACES["normal"].rate_wpm, **choices: str) -> VoiceSettings:
    """Settings for clips spoken by ``engine``, in English unless ``language`` says otherwise."""
    return VoiceSettings(engine=engine, rate_wpm=rate_wpm, **{"language": "en", **choices})


FAKE = voice()


@dataclass(frozen=True)
class Spoken:
    clips: dict[str, Clip]
    synthesized: int


def speak(texts: Iterable[str], settings: VoiceSettings, cache: Path) -> Spoken:
    """Every clip of ``texts``, made (or found in ``cache``) as a render makes them."""
    ordered = list(dict.fromkeys(texts))
    with ClipSupply(settings, ClipCache(cache)) as supply:
        supply.start(ordered)
        return Spoken({text: supply.get(text) for text in ordered}, supply.synthesized)


def timeline_of(
    script: Script,
    clips: Mapping[str, Clip],
    chimes: Chimes | None = None,
    background: Background | None = None,
) -> Timeline:
    """The whole timeline, arranged as a render arranges it."""
    return TimelineBuilder(script, clips.__getitem__, chimes, background).timeline()


def plan(routine: Routine, **shape: object) -> Script:
    """The script of ``routine`` for a SessionShape's fields (default: its own length, normal pace)."""
    return plan_script(routine, SessionShape(**shape))  # type: ignore[arg-type]


def write_routine(folder: Path, text: str, name: str = "routine.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> Result:
    """The command line, as a user runs it (stdout and stderr apart)."""
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def render(routine: str | Path, output: Path, *args: str, engine: str = "fake") -> Path:
    """``voiceguide render`` that must succeed; the fake voice unless the voice is under test."""
    result = run("render", str(routine), "-o", str(output), "--engine", engine, *args)
    assert result.exit_code == 0, result.output
    return output


def ffprobe(path: Path, *entries: str) -> dict:
    command = ["ffprobe", "-v", "error", "-of", "json", *entries, str(path)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def ebur128(path: Path) -> LoudnessReading:
    """What ffmpeg's EBU R128 meter says of a file: integrated loudness and true peak."""
    return read_loudness(path)


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
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "s16le", "-ac", "2", "-ar",
               str(SAMPLE_RATE), "-"]  # fmt: skip
    decoder = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert decoder.stdout is not None
    total_bytes = 0
    while chunk := decoder.stdout.read(1 << 20):
        total_bytes += len(chunk)
    assert decoder.wait() == 0
    return total_bytes / 4 / (SAMPLE_RATE / 1000)
