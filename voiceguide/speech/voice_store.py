"""Piper voices in the user's data folder: added from Piper's catalogue, checked against it and
installed whole, or removed. A voice is its ``.onnx`` model, the ``.onnx.json`` beside it, and
the ``MODEL_CARD`` that carries its licence."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from voiceguide.errors import VoiceStoreError
from voiceguide.files import atomic_output, sweep_leftovers, user_data_dir
from voiceguide.speech.fetching import catalogue_address, fetch_chunks, file_address
from voiceguide.speech.voice_catalogue import (
    PLAIN_NAME,
    WANTED_FILES,
    CatalogueLanguage,
    VoiceFile,
    fetch_catalogue,
    find_voice,
    voice_files,
    voices_url,
)

__all__ = [
    "SUGGESTED_VOICES",
    "InstalledVoice",
    "Progress",
    "add_voice",
    "installed_voice_models",
    "remove_voice",
    "voices_dir",
]

# A good voice for each language voiceguide narrates, suggested by ``voiceguide voices``.
SUGGESTED_VOICES = {"en": "en_US-lessac-medium", "fr": "fr_FR-siwis-medium"}

Progress = Callable[[int, int], None]
"""Told (bytes done, bytes in all) as a voice downloads."""


@dataclass(frozen=True)
class InstalledVoice:
    name: str
    model: Path
    files: tuple[Path, ...]
    language: CatalogueLanguage
    downloaded_bytes: int
    """0 when the voice was installed already, whole."""


def voices_dir() -> Path:
    return user_data_dir() / "voices"


def installed_voice_models() -> list[Path]:
    """The voices installed, as their models: ``.onnx`` files with their ``.onnx.json`` beside them."""
    folder = voices_dir()
    if not folder.is_dir():
        return []
    return sorted(model for model in folder.glob("*.onnx") if Path(f"{model}.json").is_file())


def add_voice(name: str, url: str | None = None, progress: Progress | None = None) -> InstalledVoice:
    """Download the voice ``name`` (or an alias) from the catalogue at ``url`` into voices_dir(),
    unless it is there already; installed whole or not at all."""
    address = catalogue_address(url or voices_url())
    catalogue = fetch_catalogue(address)
    key = find_voice(name, catalogue)
    files = voice_files(key, catalogue[key])
    paths = tuple(voices_dir() / file.local_name for file in files)
    installed = InstalledVoice(key, paths[0], paths, catalogue[key].language, downloaded_bytes=0)
    if all(_holds(path, file) for path, file in zip(paths, files, strict=True)):
        return installed
    try:
        _install(address, files, progress or (lambda done, total: None))
    except OSError as error:  # the network's failures are VoiceStoreError already
        where = error.filename or voices_dir()
        raise VoiceStoreError(f"{where}: cannot write the voice ({error.strerror or error})") from None
    return replace(installed, downloaded_bytes=catalogue[key].size_bytes)


def remove_voice(name: str) -> list[Path]:
    """Delete the voice ``name``'s files, config first (the voice is gone at once); their paths."""
    name = name.removesuffix(".onnx")
    endings = reversed(WANTED_FILES.values())
    paths = [voices_dir() / f"{name}{ending}" for ending in endings] if PLAIN_NAME.fullmatch(name) else []
    present = [path for path in paths if path.exists()]
    if not present:
        have = ", ".join(model.name.removesuffix(".onnx") for model in installed_voice_models()) or "none"
        raise VoiceStoreError(f'no voice "{name}" is installed (installed: {have})')
    try:
        for path in present:
            path.unlink()
    except OSError as error:
        raise VoiceStoreError(f"{error.filename}: cannot delete it ({error.strerror})") from None
    return present


def _holds(path: Path, file: VoiceFile) -> bool:
    """Whether ``path`` is ``file`` already, byte for byte."""
    if not path.is_file() or path.stat().st_size != file.expected.size_bytes:
        return False
    with path.open("rb") as held:
        return hashlib.file_digest(held, _md5).hexdigest() == file.expected.md5_digest.lower()


def _md5() -> hashlib._Hash:
    # The catalogue's checksum: it finds damage; the catalogue, over HTTPS, vouches for origin.
    return hashlib.md5(usedforsecurity=False)


def _install(address: str, files: list[VoiceFile], progress: Progress) -> None:
    """Download each file beside its place and check it; only then move them all into place."""
    folder = voices_dir()
    folder.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(folder)  # the parts of a download that was killed outright
    total = sum(file.expected.size_bytes for file in files)
    free = shutil.disk_usage(folder).free
    if free < total:
        raise VoiceStoreError(f"{folder}: {free / 1e6:.1f} MB free, the voice needs {total / 1e6:.1f} MB")
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    with contextlib.ExitStack() as stack:
        # Each temporary is renamed onto its file as the stack unwinds with no error, in the
        # reverse of the order entered: entered first, the config is renamed last.
        entered = [
            stack.enter_context(atomic_output(folder / f.local_name, durable=True)) for f in files[::-1]
        ]
        for file, temporary in zip(files, entered[::-1], strict=True):
            _download(file_address(address, file.path), file, temporary, step)
        # A voice installed before goes out of sight until the whole new one is in place.
        (folder / files[-1].local_name).unlink(missing_ok=True)


def _download(url: str, file: VoiceFile, into: Path, step: Callable[[int], None]) -> None:
    digest, size, expected = _md5(), 0, file.expected.size_bytes
    with into.open("wb") as out:
        for chunk in fetch_chunks(url, expected):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            step(len(chunk))
    if size != expected:
        found = f"more than {expected:,} bytes" if size > expected else f"only {size:,} bytes"
        raise VoiceStoreError(
            f"{url}: {found} where the catalogue says {expected:,}; nothing was installed, try again later"
        )
    if digest.hexdigest() != file.expected.md5_digest.lower():
        raise VoiceStoreError(f"{url}: the download's MD5 is not the catalogue's; nothing was installed")
