#!/usr/bin/env python3
"""Write the golden cue sheets: `voiceguide show NAME --lang LANG --format json` for each built-in
routine at its own length, into tests/golden/. Run it only for a deliberate change of what is
said when, and say why in the commit.

Usage: .venv/bin/python scripts/golden_cue_sheets.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from voiceguide.routines import builtin_names

LANGUAGES = ("en", "fr")
GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name in builtin_names():
        for language in LANGUAGES:
            command = [
                sys.executable,
                "-m",
                "voiceguide",
                "show",
                name,
                "--lang",
                language,
                "--format",
                "json",
            ]
            sheet = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            (GOLDEN / f"{name}.{language}.json").write_text(sheet, encoding="utf-8")
            print(f"tests/golden/{name}.{language}.json")


if __name__ == "__main__":
    main()
