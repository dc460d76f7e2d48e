"""Clips made in the background, in the order the session needs them, so mixing and encoding start
while later clips are still being spoken."""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from voiceguide.errors import EngineError, VoiceguideError
from voiceguide.pauses import split_pauses
from voiceguide.processes import WorkerProcesses
from voiceguide.speech.base import SpeechEngine, VoiceSettings, get_engine
from voiceguide.speech.cache import ClipCache
from voiceguide.speech.clips import check_engine_output, clip_duration_ms, prepare_clip
from voiceguide.speech.pronunciation import Pronouncer

# A clip of a few sentences takes espeak-ng well under a second; a minute means it is stuck.
CLIP_TIMEOUT_S = 60

_engines_in_this_process: dict[str, SpeechEngine] = {}
# Let go of them before the interpreter takes its modules apart: pyttsx3's driver cleans up in
# __del__ and fails ("Exception ignored in DriverProxy.__del__") once its modules are gone.
atexit.register(_engines_in_this_process.clear)


@dataclass(frozen=True)
class Clip:
    """A spoken line ready to mix: a prepared WAV in the cache, and its length."""

    text: str
    path: Path
    duration_ms: int


def make_clip(
    engine_name: str, text: str, destination: Path, voice_id: str, rate_wpm: int, words: Pronouncer
) -> None:
    """Speak ``text``, each word as ``words`` says it, and store it, checked and prepared, at
    ``destination`` (runs in a worker)."""
    engine = _engines_in_this_process.get(engine_name) or get_engine(engine_name)
    _engines_in_this_process[engine_name] = engine
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="synth-", dir=destination.parent) as scratch:
        pieces: list[Path | int] = []
        for number, part in enumerate(split_pauses(text)):
            if isinstance(part, int):
                pieces.append(part)  # a pause: silence, whatever the engine
                continue
            raw = Path(scratch) / f"raw-{number}.wav"
            engine.synthesize(words.say(part), raw, voice_id, rate_wpm)
            check_engine_output(raw, part)
            pieces.append(raw)
        prepared = Path(scratch) / "prepared.wav"
        prepare_clip(pieces, prepared)
        # On disk before it takes its name: a crash never leaves a clip that looks whole but is not.
        with prepared.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(prepared, destination)  # atomic: readers never see a half-written clip


class ClipSupply:
    """Hands out clips by text, making the missing ones in the background, first needed first."""

    def __init__(self, settings: VoiceSettings, cache: ClipCache, cores: int | None = None):
        self.settings = settings
        self.cache = cache
        self.cores = cores or os.cpu_count() or 1
        """How many cores the engine may keep busy."""
        self.synthesized = 0
        self._pending: dict[str, Future[None]] = {}
        self._executor: Executor | None = None
        self._workers: WorkerProcesses | None = None
        self._voice_id = ""

    def start(self, texts_in_order: Iterable[str], needed_first: Iterable[str] = ()) -> ClipSupply:
        """Begin making every clip of ``texts_in_order`` that is neither cached nor under way.

        ``needed_first`` are the clips mixing cannot begin without. When the engine runs in worker
        processes they are spoken here, in this process, while the workers start: a worker takes
        longer to start (an interpreter, its imports, the engine) than a step's clips to speak.
        """
        missing = [
            text
            for text in dict.fromkeys(texts_in_order)
            if text not in self._pending and not self.cache.holds(text, self.settings)
        ]
        if not missing:
            return self
        engine = self._engine()
        here = set(needed_first) & set(missing) if engine.runs_in_processes else set()
        for text in missing:
            if text not in here:
                self._pending[text] = self._submit(engine, text, len(missing) - len(here))
        for text in [text for text in missing if text in here]:  # while the workers start
            self._make_here(text)
        self.synthesized += len(missing)
        return self

    def get(self, text: str) -> Clip:
        """The clip for ``text``, waiting for it if it is still being made."""
        if text in self._pending:
            self._wait_for(self._pending.pop(text))
        if not self.cache.holds(text, self.settings):  # not asked for in start(): make it now
            self.start([text])
            return self.get(text)
        path = self.cache.path_for(text, self.settings)
        return Clip(text, path, clip_duration_ms(path))

    def _engine(self) -> SpeechEngine:
        engine = get_engine(self.settings.engine)
        if not self._voice_id:
            self._voice_id = engine.resolve_voice(self.settings.voice, self.settings.language).id
        return engine

    def _job(self, text: str) -> tuple[str, str, Path, str, int, Pronouncer]:
        """``make_clip``'s arguments for ``text``."""
        destination = self.cache.path_for(text, self.settings)
        words = self.cache.pronouncer(self.settings)
        return (self.settings.engine, text, destination, self._voice_id, self.settings.rate_wpm, words)

    def _make_here(self, text: str) -> None:
        with _engine_failures_as_errors():
            make_clip(*self._job(text))

    def _submit(self, engine: SpeechEngine, text: str, jobs: int) -> Future[None]:
        if self._executor is None:  # one pool per supply, made when the first clip is missing
            self._workers = WorkerProcesses() if engine.runs_in_processes else None
            self._executor = _executor_for(engine, jobs, self.cores, self._workers)
        return self._executor.submit(make_clip, *self._job(text))

    def _wait_for(self, future: Future[None]) -> None:
        try:
            with _engine_failures_as_errors():
                future.result(timeout=CLIP_TIMEOUT_S)
        except FutureTimeout:
            self.close(kill=True)
            raise EngineError(f"the speech engine did not answer within {CLIP_TIMEOUT_S} s") from None
        except BrokenProcessPool:
            self.close(kill=True)
            raise EngineError("a speech worker process stopped unexpectedly; try again") from None

    def close(self, kill: bool = False) -> None:
        if self._executor is None:
            return
        if kill and self._workers is not None:
            # A hung engine never returns; shutdown() would wait for it forever.
            self._workers.terminate_all()
        self._executor.shutdown(wait=not kill, cancel_futures=True)
        self._executor = None

    def __enter__(self) -> ClipSupply:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(kill=error is not None)


@contextlib.contextmanager
def _engine_failures_as_errors() -> Iterator[None]:
    """An engine's or decoder's own exception, here or from a worker, as one line for the user."""
    try:
        yield
    except (VoiceguideError, FutureTimeout, BrokenProcessPool):
        raise
    except Exception as error:
        raise EngineError(f"the speech engine failed: {error}") from None


def _executor_for(
    engine: SpeechEngine, jobs: int, cores: int, workers: WorkerProcesses | None = None
) -> Executor:
    if not engine.runs_in_processes:
        return ThreadPoolExecutor(max_workers=max(1, min(engine.threads, cores, jobs)))
    # One core is left to the encoder, which sets the pace: speaking takes the system voice less
    # than half the time encoding takes.
    count = max(1, min(cores - 1, jobs))
    return ProcessPoolExecutor(max_workers=count, mp_context=(workers or WorkerProcesses()).context())
