"""A published show's settings: what a publish asks, settled against what the site had and the
defaults; the address the site is served at; the show's lasting identity (podcast:guid)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from voiceguide.delivery.printable import one_line, title_line
from voiceguide.delivery.site_names import FEED_NAME
from voiceguide.errors import DeliveryError

DEFAULTS = {
    "title": "voiceguide sessions",
    "description": "Voice-guided facial massage sessions.",
    "author": "voiceguide",
    "category": "Health & Fitness",  # one of Apple Podcasts' categories
}
# podcast:guid is the UUIDv5 of the feed's address (without its scheme and trailing slashes) in
# this namespace, which the Podcasting 2.0 guid tag names.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The characters of a URI (RFC 3986, section 2): unreserved, reserved, and %XX escapes. The single
# quote is reserved there but refused here with the double one: no real host needs it, and the
# address is written into the page and the feed.
_URI = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=]|%[0-9A-Fa-f]{2})*")
_URI_CHARACTER = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=]")
# The QR code of the feed's address holds at most 2,953 bytes; an address of a thousand is already
# beyond what a phone's camera reads at a glance.
MAX_BASE_URL_CHARS = 1000
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class ShowSettings(BaseModel):
    """The show as the feed and the page present it (kept in the site's manifest)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    description: str
    base_url: str
    """Where the folder is served, ending in /: every link in the feed starts with it."""
    author: str
    email: str | None
    """The owner's address (itunes:owner, podcast:locked); none: not stated."""
    category: str
    """An Apple Podcasts category, ``Parent/Sub`` for a subcategory."""
    noindex: bool
    """Ask search engines and podcast directories to leave the site out."""
    guid: str = Field(pattern=_UUID)
    """podcast:guid: given once, from the first feed address, and kept if the site moves."""

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_NAME


@dataclass(frozen=True)
class ShowOptions:
    """What a publish asks of the show; None keeps what the site had (or the default)."""

    base_url: str | None = None
    title: str | None = None
    description: str | None = None
    author: str | None = None
    email: str | None = None
    category: str | None = None
    noindex: bool | None = None


def settle_show(stored: ShowSettings | None, asked: ShowOptions) -> ShowSettings:
    """The show as asked, and what was not asked as the site had it (or the defaults)."""
    base = asked.base_url or (stored.base_url if stored else None)
    if base is None:
        raise DeliveryError(
            "say where the folder will be served: --base-url https://example.org/massage/ (needed once)"
        )
    base_url = site_address(base)
    email = asked.email if asked.email is not None else (stored.email if stored else None)
    # one_line changes nothing of an address: it is written as it is, into an attribute too.
    if email and not (_EMAIL.fullmatch(email) and email == one_line(email)):
        raise DeliveryError(
            f'--email "{one_line(email)}" is not an email address; give one such as you@example.org'
        )

    def chosen(field: str) -> str:
        given = getattr(asked, field) or (getattr(stored, field) if stored else None)
        return one_line(given or DEFAULTS[field]) or DEFAULTS[field]

    return ShowSettings(
        title=title_line(chosen("title")),
        description=chosen("description"),
        base_url=base_url,
        author=chosen("author"),
        email=email or None,
        category=podcast_category(chosen("category")),
        noindex=asked.noindex if asked.noindex is not None else bool(stored and stored.noindex),
        guid=stored.guid if stored else show_guid(base_url + FEED_NAME),
    )


def podcast_category(text: str) -> str:
    """``text`` as an Apple Podcasts category: ``Parent`` or ``Parent/Sub``; a DeliveryError else."""
    parts = text.split("/")
    if len(parts) > 2 or not all(part.strip() for part in parts):
        raise DeliveryError(
            f'--category "{text}" is not a category; give an Apple Podcasts category, '
            'or "Parent/Sub" for a subcategory, e.g. "Health & Fitness/Alternative Health"'
        )
    return text


def site_address(text: str) -> str:
    """``text`` as the address the site is served at, ending in /; a DeliveryError unless it is an
    absolute http(s) address (podcast apps fetch every file from it)."""
    if len(text) > MAX_BASE_URL_CHARS:
        raise DeliveryError(
            f"--base-url is {len(text):,} characters long; give an address of at most "
            f"{MAX_BASE_URL_CHARS:,} (a QR code of it must be readable)"
        )
    flaw = _address_flaw(text)
    if flaw is not None:
        detail = f" ({flaw})" if flaw else ""
        raise DeliveryError(
            f'--base-url "{_escaped(text)}" is not a web address{detail}; give the http:// or https:// '
            "address the folder will be served at, e.g. https://example.org/massage/"
        )
    return text if text.endswith("/") else f"{text}/"


def _address_flaw(text: str) -> str | None:
    """None for an absolute http(s) address with a host and nothing after its path; else what
    is wrong with it, or "" when saying so would not help."""
    if not _URI.fullmatch(text):
        return _character_flaw(text)
    try:
        parts = urlsplit(text)
        port = parts.port  # raises for a port that is not a number, urlsplit for a broken [host]
    except ValueError:
        return ""
    if "@" in parts.netloc:
        return "it holds user:password@, which everyone who reads the feed would see"
    if port == 0:
        return "port 0 is no port to serve from"
    has_host = parts.scheme in ("http", "https") and bool(parts.hostname)
    return None if has_host and not (parts.query or parts.fragment) else ""


def _character_flaw(text: str) -> str:
    for at, character in enumerate(text):
        if character == "%" and not re.match(r"%[0-9A-Fa-f]{2}", text[at:]):
            return f'"%" at character {at + 1} is not followed by two hex digits'
        if character != "%" and not _URI_CHARACTER.fullmatch(character):
            shown = "a space" if character == " " else repr(character)
            return f"{shown} at character {at + 1}: percent-encode it, e.g. a space as %20"
    return ""


def _escaped(text: str) -> str:
    """``text`` shown in a message: non-ASCII and control characters as escapes, cut short."""
    shown = text.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 120 else shown[:119] + "…"


def show_guid(feed_url: str) -> str:
    """podcast:guid for a show first published at ``feed_url``."""
    seed = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))
