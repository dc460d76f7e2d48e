"""The system voice through pyttsx3: espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS.

pyttsx3's engine is process-global and not thread-safe, prints "Audio saved to" on stdout, and on
espeak-ng several ``save_to_file`` calls before one ``runAndWait`` write only the last file. So
clips are made one at a time, each by its own ``runAndWait``: on Linux by one thread of the
rendering process, elsewhere in worker processes of their own (``runs_in_processes``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes.util
import functools
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from voiceguide.errors import EngineError
from voiceguide.speech.base import VoiceInfo, package_version
from voiceguide.speech.calibration import rates_of, rates_version, setting_for

# The voice picked for a language when none is asked for.
PREFERRED_LANGUAGE_VOICE = {"en": "en-us", "fr": "fr-fr"}
# A clip of this size or less is a bare WAV header: espeak-ng produced no samples.
EMPTY_WAV_BYTES = 44
WARM_UP_TEXT = "Ready."
# espeak-ng takes a new rate in its own thread, usually within a millisecond or two; on a busy
# machine it has taken over a second, so each attempt waits 2 s, and the settings are made again
# after another throwaway clip before giving up.
RATE_TIMEOUT_S = 2.0
RATE_ATTEMPTS = 3


class Pyttsx3Engine:
    name = "pyttsx3"
    # On Linux espeak-ng speaks in a thread of its own inside the library, so one thread here is
    # all the engine takes (a worker process costs 0.2 s of start-up on the cores the first clips
    # need). SAPI5 (COM) and NSSpeechSynthesizer stay on a worker process's main thread, where
    # pyttsx3 is known to work.
    runs_in_processes = sys.platform != "linux"
    threads = 1

    def __init__(self) -> None:
        self._engine: Any = None
        self._voice: tuple[str, int] | None = None
        self._voices: list[VoiceInfo] | None = None

    def is_available(self) -> bool:
        if sys.platform != "linux":
            return True
        return bool(ctypes.util.find_library("espeak-ng") or shutil.which("espeak-ng"))

    def install_hint(self) -> str:
        return "install espeak-ng (sudo apt-get install espeak-ng), or run ./scripts/demo"

    def voices(self) -> list[VoiceInfo]:
        if self._voices is None:
            voices = self._pyttsx3().getProperty("voices")
            self._voices = [
                VoiceInfo(self.name, v.id, v.name, tuple(map(_as_text, v.languages))) for v in voices
            ]
        return self._voices

    def resolve_voice(self, voice: str | None, language: str) -> VoiceInfo:
        """The voice asked for by id, name or language code, else the language's usual voice."""
        voices = self.voices()
        wanted = (voice or PREFERRED_LANGUAGE_VOICE.get(language, language)).lower()
        for matches in (_by_id, _by_language, _by_language_family):
            found = [v for v in voices if matches(v, wanted)]
            if found:
                return found[0]
        raise EngineError(
            f'the pyttsx3 engine has no voice "{wanted}"; run "voiceguide voices" to list them '
            f"(languages here: {', '.join(sorted({code for v in voices for code in v.languages})[:40])})"
        )

    def identity(self, voice: str | None, language: str) -> str:
        return f"pyttsx3 {package_version('pyttsx3')}; {_system_voice_version()}; rates {rates_version()}"

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        """Speak at ``rate_wpm`` words a minute of voiced time: the rate parameter is read off the
        voice's measured rates (espeak-ng's own "words a minute" run faster than that)."""
        self.synthesize_at(text, path, voice_id, espeak_rate(voice_id, rate_wpm))

    def synthesize_at(self, text: str, path: Path, voice_id: str, setting: float) -> None:
        """Speak with the engine's own rate parameter set to ``setting``."""
        engine = self._engine_for_voice(voice_id, round(setting))
        if not _save(engine, text, path):
            _save(engine, text, path)  # one retry; the caller checks the result either way

    def _pyttsx3(self) -> Any:
        if self._engine is None:
            try:
                import pyttsx3

                self._engine = pyttsx3.init()
            except (ImportError, OSError, RuntimeError) as error:
                raise EngineError(
                    f"the system voice failed to start ({error}); {self.install_hint()}"
                ) from None
        return self._engine

    def _engine_for_voice(self, voice_id: str, rate_wpm: int) -> Any:
        """The engine, set to the voice and rate once, and only once they have taken.

        pyttsx3 2.9x on espeak-ng holds back settings made while its engine is busy (a new one
        is) and runs them at the next ``runAndWait``, whose start cancels whatever espeak-ng
        still has queued: the new rate is lost (clips came out at pyttsx3's starting 200 wpm, or
        at the rate before) and the clip itself may be cut short. So a throwaway clip first leaves
        the engine idle, the settings are then made at once, and the rate is read back until
        espeak-ng has taken it (about a millisecond), all of it again if it has not.
        """
        engine = self._pyttsx3()
        if self._voice != (voice_id, rate_wpm):
            warm_up = _warm_up_path()
            for _ in range(RATE_ATTEMPTS):
                _save(engine, WARM_UP_TEXT, warm_up)
                _espeak_idle()
                engine.setProperty("voice", voice_id)
                engine.setProperty("rate", rate_wpm)
                if _rate_taken(engine, rate_wpm):
                    break
            else:
                raise EngineError(f"the system voice would not take the rate of {rate_wpm} wpm; try again")
            warm_up.unlink(missing_ok=True)
            self._voice = (voice_id, rate_wpm)
        return engine


