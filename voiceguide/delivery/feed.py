"""An RSS 2.0 podcast feed of the shared sessions, with the iTunes tags podcast apps read."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.utils import formatdate
from urllib.parse import quote
from xml.etree import ElementTree as ET

from voiceguide.delivery.printable import one_line
from voiceguide.delivery.sessions import SessionFile

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ET.register_namespace("itunes", ITUNES)


def podcast_feed(sessions: Sequence[SessionFile], base_url: str) -> bytes:
    """The feed as UTF-8 XML; ``base_url`` (ending in /) makes every link absolute, as apps need."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", "voiceguide sessions")
    _text(channel, "link", base_url)
    _text(channel, "description", "Voice-guided facial massage sessions made with voiceguide.")
    _text(channel, "language", "en")
    _text(channel, f"{{{ITUNES}}}author", "voiceguide")
    _text(channel, f"{{{ITUNES}}}explicit", "false")
    ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": f"{base_url}cover.png"})
    for session in sessions:
        _item(channel, session, base_url)
    feed: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return feed


def _item(channel: ET.Element, session: SessionFile, base_url: str) -> None:
    item = ET.SubElement(channel, "item")
    url = base_url + quote(session.path.name)
    _text(item, "title", session.title)
    _text(item, "description", ", ".join(chapter.title for chapter in session.chapters))
    ET.SubElement(item, "enclosure", {"url": url, "length": str(session.size_bytes), "type": session.mime})
    # The same file shared again is the same episode; a re-rendered one is a new episode.
    guid = hashlib.sha256(f"{session.path.name}:{session.size_bytes}".encode()).hexdigest()[:32]
    _text(item, "guid", guid).set("isPermaLink", "false")
    _text(item, "pubDate", formatdate(session.path.stat().st_mtime, usegmt=True))
    _text(item, f"{{{ITUNES}}}duration", str(round(session.duration_ms / 1000)))
    _text(item, f"{{{ITUNES}}}episodeType", "full")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = one_line(text)  # XML 1.0 has no place for control characters
    return element
