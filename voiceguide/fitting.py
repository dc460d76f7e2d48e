"""Fitting a routine to a session length: where each step starts and how long it lasts, in ms.

Steps keep their proportions, except that none shrinks below its minimum (what it must say plus
working time), pinned steps keep the length asked, and skipped steps are left out. Lengths are
whole milliseconds that add up exactly to the session.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from voiceguide.errors import FittingError
from voiceguide.routine import Routine, Step, find_step
from voiceguide.routine_fields import MAX_SESSION_SECONDS

# A lead-in is time to settle, not a session of its own.
MAX_LEAD_IN_MS = 5 * 60_000
# A step that gains less than this over its share is not worth telling about.
NOTABLE_GROWTH_MS = 1000


@dataclass(frozen=True)
class PlannedStep:
    """A step placed on the session's time axis."""

    index: int
    step: Step
    start_ms: int
    duration_ms: int
    grown_from_ms: int | None = None
    """Its proportional share of the session, when that was too short for it and it grew."""

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms


@dataclass(frozen=True)
class Plan:
    """A routine laid out over an exact session length."""

    routine: Routine
    steps: tuple[PlannedStep, ...]
    total_ms: int
    lead_in_ms: int = 0
    """Quiet time before the first step, inside ``total_ms``."""


@dataclass(frozen=True)
class FitRequest:
    """What the user asked of the session's shape."""

    minutes: float | None = None
    """The whole session's length; None keeps the routine's own."""
    pins: tuple[tuple[str, float], ...] = ()
    """(step name, seconds) for steps whose length is fixed."""
    skips: tuple[str, ...] = ()
    """Names of steps to leave out."""
    lead_in_ms: int = 0
    """Quiet time before the first step; part of ``minutes`` when that is given."""


@dataclass(frozen=True)
class StepNeeds:
    """What one step asks of the session's length."""

    minimum_ms: int = 0
    """The shortest it can be for what it says, with one stroke of each counted move."""
    wanted_ms: int | None = None
    """Room for all its counted strokes as written, in a routine that counts strokes."""
    pinned_ms: int | None = None
    """The length ``--step`` fixed for it."""


def without_skipped(routine: Routine, skips: Sequence[str]) -> Routine:
    """The routine minus the named steps, each remaining step at its default length."""
    scale = (routine.minutes * 60 / routine.total_seconds) if routine.minutes else 1.0
    dropped = {find_step(routine, name) for name in skips}
    if len(dropped) == len(routine.steps):
        raise FittingError("--skip leaves no steps; skip fewer")
    steps = tuple(
        step.model_copy(update={"duration": step.duration * scale})
        for index, step in enumerate(routine.steps)
        if index not in dropped
    )
    return routine.model_copy(update={"steps": steps, "minutes": None})


def pinned_ms(routine: Routine, pins: Sequence[tuple[str, float]]) -> dict[int, int]:
    """Step index -> pinned length in ms, for ``--step NAME=DURATION``."""
    return {find_step(routine, name): round(seconds * 1000) for name, seconds in pins}


def fit_to_length(
    routine: Routine,
    minutes: float | None = None,
    needs: Sequence[StepNeeds] | None = None,
    lead_in_ms: int = 0,
) -> Plan:
    """Steps sized to fill ``minutes`` exactly (default: the routine's own length), after a quiet
    lead-in of ``lead_in_ms`` (inside ``minutes`` when given, added to the routine's length if not);
    ``needs`` has one entry per step.

    No step is shorter than its minimum; each grows to its wanted length (room for all its counted
    strokes) when the session can hold every step's wish, else its counts shrink toward the minimum.
    """
    needs = needs or [StepNeeds()] * len(routine.steps)
    pins_ms = {index: need.pinned_ms for index, need in enumerate(needs) if need.pinned_ms is not None}
    minimums_ms = [need.minimum_ms for need in needs]
    wanted = [need.wanted_ms for need in needs]
    wanted_ms = [ms or 0 for ms in wanted] if any(ms is not None for ms in wanted) else None
    defaults_ms = _default_lengths_ms(routine)
    if lead_in_ms < 0 or lead_in_ms > MAX_LEAD_IN_MS:
        raise FittingError(f"--lead-in {lead_in_ms / 1000:g}s: give a lead-in from 0 to 5 minutes")
    own_ms = [max(d, w) for d, w in zip(defaults_ms, wanted_ms, strict=True)] if wanted_ms else defaults_ms
    # With no length asked, a step grows to hold all its strokes and the session with it.
    steps_ms = _target_ms(routine, minutes, own_ms, pins_ms, lead_in_ms)
    _check_pins(routine, pins_ms, minimums_ms)
    _check_fits(routine, steps_ms, minimums_ms, pins_ms, lead_in_ms)
    floors_ms = _floors_ms(minimums_ms, wanted_ms, pins_ms, steps_ms)
    durations_ms, offered_ms = _lengths_ms(defaults_ms, floors_ms, pins_ms, steps_ms)
    # A step that grew did so from its written length, or from its share of the length asked.
    grown_from_ms = offered_ms if minutes else {i: round(defaults_ms[i]) for i in offered_ms}
    planned, start_ms = [], lead_in_ms
    for index, (step, duration_ms) in enumerate(zip(routine.steps, durations_ms, strict=True)):
        share_ms = grown_from_ms.get(index, duration_ms)
        grown = share_ms if duration_ms - share_ms >= NOTABLE_GROWTH_MS else None
        planned.append(PlannedStep(index, step, start_ms, duration_ms, grown))
        start_ms += duration_ms
    _check_not_too_long(routine, start_ms)
    return Plan(routine=routine, steps=tuple(planned), total_ms=start_ms, lead_in_ms=lead_in_ms)


