"""Where each spoken cue goes inside a step, and the shortest a step can be for what it says."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from voiceguide.fitting import PlannedStep
from voiceguide.narration.reminders import ReminderSpacing
from voiceguide.narration.words import CueKind, Section, StepWords, Strokes

# The chime's attack rings first; the voice follows well within the 4 s a step promises.
CHIME_LEAD_MS = 1500
# Breathing room between two spoken cues, and a longer breath before a move: the listener takes
# in what was said before the hands are told what to do next.
CUE_GAP_MS = 800
BREATH_BEFORE_MOVE_MS = 1500
# Speech stops this long before the next step's chime.
STEP_END_MARGIN_MS = 300
# Every step of a minute or more keeps at least this much unbroken quiet for the hands.
MIN_QUIET_MS = 8000
QUIET_RULE_FROM_STEP_MS = 60_000
# The least time the hands get after each spoken movement.
MIN_WORK_PER_MOVE_MS = 3500
# "Last few strokes" is said this long before a long step ends.
TRANSITION_BEFORE_END_MS = 9000
TRANSITION_FROM_STEP_MS = 90_000
# A halfway cue in steps this long or longer.
HALFWAY_FROM_STEP_MS = 120_000
# The closing words end this long before the file does: room for the end chime to ring out.
CLOSING_TAIL_MS = 4000


@dataclass(frozen=True)
class Cue:
    """Something said at ``at_ms`` on the session's axis, during step ``step_index``."""

    at_ms: int
    kind: CueKind
    text: str
    step_index: int
    strokes: Strokes | None = None
    """Strokes counted after the words (moves only)."""

    @property
    def spoken_texts(self) -> list[str]:
        """What the voice says for this cue: its line, then any counts on its stroke beats."""
        return [self.text, *(self.strokes.counts if self.strokes else ())]

    @property
    def strokes_ms(self) -> int:
        """How long its counted strokes last after the words (0 for none)."""
        return self.strokes.stretch_ms if self.strokes else 0

    def busy_ms(self, speech_ms: SpeechLength) -> int:
        """How long the cue keeps the step busy: its words, then its counted strokes."""
        return speech_ms(self.text) + self.strokes_ms

    @property
    def optional(self) -> bool:
        """Reminders and halfway cues give way when real speech runs longer than planned."""
        return self.kind in ("reminder", "halfway")


SpeechLength = Callable[[str], int]


def minimum_step_ms(words: StepWords, speech_ms: SpeechLength) -> int:
    """The shortest step that holds its opening, every move with working time, and its ending."""
    lines = [line for section in words.sections for line in _section_lines(section)]
    # The opening, a breath, the lines with the gaps between them, a gap before the ending.
    speaking_ms = speech_ms(words.opening) + BREATH_BEFORE_MOVE_MS + CUE_GAP_MS
    speaking_ms += sum(speech_ms(line.text) for line in lines) + sum(_gap_before(line) for line in lines[1:])
    moves = [move for section in words.sections for move in section.moves]
    working_ms = sum(_working_ms(move.strokes) for move in moves) if moves else MIN_WORK_PER_MOVE_MS
    shortest = CHIME_LEAD_MS + speaking_ms + working_ms + _ending_reserve_ms(words, speech_ms)
    if shortest >= QUIET_RULE_FROM_STEP_MS - (MIN_QUIET_MS - MIN_WORK_PER_MOVE_MS):
        # Long enough to owe the hands 8 quiet seconds: one move's working time grows to that.
        shortest += MIN_QUIET_MS + CUE_GAP_MS - MIN_WORK_PER_MOVE_MS
    return shortest


def _gap_before(line: Cue) -> int:
    return BREATH_BEFORE_MOVE_MS if line.kind == "move" else CUE_GAP_MS


def _working_ms(strokes: Strokes | None) -> int:
    """The hands' time after a move's words: its counted strokes, or at least the usual minimum."""
    return max(MIN_WORK_PER_MOVE_MS, strokes.stretch_ms) if strokes else MIN_WORK_PER_MOVE_MS


