"""Timing the lyrics: when each sentence of a spoken clip is heard."""

from __future__ import annotations

import re

from voiceguide.pauses import pause_total_ms, split_pauses
from voiceguide.speech import Clip
from voiceguide.timeline import LyricLine


def sentence_lines(text: str, at_ms: int, clip: Clip) -> list[LyricLine]:
    """One lyric line per sentence: written pauses take their exact length, and the speaking time
    left is shared among the sentences in proportion to their characters."""
    parts = split_pauses(text)
    sentences = [[s for s in re.split(r"(?<=[.!?])\s+", p) if s] if isinstance(p, str) else p for p in parts]
    total_chars = sum(len(s) for part in sentences if isinstance(part, list) for s in part)
    speaking_ms = max(0, clip.duration_ms - pause_total_ms(text))
    spans, now_ms = [], float(at_ms)
    for part in sentences:
        if isinstance(part, int):
            now_ms += part
            continue
        for sentence in part:
            length_ms = speaking_ms * len(sentence) / max(total_chars, 1)
            spans.append((round(now_ms), sentence, round(now_ms + length_ms)))
            now_ms += length_ms
    return [LyricLine(start, sentence, end) for start, sentence, end in spans]
