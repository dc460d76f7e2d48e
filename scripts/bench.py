#!/usr/bin/env python3
"""The benchmark: render times against the encoder alone, measured in one run on this machine.

Timings on shared machines are noisy, so every figure is compared as a ratio to the encoder-only
time measured in the same run: ffmpeg encoding the same finished audio at the same settings.
Memory is the peak resident size of the largest process a command ran (its own, or a worker's).
The system voice (pyttsx3) is used throughout but for the rows of the natural voices (hibari's
heart, Piper's joe), each compared with the encoder on its own session: LAME's work depends on
the sound.

Each 10-minute measurement is taken once per round (--rounds, 3 by default), the rounds one after
another so that a busy spell on the machine touches every kind of measurement alike; the median
is reported with the fastest and slowest. Each ratio is the median over the rounds of the ratio
within a round (a render against the encoder timed a few seconds from it), so that a slow spell
in one round does not set a render's median against an encoder's median from another.

The renders encode MP3 with LAME's library in their own process: the same frames as ffmpeg's,
a little sooner. The row "LAME in-process alone" times that path alone on the same audio, so that
the renders can be read against it too.

Usage: .venv/bin/python scripts/bench.py [--routine daily] [--minutes 10] [--long 60] [--rounds 3]
"""

from __future__ import annotations

import argparse
import compileall
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from voiceguide.speech.base import AUTO_ORDER

# The command as people run it: the console script, which spawned speech workers re-import.
_SCRIPT = Path(sys.executable).with_name("voiceguide")
VOICEGUIDE = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "voiceguide"]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    stderr: str

    @property
    def new_clips(self) -> int:
        found = re.search(r"(\d+) new clips", self.stderr)
        return int(found[1]) if found else -1


def timed(command: list[str], env: dict[str, str]) -> Run:
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors
        )
        # wait4 reports this command's own peak memory (with the processes it waited for), in KiB.
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        errors.seek(0)
        text = errors.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{text}")
    return Run(elapsed, usage.ru_maxrss / 1024, text)


# The natural voices, the default first (``--engine auto`` speaks English with it).
NATURAL_VOICES = tuple(name for name in AUTO_ORDER if name != "pyttsx3")


def render(
    routine: str, minutes: float | None, out: Path, env: dict[str, str], engine: str = "pyttsx3"
) -> Run:
    length = ["--minutes", str(minutes)] if minutes else []
    return timed([*VOICEGUIDE, "render", routine, *length, "-o", str(out), "--engine", engine], env)


# Piper's own synthesis time: every line of the session spoken by joe, one after another on one
# core (each call runs on one core, as in a render), the voice loaded beforehand.
SYNTHESIS_ONLY = """
import sys, tempfile, time
from pathlib import Path

from voiceguide.fitting import FitRequest
from voiceguide.pipeline import SessionShape, plan_script
from voiceguide.routines import load_routine
from voiceguide.speech.piper_engine import PiperEngine
routine, minutes = sys.argv[1], float(sys.argv[2])
shape = SessionShape(FitRequest(minutes=minutes))
texts = plan_script(load_routine(routine), shape).spoken_texts()
engine, rate = PiperEngine(), shape.pace.rate_wpm
engine.synthesize("Ready.", Path(tempfile.gettempdir()) / "voiceguide-bench-warm.wav", "joe", rate)
with tempfile.TemporaryDirectory() as work:
    start = time.perf_counter()
    for number, text in enumerate(texts):
        engine.synthesize(text, Path(work) / f"{number}.wav", "joe", rate)
    print(time.perf_counter() - start)
"""


def piper_synthesis_seconds(routine: str, minutes: float, env: dict[str, str]) -> float:
    command = [sys.executable, "-c", SYNTHESIS_ONLY, routine, str(minutes)]
    return float(subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout)