def _ending_reserve_ms(words: StepWords, speech_ms: SpeechLength) -> int:
    """The end of the step the ending cue takes: it is anchored to the end, not to what precedes it."""
    if not words.ending:
        return STEP_END_MARGIN_MS
    kind, text = words.ending
    if kind == "closing":
        return speech_ms(text) + CUE_GAP_MS + CLOSING_TAIL_MS
    return max(TRANSITION_BEFORE_END_MS, speech_ms(text) + STEP_END_MARGIN_MS) + CUE_GAP_MS


def lay_out_step(
    words: StepWords,
    span: PlannedStep,
    speech_ms: SpeechLength,
    reminders: Iterator[str],
    spacing: ReminderSpacing,
) -> list[Cue]:
    """The step's cues in time order: fixed ones first, then optional ones in the silences left."""
    opening = Cue(span.start_ms + CHIME_LEAD_MS, "opening", words.opening, span.index)
    ending = _ending_cue(words, span, speech_ms)
    work_start_ms = opening.at_ms + speech_ms(opening.text) + BREATH_BEFORE_MOVE_MS
    work_end_ms = (ending.at_ms if ending else span.end_ms - STEP_END_MARGIN_MS) - CUE_GAP_MS
    fixed = [opening, *_section_cues(words.sections, span, work_start_ms, work_end_ms, speech_ms)]
    fixed += [ending] if ending else []
    cues = _with_halfway(fixed, words, span, speech_ms)
    return _with_reminders(cues, span, speech_ms, reminders, spacing)


def _section_lines(section: Section) -> list[Cue]:
    """The section's lines as cues not yet placed in time."""
    return [line for beat in _section_beats(section) for line in beat]


def _section_beats(section: Section) -> list[list[Cue]]:
    """The section's lines in beats, each beat said in one go: a side's announcement and its first
    move are one, so the hands are never told where without being told what."""
    moves = [[Cue(0, "move", move.text, -1, move.strokes)] for move in section.moves]
    if not section.side_cue:
        return moves
    side = Cue(0, "side", section.side_cue, -1)
    return [[side, *moves[0]], *moves[1:]] if moves else [[side]]


def _beat_offsets(beat: Sequence[Cue], speech_ms: SpeechLength) -> list[int]:
    """When each line of a beat starts, after the beat's start: each after the one before."""
    offsets = [0]
    for before, line in itertools.pairwise(beat):
        offsets.append(offsets[-1] + before.busy_ms(speech_ms) + _gap_before(line))
    return offsets


def _ending_cue(words: StepWords, span: PlannedStep, speech_ms: SpeechLength) -> Cue | None:
    if not words.ending:
        return None
    kind, text = words.ending
    if kind == "closing":
        return Cue(span.end_ms - CLOSING_TAIL_MS - speech_ms(text), kind, text, span.index)
    return Cue(span.end_ms - TRANSITION_BEFORE_END_MS, kind, text, span.index)


def _section_cues(
    sections: Sequence[Section], span: PlannedStep, start_ms: int, end_ms: int, speech_ms: SpeechLength
) -> list[Cue]:
    """Each section gets an equal share of the working time with its lines spread evenly through it;
    when that crowds the lines or leaves no quiet stretch, every line is packed from the start and
    the quiet gathers at the end."""
    share_ms = (end_ms - start_ms) / len(sections)
    lines = [line for section in sections for line in _section_lines(section)]
    starts: list[int] = []
    quiet_after: list[int] = []
    for number, section in enumerate(sections):
        section_start = round(start_ms + number * share_ms)
        section_end = round(section_start + share_ms)
        beats = _section_beats(section)
        even = _even_starts(len(beats), section_start, section_end)
        for beat, at, following in zip(beats, even, [*even[1:], section_end], strict=False):
            offsets = _beat_offsets(beat, speech_ms)
            starts += [at + offset for offset in offsets]
            quiet_after.append(following - at - offsets[-1] - beat[-1].busy_ms(speech_ms))
    needs_quiet = span.duration_ms >= QUIET_RULE_FROM_STEP_MS
    crowded = bool(quiet_after) and min(quiet_after) < CUE_GAP_MS
    if crowded or (needs_quiet and max(quiet_after, default=0) < MIN_QUIET_MS + CUE_GAP_MS):
        starts = _packed_starts(lines, start_ms, speech_ms)
    return [replace(line, at_ms=at, step_index=span.index) for at, line in zip(starts, lines, strict=True)]


