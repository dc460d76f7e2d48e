"""Clips on disk, keyed by everything that changes how they sound, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import platformdirs

from voiceguide.speech.base import VoiceSettings
from voiceguide.speech.clips import SPEECH_CEILING_DBFS, SPEECH_LUFS

# Bump when the way clips are made changes, so old cached clips are not reused (their level is
# part of the key by itself). 4: system-voice clips cached before may be at the wrong rate.
CLIP_FORMAT_VERSION = 4


def default_cache_dir() -> Path:
    """The user cache directory (``$XDG_CACHE_HOME/voiceguide/clips`` on Linux)."""
    return Path(platformdirs.user_cache_dir("voiceguide")) / "clips"


class ClipCache:
    def __init__(self, root: Path | None = None):
        self.root = root or default_cache_dir()

    def path_for(self, text: str, settings: VoiceSettings) -> Path:
        level = [SPEECH_LUFS, SPEECH_CEILING_DBFS]
        identity = json.dumps([CLIP_FORMAT_VERSION, level, asdict(settings), text], ensure_ascii=False)
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        return self.root / digest[:2] / f"{digest}.wav"

    def store(self, source: Path, destination: Path) -> None:
        """Move a finished clip into place; readers never see a half-written file."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)

    def scratch_dir(self) -> tempfile.TemporaryDirectory[str]:
        """A folder on the cache's own file system, so ``store`` is a rename, not a copy."""
        self.root.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix="synth-", dir=self.root)