def _check_not_too_long(routine: Routine, total_ms: int) -> None:
    """The 3-hour limit, on the session as fitted: pinned steps and steps grown to hold their
    strokes can make it longer than any length asked."""
    if total_ms > MAX_SESSION_SECONDS * 1000:
        raise FittingError(
            f"{routine.name} would last {math.ceil(total_ms / 60_000)} minutes, over the 3 hour limit "
            f"({MAX_SESSION_SECONDS // 60} minutes); pin shorter steps with --step, or fewer strokes"
        )


def _floors_ms(
    minimums_ms: Sequence[int], wanted_ms: Sequence[int] | None, pins: Mapping[int, int], steps_ms: int
) -> Sequence[int]:
    """The least each step gets: room for all its strokes when every step's fits, else its minimum."""
    if wanted_ms and sum(pins.get(i, wanted) for i, wanted in enumerate(wanted_ms)) <= steps_ms:
        return [max(pair) for pair in zip(minimums_ms, wanted_ms, strict=True)]
    return minimums_ms


def _default_lengths_ms(routine: Routine) -> list[float]:
    scale = (routine.minutes * 60 / routine.total_seconds) if routine.minutes else 1.0
    return [step.duration * scale * 1000 for step in routine.steps]


def _target_ms(
    routine: Routine,
    minutes: float | None,
    defaults_ms: list[float],
    pins: Mapping[int, int],
    lead_in_ms: int,
) -> int:
    """The steps' share of the session: all of ``minutes`` but the lead-in, or their own lengths."""
    if minutes is None:
        return round(sum(pins.get(i, default) for i, default in enumerate(defaults_ms)))
    if not math.isfinite(minutes) or minutes <= 0:
        raise FittingError(f"--minutes {minutes:g} must be a positive number of minutes")
    if minutes * 60 > MAX_SESSION_SECONDS:
        raise FittingError(f"--minutes {minutes:g} is longer than the 3 hour limit (180 minutes)")
    steps_ms = round(minutes * 60_000) - lead_in_ms
    if len(pins) == len(routine.steps) and sum(pins.values()) != steps_ms:
        raise FittingError(
            "every step is pinned with --step, so the length is theirs; drop --minutes or a pin"
        )
    return steps_ms


def _check_pins(routine: Routine, pins: Mapping[int, int], minimums_ms: Sequence[int]) -> None:
    for index, length_ms in pins.items():
        if length_ms < minimums_ms[index]:
            title = routine.steps[index].title
            raise FittingError(
                f'--step "{title}" is pinned to {length_ms / 1000:g} s but needs at least '
                f"{math.ceil(minimums_ms[index] / 1000)} s for what it says"
            )


def _check_fits(
    routine: Routine, steps_ms: int, minimums_ms: Sequence[int], pins: Mapping[int, int], lead_in_ms: int
) -> None:
    shortest_ms = sum(pins.get(i, minimum) for i, minimum in enumerate(minimums_ms)) + lead_in_ms
    if steps_ms + lead_in_ms < shortest_ms:
        shortest_minutes = math.ceil(shortest_ms / 6000) / 10
        total_ms = steps_ms + lead_in_ms
        raise FittingError(
            f"{routine.name} cannot fit in {_minutes_text(total_ms / 60_000)}: the shortest length that "
            f"fits is {_minutes_text(shortest_minutes)} (use --minutes {shortest_minutes:g} or more)"
        )


def _minutes_text(minutes: float) -> str:
    return f"{round(minutes, 2):g} minute" + ("" if minutes == 1 else "s")


def _lengths_ms(
    defaults_ms: Sequence[float], minimums_ms: Sequence[int], pins: Mapping[int, int], total_ms: int
) -> tuple[list[int], dict[int, int]]:
    """Pinned steps as pinned; the rest share what is left in proportion, none below its minimum.
    Also returns the share offered to each step that was too short for it and got its minimum."""
    fixed = dict(pins)
    offered: dict[int, int] = {}
    while True:
        free = [i for i in range(len(defaults_ms)) if i not in fixed]
        left_ms = total_ms - sum(fixed.values())
        weight = sum(defaults_ms[i] for i in free)
        shares = {i: left_ms * defaults_ms[i] / weight for i in free}
        too_short = [i for i in free if shares[i] < minimums_ms[i]]
        if not too_short:
            break
        fixed.update({i: minimums_ms[i] for i in too_short})
        offered.update({i: round(shares[i]) for i in too_short})
    lengths = dict(fixed)
    if free:
        lengths.update(zip(free, proportional_ms([defaults_ms[i] for i in free], left_ms), strict=True))
    return [lengths[i] for i in range(len(defaults_ms))], offered


def proportional_ms(weights: Sequence[float], total_ms: int) -> list[int]:
    """Whole milliseconds in proportion to ``weights`` that sum exactly to ``total_ms``.

    Largest-remainder rounding: floor every share, then hand the leftover milliseconds to the
    shares that lost the most, so no step drifts by more than 1 ms from its exact share.
    """
    weight_sum = sum(weights)
    exact = [total_ms * weight / weight_sum for weight in weights]
    shares = [math.floor(value) for value in exact]
    leftover = total_ms - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return shares