def _even_starts(count: int, start_ms: int, end_ms: int) -> list[int]:
    return [round(start_ms + i * (end_ms - start_ms) / count) for i in range(count)]


def _packed_starts(lines: Sequence[Cue], start_ms: int, speech_ms: SpeechLength) -> list[int]:
    """Each line right after the one before and its working time."""
    starts, at = [], start_ms
    for number, line in enumerate(lines):
        if number:
            at += _gap_before(line)
        starts.append(at)
        at += speech_ms(line.text) + (_working_ms(line.strokes) if line.kind == "move" else 0)
    return starts


def _silences(cues: Sequence[Cue], span: PlannedStep, speech_ms: SpeechLength) -> Iterator[tuple[int, int]]:
    """(start, end) of the quiet after each cue, up to the next cue or the step's end."""
    ordered = sorted(cues, key=lambda cue: cue.at_ms)
    for cue, following in zip(ordered, [*ordered[1:], None], strict=True):
        end_ms = following.at_ms if following else span.end_ms - STEP_END_MARGIN_MS
        yield cue.at_ms + cue.busy_ms(speech_ms), end_ms


def _with_halfway(cues: list[Cue], words: StepWords, span: PlannedStep, speech_ms: SpeechLength) -> list[Cue]:
    if not words.halfway or span.duration_ms < HALFWAY_FROM_STEP_MS:
        return cues
    middle_ms = span.start_ms + span.duration_ms // 2
    length = speech_ms(words.halfway)
    # The cue goes as near the middle as a silence allows: clamped into the nearest one it fits in.
    places = [
        min(max(middle_ms, start + CUE_GAP_MS), end - CUE_GAP_MS - length)
        for start, end in _silences(cues, span, speech_ms)
        if end - start >= length + 2 * CUE_GAP_MS
    ]
    if not places:
        return cues
    at_ms = min(places, key=lambda place: abs(place - middle_ms))
    return sorted([*cues, Cue(at_ms, "halfway", words.halfway, span.index)], key=lambda c: c.at_ms)


def _with_reminders(
    cues: list[Cue],
    span: PlannedStep,
    speech_ms: SpeechLength,
    reminders: Iterator[str],
    spacing: ReminderSpacing,
) -> list[Cue]:
    """Reminders in the step's silences, as ``spacing`` says, until the step's reminders run out."""
    place = _spread_over_step if spacing.across_silences else _spread_in_each_silence
    added = place(list(_silences(cues, span, speech_ms)), span, speech_ms, reminders, spacing.every_ms)
    return sorted(cues + added, key=lambda cue: cue.at_ms)


def _spread_in_each_silence(
    silences: list[tuple[int, int]],
    span: PlannedStep,
    speech_ms: SpeechLength,
    reminders: Iterator[str],
    every_ms: int,
) -> list[Cue]:
    """Reminders evenly through every silence longer than ``every_ms``, one for each it holds."""
    added: list[Cue] = []
    for start, end in silences:
        count = (end - start) // every_ms
        for n in range(1, count + 1):
            text = next(reminders, None)
            if text is None:
                return added
            added.append(Cue(start + n * (end - start) // (count + 1), "reminder", text, span.index))
    return added


def _spread_over_step(
    silences: list[tuple[int, int]],
    span: PlannedStep,
    speech_ms: SpeechLength,
    reminders: Iterator[str],
    every_ms: int,
) -> list[Cue]:
    """Reminders ``every_ms`` apart or more over the whole step: in each silence as many as that
    spacing lets in, centred in it, each where it has room and a breath on each side."""
    added: list[Cue] = []
    last_ms = span.start_ms - every_ms
    text = next(reminders, None)
    for start, end in silences:
        count = 1 + max(0, end - start - every_ms) // every_ms
        first_ms = start + (end - start - (count - 1) * every_ms) // 2
        for at_ms in range(first_ms, first_ms + count * every_ms, every_ms):
            if text is None:
                return added
            has_room = start + CUE_GAP_MS <= at_ms <= end - CUE_GAP_MS - speech_ms(text)
            if has_room and at_ms - last_ms >= every_ms:
                added.append(Cue(at_ms, "reminder", text, span.index))
                last_ms, text = at_ms, next(reminders, None)
    return added
