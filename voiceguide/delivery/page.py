"""The page a phone opens: each shared session with its length, chapters, a player and a link."""

from __future__ import annotations

from collections.abc import Sequence
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
"""


def sessions_page(sessions: Sequence[SessionFile]) -> str:
    """A small HTML page for a phone screen; every link is relative to the page's own URL."""
    articles = "\n".join(_article(session) for session in sessions)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>voiceguide sessions</title>
<style>{STYLE}</style>
</head>
<body>
<h1>voiceguide sessions</h1>
{articles}
<p class="feed">Podcast app? Subscribe to <a href="feed.xml">feed.xml</a>
(while this share lasts).</p>
</body>
</html>
"""


def _article(session: SessionFile) -> str:
    href = quote(session.path.name)
    chapters = "".join(
        f"<li>{_shown(chapter.title)} <small>{format_clock(chapter.start_ms)}</small></li>"
        for chapter in session.chapters
    )
    return f"""<article>
<h2>{_shown(session.title)}</h2>
<p class="length">{format_clock(session.duration_ms)} · {len(session.chapters)} steps</p>
<audio controls preload="none" src="{href}"></audio>
<ol>{chapters}</ol>
<a class="download" href="{href}" download>Download {_shown(session.path.suffix[1:].upper())}</a>
</article>"""


def _shown(text: str) -> str:
    return escape(one_line(text))
