"""Durations as people write them: ``90s``, ``1.5m``, ``1m30s``, ``2 min``, or plain seconds."""

from __future__ import annotations

import math
import re

# No length of time voiceguide takes comes near this (about three years); refusing anything longer
# here keeps absurd numbers out of every later sum, and each option then applies its own limit.
LONGEST_SECONDS = 100_000_000
LONGEST_WRITTEN_CHARS = 40
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "min": 60.0, "s": 1.0, "sec": 1.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|min|m|sec|s)")
_WHOLE = re.compile(r"^(?:\s*\d+(?:\.\d+)?\s*(?:h|min|m|sec|s)\s*)+$")


def parse_seconds(value: str | float | int) -> float:
    """Seconds in ``value``; raises ValueError with a message naming the accepted forms."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a duration")
    seconds = _written_seconds(value) if isinstance(value, str) else _number(value)
    if math.isnan(seconds) or (math.isinf(seconds) and not isinstance(value, str)):
        raise ValueError(f'"{_shown(value)}" is not a length of time; give a positive one like 90s or 1.5m')
    if abs(seconds) > LONGEST_SECONDS:
        raise ValueError(f'"{_shown(value)}" is far too long a duration')
    return seconds


def _written_seconds(value: str) -> float:
    text = value.strip().lower()
    if len(text) > LONGEST_WRITTEN_CHARS:
        raise ValueError(f'"{_shown(value)}" is not a duration; write it like 90s, 1.5m or 1m30s')
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text)
    if not _WHOLE.match(text):
        raise ValueError(f'"{value}" is not a duration; write it like 90s, 1.5m or 1m30s')
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _PART.findall(text))


def _number(value: float) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer of hundreds of digits: longer than any limit
        return LONGEST_SECONDS * 2.0


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:20]}..."


def format_clock(ms: int) -> str:
    """``m:ss`` for a time on the session's axis."""
    total_seconds = round(ms / 1000)
    return f"{total_seconds // 60}:{total_seconds % 60:02d}"
