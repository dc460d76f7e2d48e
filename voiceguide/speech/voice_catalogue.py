"""Piper's voice catalogue (``voices.json``, beside the voices on Hugging Face): each voice's
language and files, with their sizes and MD5s. Untrusted text: a voice name must be a plain file
name and a file path plain and relative before either is used."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from voiceguide.errors import VoiceStoreError
from voiceguide.speech.fetching import catalogue_address, fetch_body

DEFAULT_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/voices.json"
VOICES_URL_ENV = "VOICEGUIDE_VOICES_URL"
# Piper's catalogue is about 2 MB; one ten times that is not a catalogue.
CATALOGUE_MAX_BYTES = 20 * 1024 * 1024
# The largest Piper voices are about 120 MB: a file said to be larger is not a voice.
VOICE_FILE_MAX_BYTES = 1024**3

# The files a voice needs, by how their catalogue path ends, and how their local names end, in
# installing order: the config last, as a model is seen as a voice only with its config beside it.
WANTED_FILES = {".onnx": ".onnx", "/MODEL_CARD": ".MODEL_CARD", ".onnx.json": ".onnx.json"}
# A voice name or a path segment: no separators, no "..", nothing hidden.
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


class CatalogueFile(BaseModel):
    model_config = ConfigDict(frozen=True)
    size_bytes: int = Field(ge=0, le=VOICE_FILE_MAX_BYTES)
    md5_digest: str = Field(pattern=r"^[0-9a-fA-F]{32}$")


class CatalogueLanguage(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    """Such as ``fr_FR``."""
    family: str
    """Such as ``fr``: what ``--lang`` says."""
    name_english: str = ""


class CatalogueVoice(BaseModel):
    """One voice as the catalogue lists it; the fields not read here are ignored."""

    model_config = ConfigDict(frozen=True)
    language: CatalogueLanguage
    aliases: tuple[str, ...] = ()
    files: dict[str, CatalogueFile]

    @property
    def size_bytes(self) -> int:
        """What adding the voice downloads."""
        return sum(file.size_bytes for path, file in self.files.items() if _wanted_ending(path))


@dataclass(frozen=True)
class VoiceFile:
    """A file to install: where the catalogue has it, what it must be, and its name here."""

    path: str
    expected: CatalogueFile
    local_name: str


_CATALOGUE = TypeAdapter(dict[str, CatalogueVoice])


def voices_url() -> str:
    """The catalogue's URL: ``$VOICEGUIDE_VOICES_URL`` (a mirror, a test server) or Piper's."""
    return os.environ.get(VOICES_URL_ENV) or DEFAULT_VOICES_URL


def fetch_catalogue(url: str | None = None) -> dict[str, CatalogueVoice]:
    """The catalogue at ``url`` (a ``voices.json`` or the folder holding it), by voice name."""
    address = catalogue_address(url or voices_url())
    body = fetch_body(address, CATALOGUE_MAX_BYTES)
    if len(body) > CATALOGUE_MAX_BYTES:
        raise VoiceStoreError(f"{address}: over {CATALOGUE_MAX_BYTES // 2**20} MB, not a voice catalogue")
    try:
        return _CATALOGUE.validate_json(body)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise VoiceStoreError(
            f"{address}: not a Piper voice catalogue ({where + ': ' if where else ''}{problem['msg']})"
        ) from None


def voices_for(catalogue: dict[str, CatalogueVoice], language: str | None) -> list[str]:
    """The catalogue's voice names, sorted; with ``language`` (``fr``, ``en-gb``), its voices."""
    wanted = (language or "").lower().replace("_", "-")
    return sorted(
        name
        for name, voice in catalogue.items()
        if voice.language.code.lower().replace("_", "-").startswith(wanted)
    )


def find_voice(name: str, catalogue: dict[str, CatalogueVoice]) -> str:
    """The catalogue's name for ``name``, which may be an alias; or an error naming near ones."""
    key = name if name in catalogue else next((k for k, v in catalogue.items() if name in v.aliases), None)
    if key is not None and PLAIN_NAME.fullmatch(key):
        return key
    if key is not None:
        raise VoiceStoreError(f'the catalogue\'s voice name "{key}" cannot be a file name; refusing it')
    names = sorted(catalogue)
    near = [k for k in names if name.lower() in k.lower()][:4] or difflib.get_close_matches(name, names, 4)
    guess = f"; did you mean {', '.join(near)}?" if near else ""
    raise VoiceStoreError(
        f'no voice "{name}" in the catalogue{guess} (see them all: voiceguide voices add --list)'
    )


def voice_files(name: str, voice: CatalogueVoice) -> list[VoiceFile]:
    """The files to install for the voice ``name``, in installing order; the others are ignored."""
    found: dict[str, VoiceFile] = {}
    for path, expected in voice.files.items():
        ending = _wanted_ending(path)
        if ending is None:
            continue  # anything else the catalogue lists is not needed to speak
        if not all(PLAIN_NAME.fullmatch(part) for part in path.split("/")):
            raise VoiceStoreError(f'the catalogue\'s path "{path}" for {name} is not a plain relative path')
        found[ending] = VoiceFile(path, expected, f"{name}{WANTED_FILES[ending]}")
    for needed in (".onnx", ".onnx.json"):
        if needed not in found:
            raise VoiceStoreError(f"the catalogue lists no {needed} file for {name}")
    return [found[ending] for ending in WANTED_FILES if ending in found]


def _wanted_ending(path: str) -> str | None:
    return next((ending for ending in WANTED_FILES if path.endswith(ending)), None)
