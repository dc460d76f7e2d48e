"""``voiceguide studio``: the studio's web page, on this computer or, with --lan, on the phone too."""

from __future__ import annotations

import contextlib
import threading
import webbrowser
from pathlib import Path

import click


@click.command()
@click.option("--lan", is_flag=True, help="Also open to your phone on the same Wi-Fi: listens on this "
              "machine's address on the local network and prints a QR code of the page.")  # fmt: skip
@click.option("--host", help="The address to listen on (default: 127.0.0.1, this computer only; with "
              "--lan, this machine's address on the local network).")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port (default: a free one).")
@click.option("--no-open", is_flag=True, help="Do not open the page in a browser.")
@click.option("--sessions", "sessions_folder", type=click.Path(file_okay=False, path_type=Path),
              help="Where rendered sessions go (default: your music folder's voiceguide/).")  # fmt: skip
def studio(lan: bool, host: str | None, port: int, no_open: bool, sessions_folder: Path | None) -> None:
    """Shape, render, play and send sessions from a web page: no commands to remember.

    The address it prints holds a secret part: only who sees it can open the page. Ctrl-C stops
    the studio.

    \b
    Examples:
      voiceguide studio
      voiceguide studio --lan
      voiceguide studio --host 127.0.0.1 --port 8765 --no-open
    """
    from voiceguide.processes import Stopped
    from voiceguide.web.guard import TokenGuard
    from voiceguide.web.server import ServerThread, lan_address, new_token, qr_code_text
    from voiceguide.web.studio import studio_app
    from voiceguide.web.studio_state import StudioFolders

    folders = StudioFolders.default()
    if sessions_folder:
        folders = StudioFolders(sessions_folder.expanduser(), folders.work, folders.cache)
    server = ServerThread(host or (lan_address() if lan else "127.0.0.1"), port)
    token = new_token()
    url = f"http://{server.address}/{token}/"
    server.start(TokenGuard(studio_app(folders, url, show_qr=lan), token))
    click.echo("The studio is open at:")
    click.echo(f"\n  {url}\n")
    if lan:
        click.echo("On your phone (same Wi-Fi), scan:")
        click.echo(qr_code_text(url))
    click.echo(f"Sessions are kept in {folders.sessions}. Press Ctrl-C to stop the studio.", err=True)
    if not no_open:
        webbrowser.open(url)
    with contextlib.suppress(KeyboardInterrupt, Stopped):  # Ctrl-C or SIGTERM: the studio closes
        threading.Event().wait()
    server.stop()
    click.echo("The studio is closed.", err=True)
