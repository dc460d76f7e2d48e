"""Speech: engines behind one interface, and clips made once, in the background, cached on disk."""

from __future__ import annotations

from voiceguide.speech.base import (
    AUTO,
    SpeechEngine,
    VoiceChoice,
    VoiceInfo,
    VoiceSettings,
    engine_names,
    get_engine,
    pick_engine,
    register_engine,
    voice_settings,
)
from voiceguide.speech.cache import ClipCache
from voiceguide.speech.hibari_engine import HibariEngine
from voiceguide.speech.piper_engine import PiperEngine
from voiceguide.speech.pyttsx3_engine import Pyttsx3Engine
from voiceguide.speech.supply import Clip, ClipSupply

DEFAULT_ENGINE = AUTO
# One line per engine: a third one is a module of its own and a line here.
register_engine("pyttsx3", Pyttsx3Engine)
register_engine("piper", PiperEngine)
register_engine("hibari", HibariEngine)

__all__ = [
    "AUTO",
    "DEFAULT_ENGINE",
    "Clip",
    "ClipCache",
    "ClipSupply",
    "SpeechEngine",
    "VoiceChoice",
    "VoiceInfo",
    "VoiceSettings",
    "engine_names",
    "get_engine",
    "pick_engine",
    "register_engine",
    "voice_settings",
]
