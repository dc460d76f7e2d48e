"""An RSS 2.0 podcast feed of sessions, with the iTunes tags podcast apps read: the channel and its
items, shared by `share`'s feed and `publish`'s (which adds the Podcasting 2.0 tags)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import quote
from xml.etree import ElementTree as ET

from voiceguide.delivery.printable import one_line
from voiceguide.delivery.sessions import SessionFile

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ET.register_namespace("itunes", ITUNES)


@dataclass(frozen=True)
class Channel:
    """What a feed says of the show as a whole."""

    title: str
    link: str
    """The page listing the sessions, absolute."""
    description: str
    cover_url: str
    language: str = "en"
    author: str = "voiceguide"


@dataclass(frozen=True)
class Episode:
    """A session as an item of the feed."""

    session: SessionFile
    url: str
    """Where its audio is, absolute: apps fetch it from anywhere."""
    guid: str
    published_s: float
    """Seconds since the epoch."""


def podcast_feed(sessions: Sequence[SessionFile], base_url: str) -> bytes:
    """`share`'s feed as UTF-8 XML; ``base_url`` (ending in /) makes every link absolute, as apps need."""
    rss = ET.Element("rss", {"version": "2.0"})
    description = "Voice-guided facial massage sessions made with voiceguide."
    channel = channel_element(
        rss, Channel("voiceguide sessions", base_url, description, f"{base_url}cover.png")
    )
    for session in sessions:
        # The same file shared again is the same episode; a re-rendered one is a new episode.
        guid = hashlib.sha256(f"{session.path.name}:{session.size_bytes}".encode()).hexdigest()[:32]
        url = base_url + quote(session.path.name)
        item_element(channel, Episode(session, url, guid, session.path.stat().st_mtime))
    return xml_bytes(rss)


def channel_element(rss: ET.Element, channel: Channel) -> ET.Element:
    element = ET.SubElement(rss, "channel")
    text_element(element, "title", channel.title)
    text_element(element, "link", channel.link)
    text_element(element, "description", channel.description)
    text_element(element, "language", channel.language)
    text_element(element, f"{{{ITUNES}}}author", channel.author)
    text_element(element, f"{{{ITUNES}}}explicit", "false")
    ET.SubElement(element, f"{{{ITUNES}}}image", {"href": channel.cover_url})
    return element


def item_element(channel: ET.Element, episode: Episode) -> ET.Element:
    session = episode.session
    item = ET.SubElement(channel, "item")
    text_element(item, "title", session.title)
    text_element(item, "description", ", ".join(chapter.title for chapter in session.chapters))
    ET.SubElement(
        item, "enclosure", {"url": episode.url, "length": str(session.size_bytes), "type": session.mime}
    )
    text_element(item, "guid", episode.guid).set("isPermaLink", "false")
    text_element(item, "pubDate", formatdate(episode.published_s, usegmt=True))
    text_element(item, f"{{{ITUNES}}}duration", str(round(session.duration_ms / 1000)))
    text_element(item, f"{{{ITUNES}}}episodeType", "full")
    return item


def text_element(
    parent: ET.Element, tag: str, text: str, attributes: dict[str, str] | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes or {})
    element.text = one_line(text)  # XML 1.0 has no place for control characters
    return element


def xml_bytes(root: ET.Element) -> bytes:
    feed: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return feed
