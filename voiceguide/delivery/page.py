"""The page a phone opens: each session with its length, chapters, a player and a link; for `share`,
and with the show's cover, description and feed address for a site `publish` writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from voiceguide.delivery.printable import one_line
from voiceguide.delivery.sessions import SessionFile
from voiceguide.durations import format_clock

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 40rem; padding: 1rem;
       background: #f6f4ee; color: #223; line-height: 1.4; }
h1 { font-size: 1.4rem; } article { background: #fff; border-radius: 12px; padding: 1rem;
       margin-bottom: 1rem; box-shadow: 0 1px 3px #0002; }
h2 { font-size: 1.15rem; margin: 0 0 .25rem; } audio { width: 100%; margin: .5rem 0; }
ol { padding-left: 1.4rem; color: #445; } a.download { display: inline-block; padding: .6rem 1rem;
       border-radius: 8px; background: #4a7c59; color: #fff; text-decoration: none; }
.length { color: #667; margin: 0; } .feed { font-size: .9rem; color: #556; }
header { display: flex; gap: 1rem; align-items: center; margin-bottom: 1rem; }
header img { width: 6rem; height: 6rem; border-radius: 12px; flex: none; } header h1 { margin: 0; }
.address { overflow-wrap: anywhere; } .qr { width: 10rem; height: auto; }
"""
# A published page loads only its own files and runs no script: should a title ever slip past the
# escaping, the browser still refuses what it would run (and a frame or plugin it would load).
SITE_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
    "script-src 'none'; object-src 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class ShowHeading:
    """What a published site's page says above and below its sessions."""

    title: str
    description: str
    feed_url: str
    language: str
    noindex: bool


def sessions_page(sessions: Sequence[SessionFile]) -> str:
    """`share`'s page for a phone screen; every link is relative to the page's own URL."""
    body = f"""<h1>voiceguide sessions</h1>
{_cards(sessions)}
<p class="feed">Podcast app? Subscribe to <a href="feed.xml">feed.xml</a>
(while this share lasts).</p>"""
    return _html("voiceguide sessions", body, "en", noindex=False)


def show_page(show: ShowHeading, sessions: Sequence[SessionFile]) -> str:
    """A published site's page: the show, its sessions, and how to subscribe. Everything it loads
    (cover.png, feed-qr.svg, the audio) sits beside it; it needs no script."""
    body = f"""<header>
<img src="cover.png" alt="">
<div><h1>{_shown(show.title)}</h1>
<p>{_shown(show.description)}</p></div>
</header>
{_cards(sessions)}
<section class="feed">
<h2>Subscribe</h2>
<p>In a podcast app (AntennaPod, Apple Podcasts, Pocket Casts...), add this address, or scan it
with the phone's camera:</p>
<p class="address"><a href="feed.xml">{_shown(show.feed_url)}</a></p>
<img class="qr" src="feed-qr.svg" alt="QR code of the feed address">
</section>"""
    return _html(show.title, body, show.language, show.noindex, policy=SITE_POLICY)


def _html(title: str, body: str, language: str, noindex: bool, policy: str | None = None) -> str:
    metas = '\n<meta name="robots" content="noindex">' if noindex else ""
    if policy:  # a constant of ours, with no double quote in it
        metas += f'\n<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return f"""<!doctype html>
<html lang="{_shown(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{metas}
<title>{_shown(title)}</title>
<style>{STYLE}</style>
</head>
<body>
{body}
</body>
</html>
"""


def _cards(sessions: Sequence[SessionFile]) -> str:
    return "\n".join(_article(session) for session in sessions)


def _article(session: SessionFile) -> str:
    href = quote(session.path.name)
    chapters = "".join(
        f"<li>{_shown(chapter.title)} <small>{format_clock(chapter.start_ms)}</small></li>"
        for chapter in session.chapters
    )
    return f"""<article id="{_shown(session.path.stem)}">
<h2>{_shown(session.title)}</h2>
<p class="length">{format_clock(session.duration_ms)} · {len(session.chapters)} steps</p>
<audio controls preload="none" src="{href}"></audio>
<ol>{chapters}</ol>
<a class="download" href="{href}" download>Download {_shown(session.path.suffix[1:].upper())}</a>
</article>"""


def _shown(text: str) -> str:
    return escape(one_line(text))
