"""Clips on disk, keyed by everything that changes how they sound, written atomically; a damaged
entry (a crash, a full disk, a hand that emptied it) is found, removed and made again."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from voiceguide.speech.base import VoiceSettings, get_engine
from voiceguide.speech.clips import SPEECH_CEILING_DBFS, SPEECH_LUFS, is_whole_clip
from voiceguide.speech.pronunciation import Pronouncer, pronouncer

logger = logging.getLogger(__name__)

# Bump when the way clips are made changes, so old cached clips are not reused (their level and
# the engine's identity are part of the key by themselves).
CLIP_FORMAT_VERSION = 5


class ClipCache:
    """Prepared clips under ``root``, one file per text and voice."""

    def __init__(self, root: Path):
        self.root = root
        self._identities: dict[VoiceSettings, str] = {}

    def path_for(self, text: str, settings: VoiceSettings) -> Path:
        level = [SPEECH_LUFS, SPEECH_CEILING_DBFS]
        voice = {**asdict(settings), "pronunciations": None}
        spoken = self.pronouncer(settings).key_text(text)
        key = [CLIP_FORMAT_VERSION, level, voice, self._identity(settings), spoken]
        digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()
        return self.root / digest[:2] / f"{digest}.wav"

    def holds(self, text: str, settings: VoiceSettings) -> bool:
        """Whether a whole clip for ``text`` is cached, marking it as just used; a damaged one is
        removed (with a warning) so that it is made again."""
        path = self.path_for(text, settings)
        if is_whole_clip(path):
            os.utime(path)  # last used now: the cache's size cap lets the oldest go first
            return True
        if path.exists():
            logger.warning("a cached clip was damaged and is made again (%s)", path)
            path.unlink(missing_ok=True)
        return False

    def pronouncer(self, settings: VoiceSettings) -> Pronouncer:
        """How ``settings`` say the words: the language's table for the engine, and their own."""
        return pronouncer(settings.engine, settings.language, settings.pronunciations)

    def _identity(self, settings: VoiceSettings) -> str:
        if settings not in self._identities:
            engine = get_engine(settings.engine)
            self._identities[settings] = engine.identity(settings.voice, settings.language)
        return self._identities[settings]
