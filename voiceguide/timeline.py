"""The session on its time axis, in whole milliseconds: every sound placed, the chapters and the
timed lyrics. Made by ``arranging``, read by mixing, tagging and the sidecars."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voiceguide.music import Background
from voiceguide.narration import Chapter


@dataclass(frozen=True)
class Placement:
    """A sound file starting at ``at_ms`` and lasting ``duration_ms`` (or until it ends)."""

    sound: Path
    at_ms: int
    duration_ms: int
    gain_db: float = 0.0
    is_voice: bool = False
    """Speech: the background dips under it."""


@dataclass(frozen=True)
class LyricLine:
    at_ms: int
    text: str
    end_ms: int
    """When the sentence has been said (the next one's start, or the clip's end)."""


@dataclass(frozen=True)
class Timeline:
    title: str
    language: str
    total_ms: int
    placements: tuple[Placement, ...]
    chapters: tuple[Chapter, ...]
    lyrics: tuple[LyricLine, ...]
    background: Background | None = None

    def placements_until(self, end_ms: int) -> tuple[Placement, ...]:
        """All placements: a finished timeline is already whole (mixing asks as it goes)."""
        return self.placements