def encoder_only(mp3: Path, work: Path, env: dict[str, str]) -> Run:
    """ffmpeg alone encoding the finished session's PCM at the same settings (stereo, 128k CBR).

    The PCM goes through a file, not this process's memory: a child forked from a large process
    would report the parent's pages as its own peak.
    """
    pcm = work / "session.pcm"
    decode = [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-i",
        str(mp3),
        "-f",
        "s16le",
        "-ar",
        "44100",
        "-ac",
        "2",
        str(pcm),
    ]
    subprocess.run(decode, check=True, capture_output=True)
    command = ["ffmpeg", "-v", "error", "-y", "-f", "s16le", "-ar", "44100", "-ac", "2", "-i", str(pcm),
               "-c:a", "libmp3lame", "-b:a", "128k", str(work / "encoder-only.mp3")]  # fmt: skip
    return timed(command, env)


# The render's encoder alone: the same PCM, in 5-second windows, through the in-process LAME the
# renders use (ffmpeg's library, without the process and the pipe).
LAME_ONLY = """
import sys
from voiceguide.lame import LameEncoder, load_lame
window = 44100 * 4 * 5
with open(sys.argv[1], "rb") as pcm, open(sys.argv[2], "wb") as mp3, LameEncoder(load_lame(), 128) as lame:
    for chunk in iter(lambda: pcm.read(window), b""):
        mp3.write(lame.encode(chunk))
    mp3.write(lame.flush())
"""


def lame_only(work: Path, env: dict[str, str]) -> Run:
    """In-process LAME encoding the PCM ``encoder_only`` left in ``work``."""
    return timed([sys.executable, "-c", LAME_ONLY, str(work / "session.pcm"), str(work / "lame.mp3")], env)


