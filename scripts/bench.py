#!/usr/bin/env python3
"""The benchmark: render times against the encoder alone, measured in one run on this machine.

Timings on shared machines are noisy, so every figure is compared as a ratio to the encoder-only
time measured in the same run: ffmpeg encoding the same finished audio at the same settings.

Usage: .venv/bin/python scripts/bench.py [--routine daily] [--minutes 10] [--long 60]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VOICEGUIDE = [sys.executable, "-m", "voiceguide"]


def timed(command: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, input=stdin, check=True, capture_output=True)
    return time.perf_counter() - start


def peak_child_mb() -> float:
    # ru_maxrss of children: the largest process waited for so far, in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def render(routine: str, minutes: float, out: Path, env: dict[str, str]) -> float:
    return timed([*VOICEGUIDE, "render", routine, "--minutes", str(minutes), "-o", str(out)], env)


def encoder_only(mp3: Path, work: Path, env: dict[str, str]) -> float:
    """ffmpeg alone encoding the finished session's PCM at the same settings (stereo, 128k CBR)."""
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mp3), "-f", "s16le", "-ar", "44100", "-ac", "2", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    command = ["ffmpeg", "-v", "error", "-y", "-f", "s16le", "-ar", "44100", "-ac", "2", "-i", "pipe:0",
               "-c:a", "libmp3lame", "-b:a", "128k", str(work / "encoder-only.mp3")]  # fmt: skip
    return timed(command, env, stdin=pcm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="daily")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--long", type=float, default=60, help="minutes of the long render (0 to skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as folder:
        work = Path(folder)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
        cold = render(args.routine, args.minutes, work / "cold.mp3", env)
        cold_peak = peak_child_mb()
        warm = render(args.routine, args.minutes, work / "warm.mp3", env)
        encode = encoder_only(work / "cold.mp3", work, env)
        size_mb = (work / "cold.mp3").stat().st_size / 1e6
        print(f"routine {args.routine}, {args.minutes:g} min, {size_mb:.1f} MB")
        print(f"encoder only   {encode:6.2f} s")
        print(f"cold render    {cold:6.2f} s   {cold / encode:5.2f}x encoder   peak {cold_peak:.0f} MB")
        print(f"warm render    {warm:6.2f} s   {warm / encode:5.2f}x encoder")
        if args.long:
            long_time = render(args.routine, args.long, work / "long.mp3", env)
            ratio = long_time / warm
            print(
                f"{args.long:g} min render {long_time:6.2f} s   {ratio:5.2f}x the warm {args.minutes:g} min "
                f"render   peak {peak_child_mb():.0f} MB (largest process so far)"
            )


if __name__ == "__main__":
    main()
