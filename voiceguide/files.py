"""Writing files so that nothing half-made is ever left under a final name."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from voiceguide.errors import VoiceguideError


def user_cache_dir() -> Path:
    """Where voiceguide keeps what it can make again (``$XDG_CACHE_HOME/voiceguide`` on Linux)."""
    return Path(platformdirs.user_cache_dir("voiceguide"))


def prepare_output_folder(path: Path) -> None:
    """Make sure ``path`` can be written before any audio work starts."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise VoiceguideError(f"{path.parent}: cannot create the folder ({error.strerror})") from None
    if not os.access(path.parent, os.W_OK):
        raise VoiceguideError(f"{path.parent}: the folder is not writable; choose another --output")


@contextlib.contextmanager
def atomic_output(final: Path) -> Iterator[Path]:
    """A temporary path beside ``final``, renamed onto it only if the block finishes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # mkstemp makes the file private (0600); a finished file gets the usual permissions.
        temporary.chmod(0o666 & ~_current_umask())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