def edited_copy(routine: str, work: Path) -> Path:
    """The built-in routine with one move of one step reworded, to count what an edit re-synthesises."""
    path = work / f"{routine}.yaml"
    text = (resources.files("voiceguide") / "routines" / f"{routine}.yaml").read_text(encoding="utf-8")
    first_move = re.search(r"    moves:\n      - (.+)\n", text)
    assert first_move, "the routine has no moves to edit"
    path.write_text(text.replace(first_move[1], first_move[1] + " Slowly.", 1), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Runs:
    """The same measurement taken once per round: reported as the median, with the spread."""

    runs: tuple[Run, ...]

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(run.peak_mb for run in self.runs)

    @property
    def new_clips(self) -> int:
        return self.runs[0].new_clips

    def spread(self) -> str:
        times = sorted(run.seconds for run in self.runs)
        return f"({times[0]:.2f}-{times[-1]:.2f})" if len(times) > 1 else ""

    def against(self, other: Runs | list[float]) -> float:
        """The median of each round's time over ``other``'s in the same round (times, or seconds
        per round): the two were taken a few seconds apart, with the machine in the same state,
        where the medians of a busy run can come from different spells."""
        seconds = [run.seconds for run in other.runs] if isinstance(other, Runs) else other
        if len(seconds) != len(self.runs):  # a single long render against the rounds' medians
            return self.seconds / statistics.median(seconds)
        return statistics.median(run.seconds / base for run, base in zip(self.runs, seconds, strict=True))


def line(label: str, runs: Runs, against: Runs, extra: str = "") -> str:
    ratio = runs.against(against)
    return (
        f"{label:<24} {runs.seconds:6.2f} s {runs.spread():<13} {ratio:5.2f}x encoder  "
        f"peak {runs.peak_mb:4.0f} MB{extra}"
    )


def one_round(args: argparse.Namespace, work: Path) -> dict[str, Run | float]:
    """Every 10-minute measurement once, each cold render with an empty cache of its own."""
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    found: dict[str, Run | float] = {}
    found["cold"] = render(args.routine, args.minutes, work / "cold.mp3", env)
    found["warm"] = render(args.routine, args.minutes, work / "warm.mp3", env)
    found["edited"] = render(str(edited_copy(args.routine, work)), args.minutes, work / "edit.mp3", env)
    found["encoder"] = encoder_only(work / "cold.mp3", work, env)
    found["lame"] = lame_only(work, env)
    for voice in NATURAL_VOICES:
        voice_env = {**os.environ, "XDG_CACHE_HOME": str(work / f"{voice}-cache")}
        found[f"{voice} cold"] = render(args.routine, args.minutes, work / f"{voice}.mp3", voice_env, voice)
        found[f"{voice} warm"] = render(args.routine, args.minutes, work / f"{voice}2.mp3", voice_env, voice)
        # LAME's work depends on the sound: each voice's session is encoded on its own.
        found[f"{voice} encoder"] = encoder_only(work / f"{voice}.mp3", work, env)
    found["synthesis"] = piper_synthesis_seconds(args.routine, args.minutes, env)
    return found


def compile_package() -> None:
    """Byte-compile voiceguide's modules, as installing a package does. Where
    PYTHONDONTWRITEBYTECODE is set (as on these machines) an editable install never gets them,
    and every command would compile its modules again: about 0.05 s of each render."""
    import voiceguide

    compileall.compile_dir(Path(voiceguide.__file__).parent, quiet=1)


@dataclass(frozen=True)
class Target:
    """One of the performance targets, as measured in this run."""

    what: str
    measured: float
    limit: float
    unit: str = "x"

    def __str__(self) -> str:
        verdict = "met" if self.measured <= self.limit else "MISSED"
        return (
            f"  {verdict:<7} {self.what}: {self.measured:.3g}{self.unit} (at most {self.limit:g}{self.unit})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="daily")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--long", type=float, default=60, help="minutes of the long render (0 to skip)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the 10-minute measurements")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as folder:
        work = Path(folder)
        rounds = []
        for number in range(args.rounds):
            (work / str(number)).mkdir()
            rounds.append(one_round(args, work / str(number)))
        size_mb = (work / "0" / "cold.mp3").stat().st_size / 1e6
        print(
            f"routine {args.routine}, {args.minutes:g} min, {size_mb:.1f} MB MP3, {os.cpu_count()} cores; "
            f"median of {args.rounds} rounds (fastest-slowest)"
        )
        measured = {name: Runs(tuple(r[name] for r in rounds)) for name in rounds[0] if name != "synthesis"}
        synthesis = [float(r["synthesis"]) for r in rounds]
        targets = print_ten_minutes(measured, synthesis)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "0" / "cache")}
        targets += print_batch_and_long(args, work, env, measured["encoder"], measured["warm"])
    print("targets:")
    print("\n".join(str(target) for target in targets))


def print_ten_minutes(measured: dict[str, Runs], synthesis_per_round: list[float]) -> list[Target]:
    encode = measured["encoder"]
    for voice in ("system", *NATURAL_VOICES):
        encoder = measured["encoder" if voice == "system" else f"{voice} encoder"]
        print(f"{'encoder only, ' + voice:<24} {encoder.seconds:6.2f} s {encoder.spread()}")
    print(line("LAME in-process alone", measured["lame"], encode, "  (the render's own encoder path)"))
    rows = {"cold": ("cold render", encode), "warm": ("warm render", encode)}
    rows["edited"] = ("one move edited", encode)
    for voice, kind in itertools.product(NATURAL_VOICES, ("cold", "warm")):
        rows[f"{voice} {kind}"] = (f"{voice}, {kind}", measured[f"{voice} encoder"])
    for name, (label, encoder) in rows.items():
        print(line(label, measured[name], encoder, f"  {measured[name].new_clips} clips synthesised"))
    lame = measured["lame"]
    print(f"against LAME in-process alone: cold {measured['cold'].against(lame):.2f}x, "
          f"warm {measured['warm'].against(lame):.2f}x (system voice)")  # fmt: skip
    default = NATURAL_VOICES[0]
    default_cold, default_encoder = measured[f"{default} cold"], measured[f"{default} encoder"]
    warm_natural = [
        Target(f"warm render, {voice}", measured[f"{voice} warm"].against(measured[f"{voice} encoder"]), 1.15)
        for voice in NATURAL_VOICES
    ]
    return [
        Target("cold render, system voice, against the encoder", measured["cold"].against(encode), 1.2),
        Target("warm render, system voice", measured["warm"].against(encode), 1.15),
        *warm_natural,
        Target(f"cold render, {default} (default natural voice)", default_cold.against(default_encoder), 1.5),
        Target(f"cold render, {default}, peak memory", default_cold.peak_mb, 300, " MB"),
        piper_target(measured, synthesis_per_round),
        Target("clips synthesised by a warm render", measured["warm"].new_clips, 0, " clips"),
        Target("clips synthesised after one move is edited", measured["edited"].new_clips, 1, " clips"),
    ]  # fmt: skip


