"""A published site's podcast feed: `share`'s RSS 2.0 and iTunes tags, plus the show's owner and
category, the Podcasting 2.0 tags (chapters, transcripts, guid, locked, block) and Podlove Simple
Chapters inline; and the JSON chapters file each session's podcast:chapters points to."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from xml.etree import ElementTree as ET

from voiceguide.delivery.feed import (
    ITUNES,
    Channel,
    Episode,
    channel_element,
    item_element,
    text_element,
    xml_bytes,
)
from voiceguide.delivery.printable import one_line
from voiceguide.delivery.sessions import SessionFile
from voiceguide.delivery.show_settings import ShowSettings
from voiceguide.sidecars import npt_time

# The Podcasting 2.0 namespace (podcastindex.org/namespace/1.0), Podlove Simple Chapters 1.2
# (podlove.org/simple-chapters), and Atom's, for the feed's link to itself.
PODCAST = "https://podcastindex.org/namespace/1.0"
PSC = "http://podlove.org/simple-chapters"
ATOM = "http://www.w3.org/2005/Atom"
for _prefix, _uri in (("podcast", PODCAST), ("psc", PSC), ("atom", ATOM)):
    ET.register_namespace(_prefix, _uri)

# JSON chapters format version, and the type podcast:chapters states for it.
CHAPTERS_VERSION = "1.2.0"
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}


@dataclass(frozen=True)
class SiteEpisode:
    """A session in the site, with the addresses of the files that go with it."""

    episode: Episode
    page_url: str
    chapters_url: str
    transcript_urls: dict[str, str]
    """Kind (``vtt``, ``srt``) -> address; empty for a session without timed lyrics."""


def show_feed(show: ShowSettings, language: str, episodes: Sequence[SiteEpisode], built_s: float) -> bytes:
    """The feed as UTF-8 XML; ``built_s`` (seconds since the epoch) is its lastBuildDate."""
    rss = ET.Element("rss", {"version": "2.0"})
    cover_url = f"{show.base_url}cover.png"
    shown = Channel(show.title, show.base_url, show.description, cover_url, language, show.author)
    channel = channel_element(rss, shown)
    _show_tags(channel, show, built_s)
    for site_episode in episodes:
        _episode_tags(item_element(channel, site_episode.episode), site_episode, language)
    ET.indent(rss)
    return xml_bytes(rss)


def _show_tags(channel: ET.Element, show: ShowSettings, built_s: float) -> None:
    ET.SubElement(
        channel, f"{{{ATOM}}}link", {"href": show.feed_url, "rel": "self", "type": "application/rss+xml"}
    )
    text_element(channel, "lastBuildDate", formatdate(built_s, usegmt=True))
    text_element(channel, "generator", "voiceguide")
    image = ET.SubElement(channel, "image")
    for tag, text in (("url", show.base_url + "cover.png"), ("title", show.title), ("link", show.base_url)):
        text_element(image, tag, text)
    text_element(channel, f"{{{ITUNES}}}type", "episodic")
    _category(channel, show.category)
    if show.email:
        owner = ET.SubElement(channel, f"{{{ITUNES}}}owner")
        text_element(owner, f"{{{ITUNES}}}name", show.author)
        text_element(owner, f"{{{ITUNES}}}email", show.email)
    text_element(channel, f"{{{PODCAST}}}guid", show.guid)
    # Locked: no other podcast host may take the feed over; the owner's address proves a move.
    text_element(channel, f"{{{PODCAST}}}locked", "yes", {"owner": show.email} if show.email else None)
    if show.noindex:
        text_element(channel, f"{{{PODCAST}}}block", "yes")
        text_element(channel, f"{{{ITUNES}}}block", "Yes")


def _category(channel: ET.Element, category: str) -> None:
    parent = channel
    for name in category.split("/"):
        parent = ET.SubElement(parent, f"{{{ITUNES}}}category", {"text": one_line(name)})


def _episode_tags(item: ET.Element, site_episode: SiteEpisode, show_language: str) -> None:
    language = site_episode.episode.session.language or show_language
    text_element(item, "link", site_episode.page_url)
    chapters = {"url": site_episode.chapters_url, "type": CHAPTERS_TYPE}
    ET.SubElement(item, f"{{{PODCAST}}}chapters", chapters)
    for kind, url in site_episode.transcript_urls.items():
        transcript = {"url": url, "type": TRANSCRIPT_TYPES[kind], "language": language, "rel": "captions"}
        ET.SubElement(item, f"{{{PODCAST}}}transcript", transcript)
    inline = ET.SubElement(item, f"{{{PSC}}}chapters", {"version": "1.2"})
    for chapter in site_episode.episode.session.chapters:
        marks = {"start": npt_time(chapter.start_ms), "title": one_line(chapter.title)}
        ET.SubElement(inline, f"{{{PSC}}}chapter", marks)


def chapters_json(session: SessionFile) -> str:
    """The session's chapters in the Podcasting 2.0 JSON chapters format (start times in seconds)."""
    chapters = [
        {"startTime": chapter.start_ms / 1000, "title": chapter.title} for chapter in session.chapters
    ]
    document = {"version": CHAPTERS_VERSION, "title": session.title, "chapters": chapters}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
