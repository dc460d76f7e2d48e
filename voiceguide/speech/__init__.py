"""Speech: engines behind one interface, and clips made once and cached on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from voiceguide.speech.base import (
    DEFAULT_RATE_WPM,
    SpeechEngine,
    VoiceInfo,
    VoiceSettings,
    engine_names,
    get_engine,
    register_engine,
)
from voiceguide.speech.cache import ClipCache
from voiceguide.speech.clips import check_engine_output, clip_duration_ms, prepare_clip
from voiceguide.speech.pyttsx3_engine import Pyttsx3Engine

DEFAULT_ENGINE = "pyttsx3"
register_engine("pyttsx3", Pyttsx3Engine)

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_RATE_WPM",
    "Clip",
    "ClipCache",
    "SpeechEngine",
    "SpeechResult",
    "VoiceInfo",
    "VoiceSettings",
    "engine_names",
    "get_engine",
    "register_engine",
    "speak_all",
]


@dataclass(frozen=True)
class Clip:
    """A spoken line ready to mix: a prepared WAV in the cache, and its length."""

    text: str
    path: Path
    duration_ms: int


@dataclass(frozen=True)
class SpeechResult:
    clips: dict[str, Clip]
    synthesized: int
    """How many clips the engine had to make (0 when everything was cached)."""


def speak_all(
    texts: Iterable[str],
    settings: VoiceSettings,
    cache: ClipCache,
    on_clip: Callable[[], None] = lambda: None,
) -> SpeechResult:
    """A clip for each distinct text, synthesising only those not already cached."""
    wanted = {text: cache.path_for(text, settings) for text in dict.fromkeys(texts)}
    missing = [(text, path) for text, path in wanted.items() if not path.exists()]
    for _ in range(len(wanted) - len(missing)):
        on_clip()
    if missing:
        _synthesize_missing(missing, settings, cache, on_clip)
    clips = {text: Clip(text, path, clip_duration_ms(path)) for text, path in wanted.items()}
    return SpeechResult(clips=clips, synthesized=len(missing))


def _synthesize_missing(
    missing: list[tuple[str, Path]],
    settings: VoiceSettings,
    cache: ClipCache,
    on_clip: Callable[[], None],
) -> None:
    engine = get_engine(settings.engine)
    with cache.scratch_dir() as scratch:
        raw_paths = [Path(scratch) / f"raw-{number}.wav" for number in range(len(missing))]
        jobs = [(text, raw) for (text, _), raw in zip(missing, raw_paths, strict=True)]
        engine.synthesize(jobs, settings, on_clip)
        for (text, destination), raw in zip(missing, raw_paths, strict=True):
            check_engine_output(raw, text)
            prepared = raw.with_suffix(".prepared.wav")
            prepare_clip(raw, prepared)
            cache.store(prepared, destination)