def espeak_rate(voice_id: str, rate_wpm: int) -> int:
    """The rate parameter that makes ``voice_id`` speak ``rate_wpm`` voiced words a minute. On
    Linux, from espeak-ng's rates measured for the voice's language (English's for a language
    not measured); SAPI5's and NSSpeech's own scales are taken as they are."""
    if sys.platform != "linux":
        return rate_wpm
    rates = rates_of(f"pyttsx3:{voice_language(voice_id)}") or rates_of("pyttsx3:en")
    return round(setting_for(rate_wpm, rates)) if rates else rate_wpm


def voice_language(voice_id: str) -> str:
    """The language of an espeak-ng voice id: "gmw/en-us" -> "en", "roa/fr" -> "fr"."""
    return voice_id.rsplit("/", 1)[-1].split("-")[0].lower()


@functools.cache
def _system_voice_version() -> str:
    """espeak-ng's version on Linux (its voices change between releases), else the system's."""
    if sys.platform != "linux":
        return platform.platform()
    try:
        done = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, timeout=10)
        return done.stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "espeak-ng (version unknown)"


@functools.cache
def _warm_up_path() -> Path:
    """Where this process's throwaway clips go. espeak-ng may still write one after it has been
    removed (when the rate was already the one asked), so it is removed again at exit."""
    path = Path(tempfile.gettempdir()) / f"voiceguide-warm-{os.getpid()}.wav"
    atexit.register(path.unlink, missing_ok=True)
    return path


def _save(engine: Any, text: str, path: Path) -> bool:
    engine.save_to_file(text, str(path))
    # pyttsx3 prints "Audio saved to ..." for every file; keep it off the user's terminal. The
    # swap holds for every thread while a clip is spoken: a render writes nothing to stdout then.
    with contextlib.redirect_stdout(io.StringIO()):
        engine.runAndWait()
    return path.exists() and path.stat().st_size > EMPTY_WAV_BYTES


def _espeak_idle() -> None:
    """Return once espeak-ng's own thread has finished the clip before (Linux).

    pyttsx3's ``runAndWait`` returns as soon as the clip's last callback has run, while
    espeak-ng's thread may still be winding the clip up, and a voice set then is loaded at once
    under it. A test process crashed in espeak-ng's thread right there (at the first render's
    first voice and rate, in two of four full test runs; never alone), so the settings now wait
    for espeak_Synchronize, which returns once the thread is idle (it polls every 20 ms).
    """
    library = _espeak_library()
    if library is not None:
        library.espeak_Synchronize()


@functools.cache
def _espeak_library() -> Any:
    """The espeak-ng library pyttsx3 speaks through: the same one, already loaded (dlopen
    hands back the loaded copy), so its state is pyttsx3's."""
    if sys.platform != "linux":
        return None
    name = ctypes.util.find_library("espeak-ng")
    return ctypes.CDLL(name) if name else None


def _rate_taken(engine: Any, rate_wpm: int) -> bool:
    """Whether the rate holds within ``RATE_TIMEOUT_S``: espeak-ng takes it in its own thread."""
    deadline = time.monotonic() + RATE_TIMEOUT_S
    while not _rate_holds(engine, rate_wpm):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def _rate_holds(engine: Any, rate_wpm: int) -> bool:
    rate = engine.getProperty("rate")
    # NSSpeechSynthesizer reports its rate as a float that may differ a little from the one set.
    return not isinstance(rate, int | float) or abs(rate - rate_wpm) <= 1


def _as_text(code: str | bytes) -> str:
    # SAPI5 and NSSpeech give language codes as bytes with a leading length byte.
    return code.decode(errors="ignore").lstrip("\x05") if isinstance(code, bytes) else code


def _by_id(voice: VoiceInfo, wanted: str) -> bool:
    return wanted in (voice.id.lower(), voice.name.lower())


def _by_language(voice: VoiceInfo, wanted: str) -> bool:
    return wanted in (code.lower() for code in voice.languages)


def _by_language_family(voice: VoiceInfo, wanted: str) -> bool:
    return any(code.lower().startswith(wanted + "-") for code in voice.languages)
