"""Text read from a session file's tags, made safe to write anywhere: any MP3 may be shared or
exported, and its tags may hold newlines (a new playlist entry), characters XML refuses (a broken
feed) or direction overrides (a title that reads other than it is)."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]+")
# What a page or a feed shows of a title at most: enough for any real one, and a file's tags
# cannot make a page of megabytes.
MAX_TITLE_CHARS = 500


def one_line(text: str) -> str:
    """``text`` as one printable line: control characters become spaces, runs of space one.
    A lone surrogate (from a file name or an argument that was not UTF-8) becomes "?": UTF-8 has
    no way to write it."""
    text = text.encode("utf-8", "replace").decode()
    return " ".join(_UNPRINTABLE.sub(" ", text).split())


def title_line(text: str, max_chars: int = MAX_TITLE_CHARS) -> str:
    """``text`` as one printable line of at most ``max_chars``, cut with an ellipsis."""
    line = one_line(text)
    return line if len(line) <= max_chars else line[: max_chars - 1].rstrip() + "…"
