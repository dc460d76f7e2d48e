"""Where a step's lines go on the time axis once their clips' lengths are known: each at its
planned time, or later if the line before ran long; reminders give way first when time is short."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from voiceguide.errors import FittingError
from voiceguide.narration import (
    CUE_GAP_MS,
    MIN_QUIET_MS,
    QUIET_RULE_FROM_STEP_MS,
    STEP_END_MARGIN_MS,
    Chapter,
    Cue,
)
from voiceguide.speech import Clip


def place_step(cues: Sequence[Cue], chapter: Chapter, clips: Mapping[str, Clip]) -> list[tuple[Cue, int]]:
    """The step's cues with their real start times; reminders give way first when time is short."""
    placed = place_in_order(cues, chapter, clips)
    if not _has_quiet_stretch(placed, chapter, clips):
        placed = place_in_order([c for c in cues if not c.optional], chapter, clips)
    if not _has_quiet_stretch(placed, chapter, clips):
        raise FittingError(
            f'step "{chapter.title}" has too much to say for its {_seconds(chapter)} s: '
            f"leave at least {MIN_QUIET_MS // 1000} s of quiet (shorter lines or a longer step)"
        )
    return placed


def place_in_order(cues: Sequence[Cue], chapter: Chapter, clips: Mapping[str, Clip]) -> list[tuple[Cue, int]]:
    """The cues in order, each at its planned time or once the one before has been said; an
    optional cue that no longer fits before the next fixed one is left out. A cue's place depends
    only on the cues before it."""
    limit_ms = chapter.end_ms - STEP_END_MARGIN_MS
    placed: list[tuple[Cue, int]] = []
    free_from_ms = chapter.start_ms
    for number, cue in enumerate(cues):
        length_ms = clips[cue.text].duration_ms + cue.strokes_ms
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


def _seconds(chapter: Chapter) -> int:
    return round((chapter.end_ms - chapter.start_ms) / 1000)
