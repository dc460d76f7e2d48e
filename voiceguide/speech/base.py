"""The small interface every speech engine implements, and the registry that finds them by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    """Turns text into WAV (or AIFF) files; one instance per render."""

    name: str

    def is_available(self) -> bool: ...

    def install_hint(self) -> str: ...

    def voices(self) -> list[VoiceInfo]: ...

    def resolve_voice(self, settings: VoiceSettings) -> VoiceInfo:
        """The voice ``settings`` asks for, or EngineError listing what the engine has."""
        ...

    def synthesize(
        self,
        jobs: Sequence[tuple[str, Path]],
        settings: VoiceSettings,
        on_clip: Callable[[], None] = ...,
    ) -> None:
        """Write each text to its path, calling ``on_clip`` as each is done; EngineError on failure."""
        ...


_ENGINES: dict[str, Callable[[], SpeechEngine]] = {}


def register_engine(name: str, factory: Callable[[], SpeechEngine]) -> None:
    _ENGINES[name] = factory


def engine_names() -> list[str]:
    return sorted(_ENGINES)


def get_engine(name: str) -> SpeechEngine:
    """The engine registered as ``name``, checked to be usable on this machine."""
    if name not in _ENGINES:
        raise EngineError(f'unknown speech engine "{name}"; available: {", ".join(engine_names())}')
    engine = _ENGINES[name]()
    if not engine.is_available():
        raise EngineError(f'the "{name}" speech engine is not usable here: {engine.install_hint()}')
    return engine
