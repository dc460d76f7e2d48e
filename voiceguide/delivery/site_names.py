"""The names in a published site: the site's own files, and each session's name and files there.
A name is the same on every host and file system, and in a URL as it is; a host serves a file as
its extension says, so no session's file may take an extension a browser would run."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from voiceguide.delivery.sessions import SESSION_SUFFIXES
from voiceguide.encoding import AUDIO_FORMATS

PAGE_NAME = "index.html"
FEED_NAME = "feed.xml"
COVER_NAME = "cover.png"
QR_NAME = "feed-qr.svg"
MANIFEST_NAME = ".voiceguide-site.json"
SITE_FILES = frozenset((PAGE_NAME, FEED_NAME, COVER_NAME, QR_NAME, MANIFEST_NAME))
# No session is named as a site file is, whatever extension each has: "index" or "feed" would be
# one rename from overwriting the page or the feed, and reads as one in a listing.
RESERVED_NAMES = frozenset(name.lstrip(".").split(".")[0] for name in SITE_FILES)
AUDIO_SUFFIXES = SESSION_SUFFIXES
COMPANION_SUFFIXES = (".chapters.json", ".vtt", ".srt", ".lrc")
# Long enough for any title; short enough that NAME.chapters.json fits every file system's 255.
MAX_SITE_NAME_CHARS = 100
# What site_name makes: lower-case ASCII letters, digits, - and _, beginning and ending in a letter
# or digit (so never "." or "..", never hidden).
SITE_NAME = re.compile(rf"[a-z0-9](?:[a-z0-9_-]{{0,{MAX_SITE_NAME_CHARS - 2}}}[a-z0-9])?")


def site_name(stem: str) -> str:
    """A session's name in the site: its file name's ``stem`` in lower-case ASCII letters, digits,
    - and _; a stem with none of them (all Japanese, say) gets one from its hash, so two differ."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9_-]+", "-", ascii_stem).strip("-_")
    name = name[:MAX_SITE_NAME_CHARS].rstrip("-_")
    if name:
        return name
    # surrogatepass: a file name that is not UTF-8 reaches Python with lone surrogates in it.
    return "session-" + hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def site_name_flaw(name: str) -> str | None:
    """Why ``name`` cannot be a session's name in the site, or None when it can."""
    if not SITE_NAME.fullmatch(name):
        return (
            f"a session's name is 1 to {MAX_SITE_NAME_CHARS} lower-case letters, digits, - and _, "
            "beginning and ending in a letter or digit"
        )
    if name in RESERVED_NAMES:
        return f'"{name}" is the name of one of the site\'s own files'
    return None


def session_files_flaw(name: str, files: tuple[str, ...]) -> str | None:
    """Why ``files`` cannot be the files of the session ``name`` in the site (its audio, then what
    goes with it), or None when they can: a site lists no other file as a session's."""
    audio, *others = files
    if audio not in {name + suffix for suffix in AUDIO_SUFFIXES}:
        return f'the audio of "{name}" is {name}{"|".join(AUDIO_SUFFIXES)}'
    if any(other not in {name + suffix for suffix in COMPANION_SUFFIXES} for other in others):
        return f'the other files of "{name}" are {name}{"|".join(COMPANION_SUFFIXES)}'
    if len(set(files)) != len(files):
        return f'the files of "{name}" are listed more than once'
    return None


def audio_suffix(own_suffix: str, mime: str) -> str:
    """The extension a session's audio gets in the site: from what the file holds (``mime``, as
    mutagen found it), the file's own when that says the same (.m4a or .m4b), else the first of
    its container's (.mp3, .m4b)."""
    fitting = [f".{name}" for name, audio_format in AUDIO_FORMATS.items() if audio_format.mime == mime]
    return own_suffix if own_suffix in fitting else fitting[0]
