#!/usr/bin/env python3
"""Listen to each voice by measurement: render a routine with it (no chimes), and report what an
independent recogniser (Whisper tiny.en) understood of the narration's content words, the words it
missed, and the pace measured from the audio (words a minute of voiced time).

English only: tiny.en is an English recogniser.

Usage: .venv/bin/python scripts/listen.py [--routine daily] [--voices hibari,piper,pyttsx3]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# The recogniser's helpers live with the tests that listen the same way.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hearing import decoded_for_recogniser, recall, transcribe

from voiceguide.speech.calibration import voiced_seconds, words_in


def lyrics_text(lrc: Path) -> str:
    return " ".join(re.sub(r"^\[[^\]]*\]", "", line) for line in lrc.read_text(encoding="utf-8").splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="daily")
    parser.add_argument("--voices", default="hibari,piper,pyttsx3", help="engines, comma-separated")
    args = parser.parse_args()
    print(f"{'voice':<10} {'recall':>7} {'pace':>9}  missed")
    with tempfile.TemporaryDirectory() as work:
        for engine in args.voices.split(","):
            session = Path(work) / f"{engine}.mp3"
            command = [sys.executable, "-m", "voiceguide", "render", args.routine, "--no-chimes",
                       "--engine", engine, "-o", str(session)]  # fmt: skip
            subprocess.run(command, check=True, capture_output=True)
            said = lyrics_text(session.with_suffix(".lrc"))
            audio = decoded_for_recogniser(session)
            share, missed = recall(said, transcribe(audio))
            pace = 60 * words_in(said) / voiced_seconds(audio, 16_000)
            print(f"{engine:<10} {share:7.1%} {pace:5.1f} wpm  {', '.join(missed)}")


if __name__ == "__main__":
    main()
