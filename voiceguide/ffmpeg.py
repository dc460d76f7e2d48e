"""Finding and running ffmpeg, which decodes what the user brings, encodes what LAME does not, and
measures finished files with its EBU R128 meter."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from voiceguide.errors import MissingToolError, VoiceguideError

# The meter prints momentary loudness every 100 ms ("t: 1.2 TARGET:-23 LUFS M: -18.1 S: ..."),
# then a summary with the integrated loudness and, with peak=true, the true peak.
_MOMENTARY = re.compile(r"t:\s*([\d.]+)\s+TARGET:.*?M:\s*(-?[\d.]+|-inf|nan)")
_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_TRUE_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


@dataclass(frozen=True)
class LoudnessReading:
    """What ffmpeg's EBU R128 meter says of a file."""

    integrated_lufs: float
    true_peak_dbtp: float
    seconds: tuple[float, ...]
    """When each momentary reading was taken."""
    momentary_lufs: tuple[float, ...]
    """Loudness over the 400 ms before each of ``seconds`` (-inf in digital silence)."""


def require_ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise MissingToolError(
            "ffmpeg is not installed; install it (sudo apt-get install ffmpeg, or brew install ffmpeg) "
            "or run ./scripts/demo"
        )
    return path


def read_loudness(path: Path) -> LoudnessReading:
    """The file measured by ffmpeg's EBU R128 meter, true peak included."""
    command = [require_ffmpeg(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
               "-filter_complex", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if done.returncode != 0 or "Summary:" not in done.stderr:
        raise VoiceguideError(f"{path}: not an audio file ffmpeg can read")
    log = done.stderr
    points = [(float(t), _reading(m)) for t, m in _MOMENTARY.findall(log)]
    summary = log[log.rindex("Summary:") :]
    integrated, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    return LoudnessReading(
        _reading(integrated[1]) if integrated else -math.inf,
        _reading(peak[1]) if peak else -math.inf,
        tuple(t for t, _ in points),
        tuple(m for _, m in points),
    )


def _reading(text: str) -> float:
    return -math.inf if text in ("-inf", "nan") else float(text)
