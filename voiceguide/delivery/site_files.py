"""A published site's files on disk: each written whole under a temporary name and renamed into
place, and only when its content changed (an upload tool that compares dates sends only what
changed); deleted only when the site listed it as a session's and it is a plain file; a failure
to write said in one line, with what to do about it."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import re
import shutil
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from voiceguide.delivery.site_names import SITE_FILES
from voiceguide.errors import DeliveryError
from voiceguide.files import atomic_output

# What to do when a file cannot be written, by the reason the system gives.
_ADVICE = {
    errno.ENOSPC: "free some space, or choose another --to",
    errno.EDQUOT: "free some space, or choose another --to",
    errno.ENAMETOOLONG: "the path is too long for this file system; choose a --to folder nearer the root",
    errno.EISDIR: "a folder stands where the file goes; move it away",
    errno.EACCES: "choose a --to folder you may write to",
    errno.EPERM: "choose a --to folder you may write to",
    errno.EROFS: "choose a --to folder on a disk you may write to",
}


def write_failure(error: OSError, folder: Path) -> DeliveryError:
    """The one line that says what could not be written, why, and what to do."""
    where = error.filename or folder
    advice = _ADVICE.get(error.errno or 0, "choose another --to")
    return DeliveryError(f"{where}: cannot write ({error.strerror or error}); {advice}")


def sha256_of(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def copy_if_changed(source: Path, final: Path, digest: str) -> None:
    if final.is_file() and final.stat().st_size == source.stat().st_size and sha256_of(final) == digest:
        return
    with _written(final) as temporary:
        shutil.copyfile(source, temporary)


def write_if_changed(path: Path, data: bytes, ignoring: re.Pattern[bytes] | None = None) -> None:
    """Left as it is when it holds ``data`` (apart from what ``ignoring`` matches)."""
    if path.is_file():
        old = path.read_bytes()
        if old == data or (ignoring is not None and ignoring.sub(b"", old) == ignoring.sub(b"", data)):
            return
    with _written(path) as temporary:
        temporary.write_bytes(data)


def delete_listed(folder: Path, names: Iterable[str]) -> list[str]:
    """Delete the files ``names`` in ``folder`` that are plain files (not a folder, not a link,
    which may lead anywhere) and none of the site's own; the names of those deleted."""
    deleted = []
    for name in sorted(set(names) - SITE_FILES):
        path = folder / name
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        deleted.append(name)
    return deleted


@contextlib.contextmanager
def _written(final: Path) -> Iterator[Path]:
    """A temporary file renamed onto ``final`` when whole; a failure is said of ``final``."""
    try:
        with atomic_output(final) as temporary:
            yield temporary
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(final)) from None
