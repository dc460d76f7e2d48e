"""The script: everything said in a session with its times, and the chapters it falls in."""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.narration.layout import Cue


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int
    grown_from_ms: int | None = None
    """The step's share of the session, when that was too short for what it holds and it grew."""


@dataclass(frozen=True)
class Script:
    """Everything that is said in a session, with its times, and the chapters it falls in."""

    title: str
    language: str
    total_ms: int
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    lead_in_ms: int = 0
    """Quiet before the first step (which starts there), with a soft tone at its end."""

    def spoken_texts(self, step_index: int | None = None) -> list[str]:
        """Every distinct text the voice says (in one step, if given): the cues' lines and the
        counts on stroke beats, in the order they are heard."""
        cues = [cue for cue in self.cues if step_index is None or cue.step_index == step_index]
        return list(dict.fromkeys(text for cue in cues for text in cue.spoken_texts))
