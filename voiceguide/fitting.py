"""Fitting a routine to a session length: where each step starts and how long it lasts, in ms."""

from __future__ import annotations

import math
from dataclasses import dataclass

from voiceguide.errors import FittingError
from voiceguide.routine import MAX_SESSION_SECONDS, Routine, Step


@dataclass(frozen=True)
class PlannedStep:
    """A step placed on the session's time axis."""

    index: int
    step: Step
    start_ms: int
    duration_ms: int

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms


@dataclass(frozen=True)
class Plan:
    """A routine laid out over an exact session length."""

    routine: Routine
    steps: tuple[PlannedStep, ...]
    total_ms: int


def fit_to_length(routine: Routine, minutes: float | None = None) -> Plan:
    """Steps scaled in proportion so they add up to ``minutes`` (default: the routine's own)."""
    total_ms = _target_ms(routine, minutes)
    durations_ms = _proportional_ms([step.duration for step in routine.steps], total_ms)
    planned: list[PlannedStep] = []
    start_ms = 0
    for index, (step, duration_ms) in enumerate(zip(routine.steps, durations_ms, strict=True)):
        planned.append(PlannedStep(index, step, start_ms, duration_ms))
        start_ms += duration_ms
    return Plan(routine=routine, steps=tuple(planned), total_ms=total_ms)


def _target_ms(routine: Routine, minutes: float | None) -> int:
    if minutes is None:
        minutes = routine.minutes if routine.minutes is not None else routine.total_seconds / 60
    if not math.isfinite(minutes) or minutes <= 0:
        raise FittingError(f"--minutes {minutes:g} must be a positive number of minutes")
    if minutes * 60 > MAX_SESSION_SECONDS:
        raise FittingError(f"--minutes {minutes:g} is longer than the 3 hour limit (180 minutes)")
    return round(minutes * 60_000)


def _proportional_ms(weights: list[float], total_ms: int) -> list[int]:
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
