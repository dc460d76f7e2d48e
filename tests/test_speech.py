"""The real system voice (pyttsx3 on espeak-ng) and the clip cache."""

import multiprocessing
import os
import sys
import time
import wave
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from helpers import FAKE, FakeEngine, plan, speak, voice

from voiceguide.errors import EngineError
from voiceguide.processes import WorkerProcesses
from voiceguide.routines import load_routine
from voiceguide.speech import ClipCache, ClipSupply, VoiceInfo, get_engine, register_engine
from voiceguide.speech.clips import check_engine_output

SYSTEM = voice("pyttsx3")


def test_real_clips_are_made_once_then_come_from_the_cache(tmp_path: Path):
    texts = ["Slow upward strokes.", "Knead along the jawline.", "Upward and outward."]
    first = speak(texts, SYSTEM, tmp_path)
    again = speak(texts, SYSTEM, tmp_path)
    assert first.synthesized == 3
    assert again.synthesized == 0
    for clip in first.clips.values():
        with wave.open(str(clip.path)) as audio:
            assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (44_100, 1, 2)
            assert audio.getnframes() > 0.4 * 44_100
        assert 400 < clip.duration_ms < 4000


def test_every_clip_of_a_whole_routine_is_real_audio(tmp_path: Path):
    # pyttsx3 on espeak-ng drops the first clip after a voice change unless it is warmed up.
    texts = [cue.text for cue in plan(load_routine("quick")).cues]
    result = speak(texts, SYSTEM, tmp_path)
    assert result.synthesized == len(set(texts))
    for clip in result.clips.values():
        assert clip.duration_ms > 300 * len(clip.text.split()) * 0.5


