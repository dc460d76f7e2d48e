"""Writing files so that nothing half-made is ever left under a final name."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from voiceguide.errors import VoiceguideError


def user_cache_dir() -> Path:
    """Where voiceguide keeps what it can make again (``$XDG_CACHE_HOME/voiceguide`` on Linux)."""
    return Path(platformdirs.user_cache_dir("voiceguide"))


def user_data_dir() -> Path:
    """Where voiceguide keeps what the user added and it cannot make again, such as downloaded
    voices (``$XDG_DATA_HOME/voiceguide`` on Linux)."""
    return Path(platformdirs.user_data_dir("voiceguide"))


# What a file being written is called until it is whole (mkstemp's 8 random characters), and the
# scratch folders clips are made in: a render killed outright leaves them behind.
_PART = re.compile(r"^\..+\.[a-z0-9_]{8}\.part$")
_SCRATCH = re.compile(r"^synth-[a-z0-9_]{8}$")
# Left that long untouched, no running render is writing it.
LEFTOVERS_AFTER_S = 10 * 60


def prepare_output_folder(path: Path) -> None:
    """Make sure ``path`` can be written before any audio work starts."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise VoiceguideError(f"{path.parent}: cannot create the folder ({error.strerror})") from None
    if not os.access(path.parent, os.W_OK):
        raise VoiceguideError(f"{path.parent}: the folder is not writable; choose another --output")


@contextlib.contextmanager
def atomic_output(final: Path, durable: bool = False) -> Iterator[Path]:
    """A temporary path beside ``final``, renamed onto it only if the block finishes; ``durable``
    writes it to the disk first, so a crash cannot leave a whole-looking file that is not."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _allow_reading(temporary)
        if durable:
            with temporary.open("rb") as written:
                os.fsync(written.fileno())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, durable: bool = False) -> None:
    with atomic_output(path, durable) as temporary:
        temporary.write_text(text, encoding="utf-8")


def sweep_leftovers(folder: Path) -> None:
    """Remove the ``.NAME.XXXXXXXX.part`` files and ``synth-*`` folders in ``folder`` that have not
    changed for a while: a killed render left them, no running one is writing them."""
    if not folder.is_dir():
        return
    now = time.time()
    for path in folder.iterdir():
        if not (_PART.match(path.name) or _SCRATCH.match(path.name)):
            continue
        with contextlib.suppress(FileNotFoundError):
            if now - path.lstat().st_mtime < LEFTOVERS_AFTER_S:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _allow_reading(path: Path) -> None:
    """mkstemp makes the file private (0600); a finished file gets the usual permissions, where
    the file system has them (FAT and exFAT cards and MTP phones refuse chmod: the copy stands)."""
    try:
        path.chmod(0o666 & ~_current_umask())
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EACCES):
            raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
