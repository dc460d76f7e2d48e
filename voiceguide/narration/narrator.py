"""Narrating a fitted plan: each step's words from the language's templates, laid out in time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any

from voiceguide.fitting import Plan, PlannedStep
from voiceguide.narration.author_lines import render_author_line
from voiceguide.narration.layout import TRANSITION_FROM_STEP_MS, Cue, lay_out_step, minimum_step_ms
from voiceguide.narration.reminders import reminder_spacing
from voiceguide.narration.script import Chapter, Script
from voiceguide.narration.speech_time import Pace, cautious_speech_ms
from voiceguide.narration.wording import Wording
from voiceguide.narration.words import (
    CueKind,
    MoveLine,
    Section,
    StepWords,
    Strokes,
    removable_strokes,
    with_fewer_strokes,
)
from voiceguide.routine import Move, Routine, Step


def narrate(plan: Plan, pace: Pace, language: str | None = None, ticks: bool = True) -> Script:
    """The cues of every step of ``plan``, placed with room for speech at the pace's rate; counted
    strokes are paced by ticks, or by spoken counts when ``ticks`` is False."""
    wording = Wording(language or plan.routine.language)
    narrator = _Narrator(plan.routine, pace, wording, ticks)
    cues = [cue for planned in plan.steps for cue in narrator.step_cues(planned, plan.steps)]
    chapters = tuple(Chapter(p.step.title, p.start_ms, p.end_ms, p.grown_from_ms) for p in plan.steps)
    language = narrator.wording.language
    return Script(plan.routine.name, language, plan.total_ms, chapters, tuple(cues), plan.lead_in_ms)


def step_minimums_ms(
    routine: Routine, pace: Pace, language: str | None = None, *, every_stroke: bool = False
) -> list[int]:
    """The shortest each step can be: its short opening, its moves with working time, its ending;
    with ``every_stroke``, room for all its counted strokes, else for one stroke of each move."""
    narrator = _Narrator(routine, pace, Wording(language or routine.language))
    steps = routine.steps
    return [narrator.minimum_ms(step, index, steps, every_stroke) for index, step in enumerate(steps)]


class _Narrator:
    """Words for each step from the language's templates; keeps the general reminders rotating."""

    def __init__(self, routine: Routine, pace: Pace, wording: Wording, ticks: bool = True):
        self.routine = routine
        self.pace = pace
        self.wording = wording
        self.ticks = ticks
        self.speech_ms = partial(cautious_speech_ms, rate_wpm=pace.rate_wpm)
        # The general reminders go round the whole session: each step starts where the last stopped.
        self.general_reminders = wording.general_reminders()
        self.next_general = 0

    def minimum_ms(self, step: Step, index: int, steps: tuple[Step, ...], every_stroke: bool) -> int:
        variables = self._variables(step, index, steps, duration_ms=0)
        words = self._words(step, variables, full=False, duration_ms=0, rounds=1)
        if not every_stroke:
            words = with_fewer_strokes(words, removable_strokes(words))
        return minimum_step_ms(words, self.speech_ms)

    def step_cues(self, planned: PlannedStep, plan_steps: tuple[PlannedStep, ...]) -> list[Cue]:
        steps = tuple(p.step for p in plan_steps)
        variables = self._variables(planned.step, planned.index, steps, planned.duration_ms)
        words = self._words_that_fit(planned, variables)
        reminders = self._reminders(planned.step)
        spacing = reminder_spacing(planned.duration_ms, self.pace.reminder_every_ms)
        return lay_out_step(words, planned, self.speech_ms, reminders, spacing)

    def _words_that_fit(self, planned: PlannedStep, variables: dict[str, Any]) -> StepWords:
        """As many rounds of the moves as a long step is owed, with the full opening when there is
        room; else the short form, then without the transition; then fewer rounds; at last, fewer
        counted strokes."""
        step, duration_ms = planned.step, planned.duration_ms
        is_last = variables["step_number"] == variables["step_count"]
        for rounds in range(self._rounds(step, duration_ms), 0, -1):
            full = self._words(step, variables, full=True, duration_ms=duration_ms, rounds=rounds)
            short = self._words(step, variables, full=False, duration_ms=duration_ms, rounds=rounds)
            without_transition = short if is_last else replace(short, ending=None)
            for words in (full, short, without_transition):
                if self._fits(words, planned):
                    return words
        # The fewest strokes taken away that let the step fit (found by halving), or all but one
        # of each move's when none does.
        low, high = 0, removable_strokes(without_transition)
        while low < high:
            middle = (low + high) // 2
            if self._fits(with_fewer_strokes(without_transition, middle), planned):
                high = middle
            else:
                low = middle + 1
        return with_fewer_strokes(without_transition, low)

    def _fits(self, words: StepWords, planned: PlannedStep) -> bool:
        return minimum_step_ms(words, self.speech_ms) <= planned.duration_ms

    def _rounds(self, step: Step, duration_ms: int) -> int:
        """How many times a step goes through its moves: once; twice from twice the routine's
        length; one round more each time the length grows fourfold after that (3 at 8 times, 4
        at 32), so that the quiet between moves grows too. Only massage steps come back: a step
        without a technique (washing hands) says its moves once."""
        growth = duration_ms / (step.duration * 1000)
        if not step.technique or not step.moves or growth < 2:
            return 1
        return min(2 + math.floor(math.log(growth / 2, 4)), self.wording.return_rounds())

    def _words(
        self, step: Step, variables: dict[str, Any], full: bool, duration_ms: int, rounds: int
    ) -> StepWords:
        render = self.wording.render
        is_last = variables["step_number"] == variables["step_count"]
        ending: tuple[CueKind, str] | None = None
        if is_last:
            ending = ("closing", render("closing", variables))
        elif duration_ms >= TRANSITION_FROM_STEP_MS:
            ending = ("transition", render("transition", variables))
        return StepWords(
            opening=render("opening", {**variables, "full": full}),
            sections=self._sections(step, variables, rounds),
            ending=ending,
            halfway=render("halfway", variables) if step.technique and not step.sides else None,
        )

    def _sections(self, step: Step, variables: dict[str, Any], rounds: int) -> tuple[Section, ...]:
        """The step's moves, for each side, in each round: the first round as written, the others
        said as returns."""
        sides: tuple[str | None, ...] = step.sides or (None,)
        return tuple(
            Section(
                self._side_cue(side, variables, number, round_number),
                self._round_moves(step, variables, round_number, side is not None),
            )
            for round_number in range(1, rounds + 1)
            for number, side in enumerate(sides)
        )

    def _side_cue(
        self, side: str | None, variables: dict[str, Any], number: int, round_number: int
    ) -> str | None:
        if side is None:
            return None
        if round_number > 1:
            return self.wording.returning("side", round_number, side=side)
        return self.wording.render("side", {**variables, "side": side, "first": number == 0})

    def _round_moves(
        self, step: Step, variables: dict[str, Any], round_number: int, sided: bool
    ) -> tuple[MoveLine, ...]:
        lines = []
        for number, move in enumerate(step.moves):
            said = self.wording.render("move", {**variables, "move": move.text, "move_number": number + 1})
            if round_number > 1:
                # A side's return has just said where: every move of it is worded as "again".
                kind = "first_move" if number == 0 and not sided else "move"
                where = step.area or step.said_title.lower()
                said = self.wording.returning(kind, round_number, where=where, move=said)
            lines.append(MoveLine(said, self._strokes(move)))
        return tuple(lines)

    def _strokes(self, move: Move) -> Strokes | None:
        if move.strokes is None:
            return None
        numbers = [] if self.ticks else range(1, move.strokes + 1)
        counts = tuple(self.wording.render("count", {"number": n}) for n in numbers)
        return Strokes(move.strokes, round(move.tempo * 1000), move.strokes, counts)

    def _reminders(self, step: Step) -> Iterator[str]:
        """Tips, then the muscles, then the technique's own reminders, then the general ones from
        where the last step left them: each line once, and then no more (the quiet stays quiet)."""
        own = list(step.tips) + [text for m in step.muscles if (text := self.wording.muscle(m))]
        technique = self.wording.technique(step.technique)
        own += technique["reminders"] if technique else []
        own = list(dict.fromkeys(own))
        for text in own:
            yield self.wording.render("reminder", {"reminder": text})
        for _ in self.general_reminders:  # taken one at a time: the next step goes on from here
            general = self.general_reminders[self.next_general]
            self.next_general = (self.next_general + 1) % len(self.general_reminders)
            if general not in own:
                yield self.wording.render("reminder", {"reminder": general})

    def _variables(self, step: Step, index: int, steps: tuple[Step, ...], duration_ms: int) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "title": step.said_title,
            "seconds": round(duration_ms / 1000),
            "minutes": round(duration_ms / 60_000, 1),
            "step_number": index + 1,
            "step_count": len(steps),
            "area": step.area or "",
            "muscles": list(step.muscles),
            "routine_name": self.routine.name,
            "next_title": steps[index + 1].said_title if index + 1 < len(steps) else "",
            "side": step.sides[0] if step.sides else "",
            "technique": self.wording.technique(step.technique),
        }
        where = f'{self.routine.source}: step {index + 1} "{step.title}"'
        variables["say"] = [
            render_author_line(line, variables, f"{where}, say line {n + 1}")
            for n, line in enumerate(step.say)
        ]
        return variables
