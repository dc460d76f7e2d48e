"""What a published site folder remembers of itself, in ``.voiceguide-site.json``: the show's settings
(so a later publish need not repeat them, and the show keeps its identity) and each session published
into it, with its files, its guid and when it was first published.

The manifest says which files a publish may replace or delete, so it is read as untrusted: a hand
edit can name only a session's own files (its name, then one of the extensions publish gives)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from voiceguide.delivery.printable import one_line
from voiceguide.delivery.show_settings import ShowSettings
from voiceguide.delivery.site_names import MANIFEST_NAME, session_files_flaw, site_name_flaw
from voiceguide.errors import DeliveryError

# What a new folder may hold and still be taken for empty: what file managers leave in one.
_HOUSEKEEPING = frozenset((".DS_Store", "Thumbs.db", "desktop.ini"))
# A day: the clocks of the machines that published into the folder may disagree.
_CLOCK_SKEW_S = 24 * 3600


def _valid_site_name(name: str) -> str:
    if flaw := site_name_flaw(name):
        raise ValueError(flaw)
    return name


def _not_in_the_future(seconds: int) -> int:
    """A date the feed can write (formatdate fails past the year 9999)."""
    if seconds > time.time() + _CLOCK_SKEW_S:
        raise ValueError("a date after today")
    return seconds


class PublishedSession(BaseModel):
    """One session in the site."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, AfterValidator(_valid_site_name)]
    """Its name in the site (the file name's stem, made safe): a session of the same name replaces it."""
    files: tuple[str, ...] = Field(min_length=1)
    """Its files in the site, the audio first."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Of the audio."""
    guid: str = Field(pattern=r"^[0-9a-f]{32}$")
    published_s: Annotated[int, Field(ge=0), AfterValidator(_not_in_the_future)]
    """When this audio was first published, in seconds since the epoch: the item's pubDate."""

    @model_validator(mode="after")
    def _files_are_the_sessions_own(self) -> Self:
        if flaw := session_files_flaw(self.name, self.files):
            raise ValueError(flaw)
        return self

    @property
    def audio(self) -> str:
        return self.files[0]


class SiteManifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    show: ShowSettings | None = None
    sessions: tuple[PublishedSession, ...] = ()

    def listed_files(self) -> set[str]:
        return {name for session in self.sessions for name in session.files}


def read_manifest(folder: Path) -> SiteManifest:
    """The manifest of the site in ``folder``; an empty one for a new site. A folder that holds
    files but no manifest is refused: they are someone else's, and publishing could overwrite them."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        if _holds_files(folder):
            raise DeliveryError(
                f"{folder} holds files and was not made by voiceguide publish; "
                "choose an empty or new folder for --to"
            )
        return SiteManifest()
    try:
        return SiteManifest.model_validate_json(path.read_bytes())
    except (ValidationError, OSError) as error:
        reason = _first_error(error) if isinstance(error, ValidationError) else error.strerror
        raise DeliveryError(
            f"{path}: cannot read the site's manifest ({one_line(str(reason))}); "
            "move the folder away and publish afresh"
        ) from None


def _holds_files(folder: Path) -> bool:
    try:
        return folder.is_dir() and any(path.name not in _HOUSEKEEPING for path in folder.iterdir())
    except OSError as error:
        raise DeliveryError(
            f"{folder}: cannot read the folder ({error.strerror}); choose another --to"
        ) from None


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def manifest_json(manifest: SiteManifest) -> str:
    return manifest.model_dump_json(indent=2) + "\n"
