"""How far apart reminders are in a step: the pace's spacing in short steps, and in long ones at
most one a minute, so that a long step's quiet is left quiet."""

from __future__ import annotations

from dataclasses import dataclass

# From this length on a step is long: its reminders thin out.
LONG_STEP_MS = 5 * 60_000
# In a long step reminders come this many times further apart than the pace's spacing (75 s at
# the normal pace, 96 s slow, 60 s brisk) ...
LONG_STEP_SPACING_FACTOR = 3
# ... and never closer than a minute, whatever the pace.
LONG_STEP_LEAST_APART_MS = 60_000


@dataclass(frozen=True)
class ReminderSpacing:
    every_ms: int
    """In a short step, a silence longer than this gets a reminder in it; in a long one, the
    reminders come about this far apart, in whichever silences lie there, and never nearer."""
    across_silences: bool = False
    """Whether the spacing runs over the whole step (long steps) or within each silence."""

    @property
    def least_apart_ms(self) -> int:
        return self.every_ms if self.across_silences else 0


def reminder_spacing(step_ms: int, pace_every_ms: int) -> ReminderSpacing:
    """The spacing of reminders in a step ``step_ms`` long at a pace that reminds every
    ``pace_every_ms`` in short steps."""
    if step_ms < LONG_STEP_MS:
        return ReminderSpacing(pace_every_ms)
    every_ms = max(LONG_STEP_LEAST_APART_MS, pace_every_ms * LONG_STEP_SPACING_FACTOR)
    return ReminderSpacing(every_ms, across_silences=True)
