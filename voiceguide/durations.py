"""Durations as people write them: ``90s``, ``1.5m``, ``1m30s``, ``2 min``, or plain seconds."""

from __future__ import annotations

import re

_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "min": 60.0, "s": 1.0, "sec": 1.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|min|m|sec|s)")
_WHOLE = re.compile(r"^(?:\s*\d+(?:\.\d+)?\s*(?:h|min|m|sec|s)\s*)+$")


def parse_seconds(value: str | float | int) -> float:
    """Seconds in ``value``; raises ValueError with a message naming the accepted forms."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        return float(value)
    text = value.strip().lower()
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text)
    if not _WHOLE.match(text):
        raise ValueError(f'"{value}" is not a duration; write it like 90s, 1.5m or 1m30s')
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _PART.findall(text))


def format_clock(ms: int) -> str:
    """``m:ss`` for a time on the session's axis."""
    total_seconds = round(ms / 1000)
    return f"{total_seconds // 60}:{total_seconds % 60:02d}"
