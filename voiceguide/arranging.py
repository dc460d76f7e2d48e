"""Arranging the session: each step's clips placed where the script planned them (or later, if real
speech ran long), with chimes, bells, ticks and the background, fetched only as mixing reaches them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

from voiceguide.chimes import Chimes, ChimeSound
from voiceguide.lyrics import sentence_lines
from voiceguide.music import Background
from voiceguide.narration import CLOSING_TAIL_MS, CUE_GAP_MS, Chapter, Cue, Script, Strokes
from voiceguide.speech import Clip
from voiceguide.step_lines import place_in_order, place_step
from voiceguide.timeline import LyricLine, Placement, Timeline

# The end chime starts this long after the closing words end, or this long before the file ends.
END_CHIME_AFTER_WORDS_MS = 400
# A bell inside a step stays this far from speech, and out of the step's last seconds.
BELL_CLEAR_OF_SPEECH_MS = 500
BELL_CLEAR_OF_STEP_END_MS = 3000


class TimelineBuilder:
    """Places the session step by step, fetching clips only as mixing reaches them, so mixing
    can begin while later clips are still being spoken."""

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
        """Every placement that starts before ``end_ms`` (and others already known): the steps
        before it placed whole, and of a step still being spoken what its first lines settle."""
        chapters = self.script.chapters
        while self._steps_placed < len(chapters) and self._first_sound_ms(self._steps_placed) < end_ms:
            early = self._early_placements(self._steps_placed, end_ms)
            if early is not None:
                return self._placements + early
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
        cues = self._cues_of(index)
        clips = {text: self.clip_for(text) for cue in cues for text in cue.spoken_texts}
        placed = place_step(cues, chapter, clips)
        voices, beats, strokes = self._lines(placed, clips)
        self._placements += sorted(voices + beats, key=lambda placement: placement.at_ms)
        if self.chimes:
            busy = [(v.at_ms, v.at_ms + v.duration_ms) for v in voices]
            busy += [(words_end_ms, words_end_ms + s.stretch_ms) for s, words_end_ms in strokes]
            self._placements += self._chimes_of_step(index, chapter, busy, voices)
        self._lyrics += [
            line for cue, at_ms in placed for line in sentence_lines(cue.text, at_ms, clips[cue.text])
        ]

    def _early_placements(self, index: int, end_ms: int) -> list[Placement] | None:
        """The step's placements before ``end_ms`` from its leading fixed lines alone, their
        clips fetched one by one; None when that takes the whole step.

        A fixed line's place depends only on the lines before it, and the fallback that drops
        optional lines keeps the fixed lines before the first of them where they were; a later
        line starts at least half a gap after the one before (see ``_settled_until``).
        """
        if self.chimes and self.chimes.bell and self.chimes.bell_every_ms:
            return None  # bells step around every line of the step: it is placed whole
        chapter = self.script.chapters[index]
        cues = self._cues_of(index)
        leading = list(itertools.takewhile(lambda cue: not cue.optional, cues))[: len(cues) - 1]
        clips: dict[str, Clip] = {}
        placed: list[tuple[Cue, int]] = []
        for count in range(len(leading) + 1):
            if count:
                clips |= {text: self.clip_for(text) for text in leading[count - 1].spoken_texts}
                placed = place_in_order(leading[:count], chapter, clips)
            if self._settled_until(index, placed, clips) >= end_ms:
                voices, beats, _ = self._lines(placed, clips)
                return voices + beats + self._fixed_chimes(index, chapter)
        return None

    def _settled_until(self, index: int, placed: Sequence[tuple[Cue, int]], clips: Mapping[str, Clip]) -> int:
        """How far the step's placements are known from its ``placed`` leading lines: a next
        line starts no sooner than half a gap after the last (an ending line pulled early stops
        there); no later step, and no end chime, starts before the limit."""
        chapter = self.script.chapters[index]
        settled_ms = chapter.start_ms
        if placed:
            cue, at_ms = placed[-1]
            free_from_ms = at_ms + clips[cue.text].duration_ms + cue.strokes_ms + CUE_GAP_MS
            settled_ms = free_from_ms - CUE_GAP_MS // 2
        is_last = index == len(self.script.chapters) - 1
        return min(settled_ms, self.total_ms - CLOSING_TAIL_MS if is_last else chapter.end_ms)

    def _lines(
        self, placed: Sequence[tuple[Cue, int]], clips: Mapping[str, Clip]
    ) -> tuple[list[Placement], list[Placement], list[tuple[Strokes, int]]]:
        """The placed cues' voices, their strokes' beats, and each cue's strokes with the time its
        words end."""
        voices = [
            Placement(clips[cue.text].path, at_ms, clips[cue.text].duration_ms, is_voice=True)
            for cue, at_ms in placed
        ]
        strokes = [(cue.strokes, at_ms + clips[cue.text].duration_ms) for cue, at_ms in placed if cue.strokes]
        beats = [placement for s in strokes for placement in self._beats(*s, clips)]
        return voices, beats, strokes

    def _cues_of(self, index: int) -> list[Cue]:
        return [cue for cue in self.script.cues if cue.step_index == index]

    def _first_sound_ms(self, index: int) -> int:
        """Where the step's first sound may start: the lead-in's tone rings before the first step."""
        lead_in = self._lead_in_chime() if index == 0 else None
        return min(self.script.chapters[index].start_ms, lead_in.at_ms if lead_in else self.total_ms)

    def _beats(self, strokes: Strokes, words_end_ms: int, clips: Mapping[str, Clip]) -> list[Placement]:
        """A spoken count on each stroke's beat, or else a tick."""
        beats_ms = strokes.beats_ms(words_end_ms)
        if strokes.counts:
            spoken = [clips[count] for count in strokes.counts]
            return [
                Placement(c.path, at_ms, c.duration_ms, is_voice=True)
                for c, at_ms in zip(spoken, beats_ms, strict=True)
            ]
        tick = self.chimes.tick if self.chimes else None
        return [_chime_at(tick, at_ms) for at_ms in beats_ms] if tick else []

    def _chimes_of_step(
        self, index: int, chapter: Chapter, busy: list[tuple[int, int]], voices: list[Placement]
    ) -> list[Placement]:
        chimes = self.chimes
        assert chimes is not None
        placed = self._fixed_chimes(index, chapter)
        if chimes.bell and chimes.bell_every_ms:
            placed += [
                _chime_at(chimes.bell, at_ms) for at_ms in _bell_times(chapter, busy, chimes.bell_every_ms)
            ]
        if chimes.end and index == len(self.script.chapters) - 1:
            placed.append(self._end_chime(chimes.end, voices[-1] if voices else None))
        return placed

    def _fixed_chimes(self, index: int, chapter: Chapter) -> list[Placement]:
        """The step's chimes that no line moves: the lead-in's tone and the step's chime."""
        lead_in = self._lead_in_chime() if index == 0 else None
        step = self.chimes.step if self.chimes else None
        return ([lead_in] if lead_in else []) + ([_chime_at(step, chapter.start_ms)] if step else [])

    def _lead_in_chime(self) -> Placement | None:
        """The soft tone that ends the lead-in, ringing out as the first step starts."""
        tone = self.chimes.lead_in if self.chimes else None
        if tone is None or not self.script.lead_in_ms:
            return None
        return _chime_at(tone, self.script.lead_in_ms - min(tone.duration_ms, self.script.lead_in_ms))

    def _end_chime(self, end: ChimeSound, last_words: Placement | None) -> Placement:
        """Rings out after the closing words; the file's closing fade takes what does not fit."""
        words_end_ms = last_words.at_ms + last_words.duration_ms if last_words else 0
        ring_ms = min(end.duration_ms, CLOSING_TAIL_MS)
        at_ms = max(words_end_ms + END_CHIME_AFTER_WORDS_MS, self.total_ms - ring_ms)
        return _chime_at(end, min(at_ms, self.total_ms - 1))


