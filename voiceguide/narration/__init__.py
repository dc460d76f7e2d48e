"""What is said, and when: a fitted plan turned into timed cues by sandboxed Jinja templates.

``narrator`` turns a plan into a ``Script``; ``layout`` places a step's cues; ``wording`` renders
the templates; ``speech_time`` estimates how long a line takes to say.
"""

from __future__ import annotations

from voiceguide.narration.layout import (
    CLOSING_TAIL_MS,
    CUE_GAP_MS,
    MIN_QUIET_MS,
    QUIET_RULE_FROM_STEP_MS,
    STEP_END_MARGIN_MS,
    Cue,
)
from voiceguide.narration.narrator import narrate, step_minimums_ms
from voiceguide.narration.script import Chapter, Script
from voiceguide.narration.speech_time import PACES, Pace, estimate_speech_ms
from voiceguide.narration.wording import narrated_languages
from voiceguide.narration.words import CueKind, Strokes

__all__ = [
    "CLOSING_TAIL_MS",
    "CUE_GAP_MS",
    "MIN_QUIET_MS",
    "PACES",
    "QUIET_RULE_FROM_STEP_MS",
    "STEP_END_MARGIN_MS",
    "Chapter",
    "Cue",
    "CueKind",
    "Pace",
    "Script",
    "Strokes",
    "estimate_speech_ms",
    "narrate",
    "narrated_languages",
    "step_minimums_ms",
]
