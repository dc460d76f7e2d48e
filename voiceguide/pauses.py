"""Pause markup in narration lines: ``[pause]``, ``[pause 3s]`` and ``[breath]``.

A line is split into what is spoken and the silences between, so every engine honours the pauses
the same way: each spoken part is synthesised alone and the parts are joined with exact silence.
"""

from __future__ import annotations

import re

from voiceguide.durations import parse_seconds

# A natural pause, and the length of one slow breath in and out.
PAUSE_MS = 1500
BREATH_MS = 5000
# Longer than this is a mistake, not a pause: the step's own quiet is for long silences.
LONGEST_PAUSE_MS = 60_000
_MARKUP = re.compile(r"\[([^\[\]]*)\]")
_NAMED = {"pause": PAUSE_MS, "breath": BREATH_MS}

Part = str | int
"""Words to speak, or milliseconds of silence."""


def split_pauses(line: str) -> list[Part]:
    """``line`` as spoken parts and pauses, in order; raises ValueError for markup it cannot read."""
    parts: list[Part] = []
    position = 0
    for mark in _MARKUP.finditer(line):
        _add_words(parts, line[position : mark.start()])
        parts.append(_pause_ms(mark[0], mark[1]))
        position = mark.end()
    _add_words(parts, line[position:])
    if re.search(r"[\[\]]", _MARKUP.sub("", line)):
        raise ValueError(f'unclosed pause markup in "{line}": write [pause], [pause 3s] or [breath]')
    return parts


def check_pauses(line: str) -> str:
    """``line`` unchanged if its markup is good (for validating routine files)."""
    split_pauses(line)
    return line


def without_pauses(line: str) -> str:
    """The words alone, as shown in lyrics and subtitles."""
    return " ".join(part for part in split_pauses(line) if isinstance(part, str))


def pause_total_ms(line: str) -> int:
    return sum(part for part in split_pauses(line) if isinstance(part, int))


def _add_words(parts: list[Part], words: str) -> None:
    if words.strip():
        parts.append(" ".join(words.split()))


def _pause_ms(written: str, inside: str) -> int:
    written = written if len(written) <= 30 else f"{written[:26]}...]"
    name, _, length = inside.strip().partition(" ")
    if name not in _NAMED or (length and name != "pause"):
        raise ValueError(f'unknown markup "{written}": write [pause], [pause 3s] or [breath]')
    if not length:
        return _NAMED[name]
    try:
        ms = round(parse_seconds(length.strip()) * 1000)
    except ValueError:
        raise ValueError(f'"{written}": write the pause\'s length like [pause 3s] or [pause 1.5s]') from None
    if not 0 < ms <= LONGEST_PAUSE_MS:
        raise ValueError(f'"{written}": a pause lasts more than 0 and at most 60 seconds')
    return ms