def piper_target(measured: dict[str, Runs], synthesis_per_round: list[float]) -> Target:
    """Piper's cold render against its encoder plus its synthesis spread over the cores: how well
    speaking overlaps mixing and encoding, for a voice whose synthesis outweighs the encoder."""
    cores = os.cpu_count() or 1
    synthesis = statistics.median(synthesis_per_round)
    encoder = measured["piper encoder"]
    print(f"{'piper synthesis alone':<24} {synthesis:6.2f} s  (one core); cold allowed: its encoder + "
          f"{synthesis:.2f} / {cores} cores = {encoder.seconds + synthesis / cores:.2f} s;")  # fmt: skip
    allowed_per_round = [
        run.seconds + seconds / cores for run, seconds in zip(encoder.runs, synthesis_per_round, strict=True)
    ]
    ratio = measured["piper cold"].against(allowed_per_round)
    print(f"{'':<24} piper's cold render took {ratio:.3f}x that")
    return Target("cold render, piper, against encoder + synthesis / cores", ratio, 1.0)


def print_batch_and_long(
    args: argparse.Namespace, work: Path, env: dict[str, str], encode: Runs, warm: Runs
) -> list[Target]:
    render_all = [*VOICEGUIDE, "render", "--all", "-d", str(work / "all"), "--engine", "pyttsx3"]
    timed(render_all, env)  # fills the cache, so both ways below render warm
    every = timed(render_all, env)
    names = sorted(p.stem for p in (work / "all").glob("*.mp3"))
    one_by_one = sum(render(name, None, work / "one" / f"{name}.mp3", env).seconds for name in names)
    print(f"{'render --all (warm)':<24} {every.seconds:6.2f} s  vs {one_by_one:.2f} s one after another "
          f"({one_by_one / every.seconds:.2f}x faster, {len(names)} routines)")  # fmt: skip
    targets = [Target("render --all, time against one after another", every.seconds / one_by_one, 1.0)]
    if not args.long:
        return targets
    long_cold = Runs((render(args.routine, args.long, work / "long.mp3", env),))
    long_warm = Runs((render(args.routine, args.long, work / "long2.mp3", env),))
    print(line(f"{args.long:g} min, new length", long_cold, encode, f"  {long_cold.new_clips} clips"))
    print(line(f"{args.long:g} min, warm", long_warm, encode))
    time_ratio, memory_ratio = long_warm.seconds / warm.seconds, long_warm.peak_mb / warm.peak_mb
    ratios = f"{time_ratio:.2f}x time, {memory_ratio:.2f}x peak memory"
    print(f"{args.long:g} min / {args.minutes:g} min (warm): {ratios}")
    peak_mb = max(long_cold.peak_mb, long_warm.peak_mb)
    limit = round(1.1 * args.long / args.minutes, 2)
    return [
        *targets,
        Target(f"{args.long:g}-minute render, peak memory", peak_mb, 250, " MB"),
        # Linear in length, with a tenth to spare: 6.6x for 60 minutes against 10.
        Target(f"{args.long:g}-minute render, time against {args.minutes:g} minutes", time_ratio, limit),
    ]


if __name__ == "__main__":
    main()
