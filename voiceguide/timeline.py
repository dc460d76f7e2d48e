"""Placing the spoken clips, chimes and background on the session's time axis, in whole milliseconds."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.errors import FittingError
from voiceguide.music import Background
from voiceguide.narration import (
    CLOSING_TAIL_MS,
    CUE_GAP_MS,
    MIN_QUIET_MS,
    QUIET_RULE_FROM_STEP_MS,
    STEP_END_MARGIN_MS,
    Chapter,
    Cue,
    Script,
)
from voiceguide.speech import Clip

# The end chime starts this long after the closing words end, or this long before the file ends.
END_CHIME_AFTER_WORDS_MS = 400


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


@dataclass(frozen=True)
class ChimeSound:
    path: Path
    duration_ms: int
    gain_db: float = 0.0
    """What brings the sound to the chimes' loudness."""


@dataclass(frozen=True)
class Chimes:
    """The sound at each step's start, and the distinct one that ends the session."""

    step: ChimeSound
    end: ChimeSound


class TimelineBuilder:
    """Places the session step by step, fetching each step's clips only when it is placed, so
    mixing can begin while later clips are still being spoken."""

    def __init__(
        self,
        script: Script,
        clip_for: Callable[[str], Clip],
        chimes: Chimes | None,
        background: Background | None = None,
    ):
        self.script = script
        self.clip_for = clip_for
        self.chimes = chimes
        self.background = background
        self.total_ms = script.total_ms
        self._placements: list[Placement] = []
        self._lyrics: list[LyricLine] = []
        self._steps_placed = 0

    def placements_until(self, end_ms: int) -> list[Placement]:
        """Every placement of the steps that start before ``end_ms``, in time order."""
        chapters = self.script.chapters
        while self._steps_placed < len(chapters) and chapters[self._steps_placed].start_ms < end_ms:
            self._place(self._steps_placed)
            self._steps_placed += 1
        return self._placements

    def timeline(self) -> Timeline:
        placements = tuple(self.placements_until(self.total_ms + 1))
        script = self.script
        return Timeline(
            script.title,
            script.language,
            script.total_ms,
            placements,
            script.chapters,
            tuple(self._lyrics),
            self.background,
        )

    def _place(self, index: int) -> None:
        chapter = self.script.chapters[index]
        cues = [cue for cue in self.script.cues if cue.step_index == index]
        clips = {cue.text: self.clip_for(cue.text) for cue in cues}
        placed = _place_step(cues, chapter, clips)
        if self.chimes:
            self._placements.append(_chime_at(self.chimes.step, chapter.start_ms))
        voices = [
            Placement(clips[cue.text].path, at_ms, clips[cue.text].duration_ms, is_voice=True)
            for cue, at_ms in placed
        ]
        self._placements += voices
        if self.chimes and index == len(self.script.chapters) - 1:
            self._placements.append(self._end_chime(voices[-1] if voices else None))
        self._lyrics += [
            line for cue, at_ms in placed for line in _sentence_lines(cue.text, at_ms, clips[cue.text])
        ]

    def _end_chime(self, last_words: Placement | None) -> Placement:
        """Rings out after the closing words; the file's closing fade takes what does not fit."""
        assert self.chimes is not None
        words_end_ms = last_words.at_ms + last_words.duration_ms if last_words else 0
        ring_ms = min(self.chimes.end.duration_ms, CLOSING_TAIL_MS)
        at_ms = max(words_end_ms + END_CHIME_AFTER_WORDS_MS, self.total_ms - ring_ms)
        return _chime_at(self.chimes.end, min(at_ms, self.total_ms - 1))


def _chime_at(chime: ChimeSound, at_ms: int) -> Placement:
    return Placement(chime.path, at_ms, chime.duration_ms, chime.gain_db)


def build_timeline(
    script: Script, clips: Mapping[str, Clip], chimes: Chimes | None, background: Background | None = None
) -> Timeline:
    """Every cue placed where it was planned, or later if real speech ran long; chimes at steps."""
    return TimelineBuilder(script, clips.__getitem__, chimes, background).timeline()


def _place_step(cues: Sequence[Cue], chapter: Chapter, clips: Mapping[str, Clip]) -> list[tuple[Cue, int]]:
    """The step's cues with their real start times; reminders give way first when time is short."""
    placed = _place_in_order(cues, chapter, clips)
    if not _has_quiet_stretch(placed, chapter, clips):
        placed = _place_in_order([c for c in cues if not c.optional], chapter, clips)
    if not _has_quiet_stretch(placed, chapter, clips):
        raise FittingError(
            f'step "{chapter.title}" has too much to say for its {_seconds(chapter)} s: '
            f"leave at least {MIN_QUIET_MS // 1000} s of quiet (shorter lines or a longer step)"
        )
    return placed


def _place_in_order(
    cues: Sequence[Cue], chapter: Chapter, clips: Mapping[str, Clip]
) -> list[tuple[Cue, int]]:
    limit_ms = chapter.end_ms - STEP_END_MARGIN_MS
    placed: list[tuple[Cue, int]] = []
    free_from_ms = chapter.start_ms
    for number, cue in enumerate(cues):
        length_ms = clips[cue.text].duration_ms
        at_ms = max(cue.at_ms, free_from_ms)
        if cue.optional:
            next_fixed_ms = next((c.at_ms for c in cues[number + 1 :] if not c.optional), limit_ms)
            if at_ms + length_ms + CUE_GAP_MS > min(next_fixed_ms, limit_ms):
                continue
        elif at_ms + length_ms > limit_ms:
            at_ms = limit_ms - length_ms  # an ending cue may start early rather than run over
            if at_ms < free_from_ms - CUE_GAP_MS // 2:
                raise FittingError(
                    f'step "{chapter.title}" is too short ({_seconds(chapter)} s) for what it says; '
                    "give it a longer duration or the session more minutes"
                )
        placed.append((cue, at_ms))
        free_from_ms = at_ms + length_ms + CUE_GAP_MS
    return placed


def _has_quiet_stretch(
    placed: Sequence[tuple[Cue, int]], chapter: Chapter, clips: Mapping[str, Clip]
) -> bool:
    if chapter.end_ms - chapter.start_ms < QUIET_RULE_FROM_STEP_MS:
        return True
    edges = [chapter.start_ms]
    for cue, at_ms in placed:
        edges += [at_ms, at_ms + clips[cue.text].duration_ms]
    edges.append(chapter.end_ms)
    return any(end - start >= MIN_QUIET_MS for start, end in zip(edges[::2], edges[1::2], strict=True))


def _sentence_lines(text: str, at_ms: int, clip: Clip) -> list[LyricLine]:
    """One lyric line per sentence, timed in proportion to its share of the clip's characters."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    total_chars = sum(len(s) for s in sentences)
    lines, chars_before = [], 0
    for sentence in sentences:
        lines.append(LyricLine(at_ms + clip.duration_ms * chars_before // total_chars, sentence))
        chars_before += len(sentence)
    return lines


def _seconds(chapter: Chapter) -> int:
    return round((chapter.end_ms - chapter.start_ms) / 1000)
