"""A second natural voice: hibari (hibari-tts, Apache-2.0), a small neural engine on the CPU.

Its US English voice "heart" (distilled from Kokoro-82M's af_heart) ships inside the wheel, 8 MB;
hibari's other voices download on first use, so they are not offered. Like Piper, hibari speaks
sentence by sentence and joins them with no pause: here each sentence is spoken on its own, with
its own fixed seed (the same sentence always sounds the same, so renders repeat byte for byte),
and a breath is put between them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.errors import EngineError
from voiceguide.speech.base import VoiceInfo, package_version
from voiceguide.speech.calibration import rates_of, rates_version, setting_for
from voiceguide.speech.clips import write_sentences_wav

# The noise in hibari's voice comes from a random generator: a fixed seed makes it repeatable.
SEED = 0
# Short sentences are kept once spoken, per process: those a session says again and again ("1
# minute.", "Halfway. Keep the same slow rhythm."). Long ones are not: kept, they would take 20 MB
# of a render whose peak must stay under 300 MB. 64 sentences of 60 phonemes are at most 12 MB.
SHORT_SENTENCE_PHONEMES = 60
SENTENCES_KEPT = 64


class HibariEngine:
    name = "hibari"
    # Its model runs at over 100 times real time on one core; the spelling-to-sound step holds the
    # GIL, so a second thread would add nothing but contention with the encoder.
    runs_in_processes = False
    threads = 1

    def is_available(self) -> bool:
        return importlib.util.find_spec("hibari") is not None

    def install_hint(self) -> str:
        return "install the natural voices: pip install 'voiceguide[natural]' (./scripts/demo does)"

    def voices(self) -> list[VoiceInfo]:
        from hibari.voices import VOICES

        return [_voice_info(name, entry) for name, entry in VOICES.items() if entry.get("bundled")]

    def resolve_voice(self, voice: str | None, language: str) -> VoiceInfo:
        voices = self.voices()
        wanted = (voice or language).lower()
        for found in voices:
            if wanted in (found.id, *found.languages):
                return found
        have = "; ".join(f"{v.id} ({', '.join(v.languages)})" for v in voices) or "none"
        raise EngineError(f'the hibari engine has no voice "{wanted}" (it has: {have})')

    def identity(self, voice: str | None, language: str) -> str:
        return f"hibari-tts {package_version('hibari-tts')}; seed {SEED}; rates {rates_version()}"

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        """Speak at ``rate_wpm`` words a minute of voiced time, read off the voice's measured rates."""
        rates = rates_of(f"hibari:{voice_id}")
        if rates is None:
            raise EngineError(f'the hibari voice "{voice_id}" has no measured rates')
        self.synthesize_at(text, path, voice_id, setting_for(rate_wpm, rates))

    def synthesize_at(self, text: str, path: Path, voice_id: str, speed: float) -> None:
        """Speak at hibari's own ``speed`` (1 is its voice's natural pace)."""
        with _SPEAKING:  # one model, not made for several threads at once
            phrases = _model(voice_id).phonemize(text)
            sentences = [_spoken(voice_id, phonemes, round(speed, 4)) for phonemes in phrases]
        write_sentences_wav(path, sentences, SAMPLE_RATE_HZ)
        _give_back_memory()


SAMPLE_RATE_HZ = 24_000
_SPEAKING = threading.Lock()


@functools.cache
def _malloc_trim() -> Any:
    library = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(library), "malloc_trim", None) if library else None


def _give_back_memory() -> None:
    """Hand the memory a clip's synthesis freed back to the system (glibc keeps it otherwise, and
    a render's peak grows with every clip: 300 MB where 250 MB are in use)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _voice_info(name: str, entry: dict[str, Any]) -> VoiceInfo:
    code = str(entry.get("language", "en-US")).lower()
    label = f"{name} ({entry.get('accent', '')} English, {entry.get('gender', '')})"
    return VoiceInfo("hibari", name, label, (code, code.split("-")[0]))


@functools.cache
def _model(voice_id: str) -> Any:
    import onnxruntime
    from hibari import Hibari

    # Without ONNX Runtime's memory arena, what a sentence needs is given back after it: 12 MB
    # less at the peak of a render, for no measurable time.
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3
    try:
        model = Hibari(voice=voice_id, threads=1)
        model.sess = onnxruntime.InferenceSession(
            model.model_path, sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own types for a damaged model
        raise EngineError(f"hibari could not load its voice {voice_id} ({error})") from None
    return model


def _spoken(voice_id: str, phonemes: str, speed: float) -> np.ndarray:
    if len(phonemes) <= SHORT_SENTENCE_PHONEMES:
        return _short_sentence_audio(voice_id, phonemes, speed)
    return _sentence_audio(voice_id, phonemes, speed)


def _sentence_audio(voice_id: str, phonemes: str, speed: float) -> np.ndarray:
    """Called under _SPEAKING, which synthesize_at holds."""
    return np.asarray(_model(voice_id).from_phonemes(phonemes, speed=speed, seed=SEED), np.float32)


@functools.lru_cache(maxsize=SENTENCES_KEPT)
def _short_sentence_audio(voice_id: str, phonemes: str, speed: float) -> np.ndarray:
    audio = _sentence_audio(voice_id, phonemes, speed)
    audio.setflags(write=False)  # shared by every clip that says the sentence
    return audio
