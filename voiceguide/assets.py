"""Finding the generated sounds and cover art, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

from voiceguide.errors import MissingToolError

_INSTALLED = Path(__file__).parent / "audio_assets"
# In a source checkout (or an editable install) the assets sit at the top of the repository.
_CHECKOUT = Path(__file__).parent.parent / "audio_assets"


def asset_path(name: str) -> Path:
    for folder in (_INSTALLED, _CHECKOUT):
        if (folder / name).is_file():
            return folder / name
    raise MissingToolError(
        f"the audio asset {name} is missing; run: python scripts/make_assets.py (it writes audio_assets/)"
    )
