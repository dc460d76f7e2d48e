"""Finding ffmpeg, which decodes what the user brings and encodes what pydub and LAME do not."""

from __future__ import annotations

import shutil

from voiceguide.errors import MissingToolError


def require_ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise MissingToolError(
            "ffmpeg is not installed; install it (sudo apt-get install ffmpeg, or brew install ffmpeg) "
            "or run ./scripts/demo"
        )
    return path
