"""``voiceguide export``, ``share`` and ``publish``: getting rendered sessions onto a phone.

The delivery modules are imported when a command runs: a render should not pay for an HTTP
server and QR codes.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from pathlib import Path

import click

from voiceguide.cli_options import milliseconds_up_to
from voiceguide.durations import format_clock


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder on a mounted phone, SD card or synced folder, e.g. /media/phone/Music.",
)
@click.option("--adb", "use_adb", is_flag=True,
              help="Push to an Android phone connected by USB (needs adb and USB debugging).")  # fmt: skip
def export(files: tuple[Path, ...], folder: Path | None, use_adb: bool) -> None:
    """Copy rendered sessions (with their .lrc lyrics) to a phone.

    With --to, each MP3 is copied and checked, and the folder's voiceguide.m3u8 playlist lists
    every session there (exporting again replaces, never duplicates). With --adb, they go to the
    phone's Music/voiceguide folder and the phone's music library is told about them.

    \b
    Examples:
      voiceguide export daily.mp3 --to /media/phone/Music
      voiceguide export sessions/ --adb
    """
    from voiceguide.delivery.adb import push_to_phone
    from voiceguide.delivery.folder import PLAYLIST_NAME, export_to_folder
    from voiceguide.delivery.sessions import sessions_in

    if (folder is None) == (not use_adb):
        raise click.UsageError("say where: --to FOLDER or --adb (one of them)")
    sessions = sessions_in(list(files))
    if use_adb:
        for on_phone in push_to_phone(sessions):
            click.echo(f"pushed {on_phone}")
        return
    assert folder is not None
    for copied in export_to_folder(sessions, folder):
        click.echo(f"copied {copied}")
    click.echo(f"playlist: {folder / PLAYLIST_NAME}", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option(
    "--host",
    help="The address to listen on (default: this machine's address on the local "
    "network; 0.0.0.0 listens on every network, only if you mean it).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port (default: a free one).")
@click.option("--expire", "expire_ms", callback=milliseconds_up_to("24h"), default="30m", show_default=True,
              metavar="DURATION", help="Stop sharing after this long, e.g. 20s, 10m, 1h.")  # fmt: skip
def share(paths: tuple[Path, ...], host: str | None, port: int, expire_ms: int) -> None:
    """Share sessions with a phone on the same Wi-Fi: scan the QR code, then play or download.

    PATH is an MP3 (or M4B) or a folder of them. The address holds a secret random part, so only who
    sees it can open it; the page lists each session with a player, and feed.xml is a podcast
    feed for AntennaPod or Apple Podcasts. Sharing stops after --expire or on Ctrl-C.

    \b
    Examples:
      voiceguide share daily.mp3 jaw-release.mp3
      voiceguide share sessions/ --expire 10m
    """
    from voiceguide.delivery.sessions import sessions_in
    from voiceguide.web.server import lan_address, qr_code_text
    from voiceguide.web.share import SessionShare

    sessions = sessions_in(list(paths))
    log = functools.partial(click.echo, err=True)
    with SessionShare(sessions, host or lan_address(), port, log=log) as server:
        count = f"{len(sessions)} session" + ("" if len(sessions) == 1 else "s")
        click.echo(f"Sharing {count} for {format_clock(expire_ms)}. On your phone (same Wi-Fi), open:")
        click.echo(f"\n  {server.url}\n")
        click.echo(qr_code_text(server.url))
        click.echo(f"Podcast feed: {server.url}feed.xml")
        click.echo("Press Ctrl-C to stop sharing.", err=True)
        _wait_for_expiry(expire_ms / 1000)
    click.echo("Sharing stopped.", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option(
    "--to",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The site's folder (made if missing); publish into it again to add or replace sessions.",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The http(s) address the folder will be served at; needed the first time, then kept.",
)
@click.option("--title", help='The show\'s title (default: "voiceguide sessions").')
@click.option("--description", help="A sentence or two about the show, on the page and in podcast apps.")
@click.option("--author", help="Who makes the sessions, as podcast apps show it (default: voiceguide).")
@click.option("--email", help="The owner's email address, for podcast directories (optional).")
@click.option(
    "--category",
    metavar="NAME",
    help='An Apple Podcasts category, "Parent/Sub" for a subcategory (default: Health & Fitness).',
)
@click.option(
    "--noindex/--index",
    default=None,
    help="Ask search engines and podcast directories to leave the site out (kept until --index).",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Keep only the sessions named this time: the others leave the feed, their files are deleted.",
)
def publish(files: tuple[Path, ...], folder: Path, base_url: str | None, title: str | None,
            description: str | None, author: str | None, email: str | None, category: str | None,
            noindex: bool | None, prune: bool) -> None:  # fmt: skip
    """Publish sessions as a podcast: a folder to upload to any web host.

    FILE is an MP3 (or M4B) or a folder of them. The folder gets each session's audio, its chapters
    and its narration as transcripts, a page to listen on (index.html), a podcast feed (feed.xml)
    with chapters and transcripts that podcast apps show, the cover, and a QR code of the feed's
    address. Publishing again adds new sessions and replaces re-rendered ones; settings given once
    (address, title, ...) are kept.

    \b
    Examples:
      voiceguide publish out/*.mp3 --to site/ --base-url https://example.org/massage/ \\
          --title "Evening face care"
      voiceguide publish out/neck.mp3 --to site/
      voiceguide publish out/ --to site/ --prune
      voiceguide publish client/*.mp3 --to client-site/ --base-url https://example.org/c/x7q2/ --noindex
    """
    from voiceguide.delivery.publish import publish_site
    from voiceguide.delivery.show_settings import ShowOptions

    asked = ShowOptions(base_url, title, description, author, email, category, noindex)
    report = publish_site(list(files), folder, asked, prune)
    for kind, names in (("added", report.added), ("replaced", report.replaced), ("unchanged", report.kept)):
        for name in names:
            click.echo(f"{kind} {name}", err=True)
    for name in report.removed:
        click.echo(f"deleted {folder / name}", err=True)
    count = f"{report.listed} session" + ("" if report.listed == 1 else "s")
    click.echo(f"{folder} holds {count}; upload it, then subscribe in a podcast app to:", err=True)
    click.echo(report.feed_url)


def _wait_for_expiry(seconds: float) -> None:
    """Return when ``seconds`` have passed, or at once on Ctrl-C or SIGTERM."""
    from voiceguide.processes import Stopped

    with contextlib.suppress(KeyboardInterrupt, Stopped):
        threading.Event().wait(seconds)