def test_the_clips_mixing_needs_first_are_spoken_before_start_returns(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    """With worker processes (the system voice off Linux) they are made in this process while the
    workers start, which takes longer than a few clips."""
    from voiceguide.speech.pyttsx3_engine import Pyttsx3Engine

    monkeypatch.setattr(Pyttsx3Engine, "runs_in_processes", True)
    first, later = "Prep. Settle your shoulders and breathe out.", "Sweep upward from the collarbone."
    cache = ClipCache(tmp_path)
    with ClipSupply(SYSTEM, cache) as supply:
        supply.start([first, later], needed_first=[first])
        assert cache.path_for(first, SYSTEM).exists()
        assert supply.get(first).duration_ms > 1000
        assert supply.get(later).duration_ms > 1000
    assert supply.synthesized == 2
    assert capsys.readouterr().out == ""  # pyttsx3 announces each file it saves; not on our stdout


@pytest.mark.skipif(sys.platform != "linux", reason="espeak-ng: the system voice on Linux")
def test_on_linux_the_system_voice_speaks_in_a_thread_of_this_process(tmp_path: Path, capsys):
    texts = ["Prep. Settle your shoulders and breathe out.", "Sweep upward from the collarbone."]
    with ClipSupply(SYSTEM, ClipCache(tmp_path)) as supply:
        supply.start(texts, needed_first=texts[:1])
        clips = [supply.get(text) for text in texts]
        assert multiprocessing.active_children() == []
    assert all(clip.duration_ms > 1000 for clip in clips)
    assert capsys.readouterr().out == ""


def test_every_clip_is_spoken_at_its_own_rate_however_often_it_changes(tmp_path: Path):
    """pyttsx3 on espeak-ng used to lose a rate set just before speaking (then the clip came out
    at the rate before); and after a voice change it may cut the next clip short."""
    engine = get_engine("pyttsx3")
    voices = [engine.resolve_voice(None, code).id for code in ("en", "fr")]
    text = "Sweep gently upward from the collarbone to the chin, one hand after the other."
    seconds: dict[tuple[str, int], list[float]] = {}
    for number in range(8):
        voice_id, rate = voices[number // 2 % 2], (100, 150)[number % 2]
        path = tmp_path / f"{number}.wav"
        engine.synthesize(text, path, voice_id, rate)
        with wave.open(str(path)) as clip:
            seconds.setdefault((voice_id, rate), []).append(clip.getnframes() / clip.getframerate())
    # espeak-ng's output depends a little on what its process spoke before (a few tens of
    # milliseconds); a lost rate changes a clip's length by a third or more.
    assert all(max(lengths) / min(lengths) < 1.03 for lengths in seconds.values()), seconds
    for voice_id in voices:
        slow, normal = seconds[(voice_id, 100)][0], seconds[(voice_id, 150)][0]
        assert 1.3 < slow / normal < 1.7, seconds


class _EngineLosingRates:
    """pyttsx3's engine as seen by the system voice, losing the first ``lost`` rates it is given."""

    def __init__(self, lost: int):
        self.lost, self.rate, self.clips = lost, 175, 0

    def save_to_file(self, text: str, path: str) -> None:
        self.clips += 1

    def runAndWait(self) -> None:  # noqa: N802 - pyttsx3's names
        pass

    def setProperty(self, name: str, value: int) -> None:  # noqa: N802
        if name == "rate":
            self.lost -= 1
            self.rate = value if self.lost < 0 else self.rate

    def getProperty(self, name: str) -> int:  # noqa: N802
        return self.rate


def test_a_lost_rate_is_set_again_after_another_throwaway_clip(monkeypatch: pytest.MonkeyPatch):
    from voiceguide.speech import pyttsx3_engine

    monkeypatch.setattr(pyttsx3_engine, "RATE_TIMEOUT_S", 0.05)
    system = pyttsx3_engine.Pyttsx3Engine()
    system._engine = _EngineLosingRates(lost=pyttsx3_engine.RATE_ATTEMPTS - 1)
    assert system._engine_for_voice("en-us", 150).rate == 150
    assert system._engine.clips == pyttsx3_engine.RATE_ATTEMPTS
    assert system._engine_for_voice("en-us", 150).clips == pyttsx3_engine.RATE_ATTEMPTS  # set once


def test_a_rate_the_engine_never_takes_is_a_clear_error(monkeypatch: pytest.MonkeyPatch):
    from voiceguide.speech import pyttsx3_engine

    monkeypatch.setattr(pyttsx3_engine, "RATE_TIMEOUT_S", 0.05)
    system = pyttsx3_engine.Pyttsx3Engine()
    system._engine = _EngineLosingRates(lost=pyttsx3_engine.RATE_ATTEMPTS)
    with pytest.raises(EngineError, match="would not take the rate of 150 wpm"):
        system._engine_for_voice("en-us", 150)
    assert pyttsx3_engine._rate_taken(_EngineLosingRates(lost=0), 175)
    assert pyttsx3_engine._rate_holds(_EngineLosingRates(lost=0), 174)  # NSSpeech reports floats, near


def test_voice_and_rate_are_part_of_the_cache_key(tmp_path: Path):
    cache = ClipCache(tmp_path)
    paths = {
        cache.path_for("Hello.", SYSTEM),
        cache.path_for("Hello.", voice("pyttsx3", rate_wpm=120)),
        cache.path_for("Hello.", voice("pyttsx3", voice="en-gb")),
        cache.path_for("Hello.", voice("pyttsx3", language="fr")),
        cache.path_for("Hello!", SYSTEM),
    }
    assert len(paths) == 5


def test_a_slower_rate_makes_longer_speech(tmp_path: Path):
    text = "Sweep gently upward from the collarbone to the chin, one hand after the other."
    normal = speak([text], SYSTEM, tmp_path).clips[text]
    slow = speak([text], voice("pyttsx3", rate_wpm=100), tmp_path).clips[text]
    assert slow.duration_ms > normal.duration_ms * 1.25


def test_system_voices_are_listed_with_languages():
    engine = get_engine("pyttsx3")
    voices = engine.voices()
    assert any("en-us" in v.languages for v in voices)
    assert engine.resolve_voice(None, "en").languages == ("en-us",)
    assert engine.resolve_voice("en-gb", "en").languages == ("en-gb",)


def test_an_unknown_voice_or_engine_is_a_clear_error():
    with pytest.raises(EngineError, match=r'no voice "no-such-voice".*voiceguide voices'):
        get_engine("pyttsx3").resolve_voice("no-such-voice", "en")
    with pytest.raises(EngineError, match=r'unknown speech engine "nope"; available: .*pyttsx3'):
        get_engine("nope")


def test_missing_espeak_says_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(EngineError, match="apt-get install espeak-ng"):
        get_engine("pyttsx3")


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVE", b"not audio at all, just words"])
def test_engine_output_without_audio_is_refused(tmp_path: Path, content: bytes):
    path = tmp_path / "clip.wav"
    path.write_bytes(content)
    with pytest.raises(EngineError, match="no usable audio"):
        check_engine_output(path, "Some words")


def test_a_clip_the_engine_never_wrote_is_refused(tmp_path: Path):
    with pytest.raises(EngineError, match="no usable audio"):
        check_engine_output(tmp_path / "missing.wav", "Some words")


class _SilentEngine:
    """An engine that claims success but writes nothing, like pyttsx3 dropping a clip."""

    name = "silent"
    runs_in_processes = False
    threads = 1

    def is_available(self) -> bool:
        return True

    def install_hint(self) -> str:
        return ""

    def voices(self):
        return []

    def resolve_voice(self, voice_id, language):
        return VoiceInfo("silent", "none", "None", ("en",))

    def identity(self, voice_id, language) -> str:
        return "silent 1"

    def synthesize(self, text, path, voice_id, rate_wpm) -> None:
        pass


def test_an_engine_that_writes_nothing_is_a_clear_error(tmp_path: Path):
    register_engine("silent", _SilentEngine)
    with pytest.raises(EngineError, match=r'no usable audio for "Hello there\."'):
        speak(["Hello there."], voice("silent"), tmp_path)
    assert not list(tmp_path.rglob("*.wav"))


def test_clips_asked_for_later_join_the_same_pool_and_count(tmp_path: Path):
    with ClipSupply(FAKE, ClipCache(tmp_path)) as supply:
        supply.start(["One line."])
        pool = supply._executor
        later = supply.get("A line nobody announced.")
        assert supply._executor is pool
        assert supply.get("One line.").duration_ms > 0
    assert later.duration_ms > 0
    assert supply.synthesized == 2
    assert FakeEngine.calls[-2:] == ["One line.", "A line nobody announced."]


class _BrokenEngine(_SilentEngine):
    name = "broken"

    def synthesize(self, text, path, voice_id, rate_wpm) -> None:
        raise RuntimeError("device busy")


def test_an_engine_crash_is_one_clear_error(tmp_path: Path):
    register_engine("broken", _BrokenEngine)
    with pytest.raises(EngineError, match="the speech engine failed: device busy"):
        speak(["Hello."], voice("broken"), tmp_path)


@pytest.mark.parametrize(
    ("runs_in_processes", "threads", "cores", "jobs", "expected"),
    [
        (False, 8, 2, 30, 2),  # a natural voice: a thread per core
        (False, 8, 1, 30, 1),  # one of two renders at once on two cores: its share
        (False, 8, 4, 3, 3),  # never more than there are clips
        (True, 1, 2, 30, 1),  # the system voice: a core is left to the encoder
        (True, 1, 8, 30, 7),
        (True, 1, 1, 30, 1),  # but at least one worker
    ],
)
def test_speech_runs_on_the_cores_it_is_given(runs_in_processes, threads, cores, jobs, expected):
    from voiceguide.speech.supply import _executor_for

    engine = _SilentEngine()
    engine.runs_in_processes, engine.threads = runs_in_processes, threads
    executor = _executor_for(engine, jobs, cores)
    try:
        assert executor._max_workers == expected
    finally:
        executor.shutdown()


def test_a_hung_worker_process_is_stopped_when_the_supply_gives_up():
    """Off Linux the system voice speaks in worker processes; one that never answers is
    terminated, not waited for (shutting the pool down would wait an hour here otherwise)."""
    workers = WorkerProcesses()
    pool = ProcessPoolExecutor(max_workers=1, mp_context=workers.context())
    hung = pool.submit(time.sleep, 3600)
    (process,) = workers.started  # started by the submit, before it returns
    workers.terminate_all()
    pool.shutdown(wait=True, cancel_futures=True)
    assert isinstance(hung.exception(timeout=0), BrokenProcessPool)
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
