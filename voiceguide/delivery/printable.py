"""Text read from a session file's tags, made safe to write anywhere: any MP3 may be shared or
exported, and its tags may hold newlines (a new playlist entry), characters XML refuses (a broken
feed) or direction overrides (a title that reads other than it is)."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]+")


def one_line(text: str) -> str:
    """``text`` as one printable line: control characters become spaces, runs of space one."""
    return " ".join(_UNPRINTABLE.sub(" ", text).split())
