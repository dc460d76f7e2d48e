"""The system voice through pyttsx3: espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS.

pyttsx3's engine is process-global and not thread-safe, prints "Audio saved to" on stdout, and on
espeak-ng several ``save_to_file`` calls before one ``runAndWait`` write only the last file. So
every clip is made by its own ``runAndWait`` in worker processes, which also keeps a hung engine
from hanging the render: each clip has a timeout.
"""

from __future__ import annotations

import ctypes.util
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from voiceguide.errors import EngineError
from voiceguide.speech.base import VoiceInfo, VoiceSettings

# A clip of a few sentences takes espeak-ng well under a second; a minute means it is stuck.
CLIP_TIMEOUT_S = 60
# The voice picked for a language when none is asked for.
PREFERRED_LANGUAGE_VOICE = {"en": "en-us", "fr": "fr-fr"}

# Each worker process keeps one engine, set up for one voice and rate.
_worker_engine: Any = None
_worker_voice: tuple[str, int] | None = None
# A clip of this size or less is a bare WAV header: espeak-ng produced no samples.
EMPTY_WAV_BYTES = 44
WARM_UP_TEXT = "Ready."


def _engine_in_worker() -> Any:
    global _worker_engine
    if _worker_engine is None:
        # pyttsx3 prints "Audio saved to ..." for every file; keep it off the user's terminal.
        sys.stdout = open(os.devnull, "w")
        import pyttsx3

        _worker_engine = pyttsx3.init()
    return _worker_engine


def _engine_for_voice(voice_id: str, rate_wpm: int) -> Any:
    """The worker's engine, set to the voice once: pyttsx3 2.9x on espeak-ng drops the first clip
    after a voice change (no file, or an empty one), so a throwaway clip absorbs that."""
    global _worker_voice
    engine = _engine_in_worker()
    if _worker_voice != (voice_id, rate_wpm):
        engine.setProperty("voice", voice_id)
        engine.setProperty("rate", rate_wpm)
        _save(
            engine,
            WARM_UP_TEXT,
            os.path.join(tempfile.gettempdir(), f"voiceguide-warm-{os.getpid()}.wav"),
        )
        _worker_voice = (voice_id, rate_wpm)
    return engine


def _save(engine: Any, text: str, path: str) -> bool:
    engine.save_to_file(text, path)
    engine.runAndWait()
    return os.path.exists(path) and os.path.getsize(path) > EMPTY_WAV_BYTES


def _synthesize_in_worker(text: str, path: str, voice_id: str, rate_wpm: int) -> str:
    engine = _engine_for_voice(voice_id, rate_wpm)
    if not _save(engine, text, path):
        _save(engine, text, path)  # one retry; the caller checks the result either way
    return path


def _voices_in_worker() -> list[tuple[str, str, tuple[str, ...]]]:
    engine = _engine_in_worker()
    return [
        (v.id, v.name, tuple(_as_text(code) for code in v.languages)) for v in engine.getProperty("voices")
    ]


def _as_text(code: str | bytes) -> str:
    # SAPI5 and NSSpeech give language codes as bytes with a leading length byte.
    return code.decode(errors="ignore").lstrip("\x05") if isinstance(code, bytes) else code


class Pyttsx3Engine:
    name = "pyttsx3"

    def __init__(self) -> None:
        self._voices: list[VoiceInfo] | None = None

    def is_available(self) -> bool:
        if sys.platform != "linux":
            return True
        return bool(ctypes.util.find_library("espeak-ng") or shutil.which("espeak-ng"))

    def install_hint(self) -> str:
        return "install espeak-ng (sudo apt-get install espeak-ng), or run ./scripts/demo"

    def voices(self) -> list[VoiceInfo]:
        if self._voices is None:
            raw = self._in_workers(1, lambda pool: pool.apply_async(_voices_in_worker).get(CLIP_TIMEOUT_S))
            self._voices = [VoiceInfo(self.name, vid, name, langs) for vid, name, langs in raw]
        return self._voices

    def synthesize(
        self,
        jobs: Sequence[tuple[str, Path]],
        settings: VoiceSettings,
        on_clip: Callable[[], None] = lambda: None,
    ) -> None:
        voice_id = self.resolve_voice(settings).id
        workers = min(os.cpu_count() or 1, len(jobs))

        def run(pool: Any) -> None:
            pending = [
                pool.apply_async(_synthesize_in_worker, (text, str(path), voice_id, settings.rate_wpm))
                for text, path in jobs
            ]
            for result in pending:
                result.get(CLIP_TIMEOUT_S)
                on_clip()

        if jobs:
            self._in_workers(workers, run)

    def resolve_voice(self, settings: VoiceSettings) -> VoiceInfo:
        """The voice asked for by id, name or language code, else the language's usual voice."""
        voices = self.voices()
        wanted = (
            settings.voice or PREFERRED_LANGUAGE_VOICE.get(settings.language, settings.language)
        ).lower()
        for matches in (_by_id, _by_language, _by_language_family):
            found = [v for v in voices if matches(v, wanted)]
            if found:
                return found[0]
        raise EngineError(
            f'the pyttsx3 engine has no voice "{wanted}"; run "voiceguide voices" to list them '
            f"(languages here: {', '.join(sorted({code for v in voices for code in v.languages})[:40])})"
        )

    def _in_workers(self, count: int, work: Callable[[Any], Any]) -> Any:
        # spawn, not fork: the parent may hold threads or a loaded engine that must not be copied.
        context = multiprocessing.get_context("spawn")
        try:
            with context.Pool(count) as pool:
                return work(pool)
        except multiprocessing.TimeoutError:
            raise EngineError(f"the system voice did not answer within {CLIP_TIMEOUT_S} s") from None
        except (OSError, RuntimeError, KeyError) as error:
            raise EngineError(f"the system voice failed ({error}); {self.install_hint()}") from None


def _by_id(voice: VoiceInfo, wanted: str) -> bool:
    return wanted in (voice.id.lower(), voice.name.lower())


def _by_language(voice: VoiceInfo, wanted: str) -> bool:
    return wanted in (code.lower() for code in voice.languages)


def _by_language_family(voice: VoiceInfo, wanted: str) -> bool:
    return any(code.lower().startswith(wanted + "-") for code in voice.languages)
