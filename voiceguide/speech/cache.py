"""Clips on disk, keyed by everything that changes how they sound, written atomically."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from voiceguide.speech.base import VoiceSettings
from voiceguide.speech.clips import SPEECH_CEILING_DBFS, SPEECH_LUFS

# Bump when the way clips are made changes, so old cached clips are not reused (their level is
# part of the key by itself). 4: system-voice clips cached before may be at the wrong rate.
CLIP_FORMAT_VERSION = 4


class ClipCache:
    """Prepared clips under ``root``, one file per text and voice."""

    def __init__(self, root: Path):
        self.root = root

    def path_for(self, text: str, settings: VoiceSettings) -> Path:
        level = [SPEECH_LUFS, SPEECH_CEILING_DBFS]
        identity = json.dumps([CLIP_FORMAT_VERSION, level, asdict(settings), text], ensure_ascii=False)
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        return self.root / digest[:2] / f"{digest}.wav"