def _bell_times(chapter: Chapter, busy: Sequence[tuple[int, int]], every_ms: int) -> list[int]:
    """A bell every ``every_ms`` from the step's start, moved past any speech or counted strokes it
    would fall on, and none in the last seconds before the next step's chime."""
    times: list[int] = []
    at_ms = chapter.start_ms + every_ms
    latest_ms = chapter.end_ms - BELL_CLEAR_OF_STEP_END_MS
    while at_ms <= latest_ms:
        ring_ms = _clear_of(at_ms, busy)
        # Two beats inside one long line would both wait for its end: ring once.
        if ring_ms <= latest_ms and (not times or ring_ms > times[-1]):
            times.append(ring_ms)
        at_ms += every_ms
    return times


def _clear_of(at_ms: int, busy: Sequence[tuple[int, int]]) -> int:
    for start_ms, end_ms in sorted(busy):
        if start_ms - BELL_CLEAR_OF_SPEECH_MS < at_ms < end_ms + BELL_CLEAR_OF_SPEECH_MS:
            at_ms = end_ms + BELL_CLEAR_OF_SPEECH_MS
    return at_ms


def _chime_at(chime: ChimeSound, at_ms: int) -> Placement:
    return Placement(chime.path, at_ms, chime.duration_ms, chime.gain_db)
