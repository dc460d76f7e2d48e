"""The small interface every speech engine implements, and the registry that finds them by name."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voiceguide.errors import EngineError

# ``--engine auto``: the first of these that is installed and speaks the language.
AUTO_ORDER = ("hibari", "piper", "pyttsx3")
AUTO = "auto"


@dataclass(frozen=True)
class VoiceChoice:
    """The voice a user asks for, before the session's language decides what it means."""

    engine: str = AUTO
    """An engine's name, or ``auto``."""
    voice: str | None = None
    """An engine-specific voice id or a voice file's path; None picks the language's voice."""


@dataclass(frozen=True, kw_only=True)
class VoiceSettings:
    """How clips are spoken, every choice made; every field is part of the clip cache key."""

    engine: str
    voice: str | None = None
    language: str
    rate_wpm: int
    """The pace's speaking rate, in words a minute of voiced time."""
    pronunciations: tuple[tuple[str, str], ...] = ()
    """The routine's and the user's own (word, respelling) entries, over the language's table.
    Not part of the key by itself: the clip cache keys each clip on its words as spoken."""


def voice_settings(
    choice: VoiceChoice, language: str, rate_wpm: int, pronunciations: tuple[tuple[str, str], ...] = ()
) -> VoiceSettings:
    """What ``choice`` means for a session in ``language`` spoken at ``rate_wpm``."""
    engine = pick_engine(choice.engine, language, choice.voice)
    return VoiceSettings(
        engine=engine, voice=choice.voice, language=language, rate_wpm=rate_wpm, pronunciations=pronunciations
    )


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

    def resolve_voice(self, voice: str | None, language: str) -> VoiceInfo:
        """The voice asked for (None: the language's), or EngineError listing what the engine has."""
        ...

    def identity(self, voice: str | None, language: str) -> str:
        """What decides how the voice sounds besides the text and rate: the engine's version and
        the voice's own files. Part of the clip cache's key; found without starting the engine."""
        ...

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        """Write ``text`` spoken by ``voice_id`` at ``rate_wpm`` to ``path``."""
        ...


_ENGINES: dict[str, Callable[[], SpeechEngine]] = {}


def package_version(name: str) -> str:
    """An installed distribution's version, for engine identities ("none" when not installed)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def register_engine(name: str, factory: Callable[[], SpeechEngine]) -> None:
    _ENGINES[name] = factory


def engine_names() -> list[str]:
    return sorted(_ENGINES)


def pick_engine(name: str, language: str, voice: str | None = None) -> str:
    """The engine ``name`` means: itself, or for ``auto`` the first natural voice installed that
    has ``voice`` (or, with none asked, a voice for ``language``), else the system voice."""
    if name != AUTO:
        return name
    # The last is the fallback: asking it for a voice would only start it here, in this process.
    for candidate in AUTO_ORDER[:-1]:
        engine = _ENGINES[candidate]() if candidate in _ENGINES else None
        if engine is None or not engine.is_available():
            continue
        try:
            engine.resolve_voice(voice, language)
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
