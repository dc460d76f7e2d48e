"""What a step may say, before it is placed in time: its opening, its moves (with any counted
strokes) side by side, its ending; and the same words with fewer strokes, for a step short of time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

CueKind = Literal["opening", "side", "move", "halfway", "reminder", "transition", "closing"]

# After a counted move's words, the hands find their place before the first stroke's beat.
STROKE_LEAD_MS = 700


@dataclass(frozen=True)
class Strokes:
    """Counted strokes after a move's words: a beat (a tick, or a spoken count) every ``tempo_ms``."""

    count: int
    tempo_ms: int
    written: int
    """The count the routine asks for; more than ``count`` when the step was too short for all."""
    counts: tuple[str, ...] = ()
    """The words said on the beats when there are no ticks (``1.``, ``2.``, ...), else empty."""

    @property
    def stretch_ms(self) -> int:
        """From the end of the move's words to the end of the last stroke."""
        return STROKE_LEAD_MS + self.count * self.tempo_ms

    def beats_ms(self, words_end_ms: int) -> list[int]:
        """When each stroke begins, for words that end at ``words_end_ms``."""
        first_ms = words_end_ms + STROKE_LEAD_MS
        return [first_ms + n * self.tempo_ms for n in range(self.count)]

    def fewer(self, removed: int = 1) -> Strokes:
        count = self.count - removed
        return replace(self, count=count, counts=self.counts[:count])


@dataclass(frozen=True)
class MoveLine:
    """A movement as said, with the strokes counted after it, if any."""

    text: str
    strokes: Strokes | None = None


@dataclass(frozen=True)
class Section:
    """One side of a two-sided step (or the whole step): an optional side cue, then the moves."""

    side_cue: str | None
    moves: tuple[MoveLine, ...]


@dataclass(frozen=True)
class StepWords:
    """Everything a step may say, before it is placed in time."""

    opening: str
    sections: tuple[Section, ...]
    ending: tuple[CueKind, str] | None
    halfway: str | None


def removable_strokes(words: StepWords) -> int:
    """How many strokes can go before every counted move is down to one."""
    return sum(move.strokes.count - 1 for move in _moves(words) if move.strokes)


def with_fewer_strokes(words: StepWords, removed: int) -> StepWords:
    """The same words with ``removed`` strokes fewer, taken one at a time from the move that
    counts the most (the first of equals): every count is cut to a level, and the first moves at
    that level lose one more. Worked out at once, not stroke by stroke."""
    counts = [move.strokes.count if move.strokes else 0 for move in _moves(words)]
    level = _level_after(counts, removed)
    left = removed - sum(max(0, count - level) for count in counts)
    new_counts = []
    for count in counts:
        new_count = min(count, level)
        if new_count == level and left > 0 and count:
            new_count, left = level - 1, left - 1
        new_counts.append(new_count)
    return _with_counts(words, iter(new_counts))


def _level_after(counts: Sequence[int], removed: int) -> int:
    """The lowest level (at least 1) that cutting every count to it takes no more than ``removed``."""
    low, high = 1, max(counts, default=1)
    while low < high:
        middle = (low + high) // 2
        if sum(max(0, count - middle) for count in counts) <= removed:
            high = middle
        else:
            low = middle + 1
    return low


def _moves(words: StepWords) -> list[MoveLine]:
    return [move for section in words.sections for move in section.moves]


def _with_counts(words: StepWords, counts: Iterator[int]) -> StepWords:
    sections = tuple(
        replace(section, moves=tuple(_counted(move, next(counts)) for move in section.moves))
        for section in words.sections
    )
    return replace(words, sections=sections)


def _counted(move: MoveLine, count: int) -> MoveLine:
    return replace(move, strokes=move.strokes.fewer(move.strokes.count - count)) if move.strokes else move
