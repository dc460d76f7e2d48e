"""voiceguide: turn a massage routine into a voice-guided audio session.

The library API, for scripts: load a routine, plan what is said, render it to an MP3. Names are
imported on first use, so a speech worker process that imports ``voiceguide.speech`` does not pay
for templates, validation and tagging it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "RenderOptions": "voiceguide.pipeline",
    "RenderResult": "voiceguide.pipeline",
    "plan_script": "voiceguide.pipeline",
    "render_session": "voiceguide.pipeline",
    "Routine": "voiceguide.routine",
    "Step": "voiceguide.routine",
    "builtin_names": "voiceguide.routines",
    "load_routine": "voiceguide.routines",
    "VoiceguideError": "voiceguide.errors",
}

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

if TYPE_CHECKING:
    from voiceguide.errors import VoiceguideError
    from voiceguide.pipeline import RenderOptions, RenderResult, plan_script, render_session
    from voiceguide.routine import Routine, Step
    from voiceguide.routines import builtin_names, load_routine


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'voiceguide' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)
