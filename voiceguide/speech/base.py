"""The small interface every speech engine implements, and the registry that finds them by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voiceguide.errors import EngineError

# A calm guiding pace; espeak-ng's own default (175 wpm) sounds hurried for massage.
DEFAULT_RATE_WPM = 150


@dataclass(frozen=True)
class VoiceSettings:
    """How clips are spoken; every field is part of the clip cache key."""

    engine: str
    voice: str | None = None
    """An engine-specific voice id; None picks the engine's voice for ``language``."""
    rate_wpm: int = DEFAULT_RATE_WPM
    language: str = "en"


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    id: str
    name: str
    languages: tuple[str, ...]


class SpeechEngine(Protocol):
    """Turns text into a WAV (or AIFF) file, one clip per call."""

    name: str
    runs_in_processes: bool
    """True for engines that must run in worker processes of their own (process-global state);
    False for engines that are safe to call from threads of the rendering process."""
    threads: int
    """When not in processes: how many threads may call ``synthesize`` at once."""

    def is_available(self) -> bool: ...

    def install_hint(self) -> str: ...

    def voices(self) -> list[VoiceInfo]: ...

    def resolve_voice(self, settings: VoiceSettings) -> VoiceInfo:
        """The voice ``settings`` asks for, or EngineError listing what the engine has."""
        ...

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        """Write ``text`` spoken by ``voice_id`` at ``rate_wpm`` to ``path``."""
        ...


_ENGINES: dict[str, Callable[[], SpeechEngine]] = {}


def register_engine(name: str, factory: Callable[[], SpeechEngine]) -> None:
    _ENGINES[name] = factory


def engine_names() -> list[str]:
    return sorted(_ENGINES)


# ``--engine auto``: the first of these that is installed and speaks the language.
AUTO_ORDER = ("piper", "pyttsx3")
AUTO = "auto"


def pick_engine(name: str, language: str) -> str:
    """The engine ``name`` means: itself, or for ``auto`` the natural voice when it is installed
    and has a voice for ``language``, else the system voice."""
    if name != AUTO:
        return name
    # The last is the fallback: asking it for a voice would only start it here, in this process.
    for candidate in AUTO_ORDER[:-1]:
        engine = _ENGINES[candidate]() if candidate in _ENGINES else None
        if engine is None or not engine.is_available():
            continue
        try:
            engine.resolve_voice(VoiceSettings(engine=candidate, language=language))
        except EngineError:
            continue
        return candidate
    return AUTO_ORDER[-1]


def get_engine(name: str) -> SpeechEngine:
    """The engine registered as ``name``, checked to be usable on this machine."""
    if name not in _ENGINES:
        known = ", ".join([AUTO, *engine_names()])
        raise EngineError(f'unknown speech engine "{name}"; available: {known}')
    engine = _ENGINES[name]()
    if not engine.is_available():
        raise EngineError(f'the "{name}" speech engine is not usable here: {engine.install_hint()}')
    return engine
