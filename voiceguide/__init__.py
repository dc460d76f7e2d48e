"""voiceguide: turn a massage routine into a voice-guided audio session.

The library API, for scripts: load a routine, plan what is said, render it to an MP3.
"""

from __future__ import annotations

from voiceguide.errors import VoiceguideError
from voiceguide.pipeline import RenderOptions, RenderResult, plan_script, render_session
from voiceguide.routine import Routine, Step, builtin_names, load_routine

__version__ = "0.1.0"

__all__ = [
    "RenderOptions",
    "RenderResult",
    "Routine",
    "Step",
    "VoiceguideError",
    "builtin_names",
    "load_routine",
    "plan_script",
    "render_session",
]
