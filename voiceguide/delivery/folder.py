"""Exporting sessions to a folder (a mounted phone, an SD card, a synced folder) with a playlist."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from voiceguide.delivery.printable import one_line
from voiceguide.delivery.sessions import SessionFile
from voiceguide.errors import DeliveryError
from voiceguide.files import atomic_output, write_text_atomically

PLAYLIST_NAME = "voiceguide.m3u8"


def export_to_folder(sessions: Sequence[SessionFile], folder: Path) -> list[Path]:
    """Copy each session (and its .lrc) into ``folder``, verified, and list it in the playlist.
    Exporting a session again replaces its copy and its playlist entry."""
    if not folder.is_dir():
        raise DeliveryError(f"{folder}: no such folder; mount the phone or card, or create the folder")
    read_playlist(folder / PLAYLIST_NAME)  # a playlist it cannot update is said before any copy
    copied = []
    for session in sessions:
        copied.append(_verified_copy(session.path, folder))
        if session.lyrics:
            _verified_copy(session.lyrics, folder)
    _update_playlist(folder, sessions)
    return copied


def _verified_copy(source: Path, folder: Path) -> Path:
    """Copied under a temporary name, checked byte for byte by size and SHA-256, then renamed."""
    final = folder / source.name
    with atomic_output(final) as temporary:
        shutil.copyfile(source, temporary)
        if temporary.stat().st_size != source.stat().st_size or _sha256(temporary) != _sha256(source):
            raise DeliveryError(f"{final}: the copy differs from {source}; the card may be full or failing")
    return final


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _update_playlist(folder: Path, sessions: Sequence[SessionFile]) -> None:
    playlist = folder / PLAYLIST_NAME
    entries = read_playlist(playlist)
    for session in sessions:
        entries[session.path.name] = (round(session.duration_ms / 1000), session.title)
    lines = ["#EXTM3U"]
    for name, (seconds, title) in entries.items():
        lines += [f"#EXTINF:{seconds},{one_line(title)}", one_line(name)]
    write_text_atomically(playlist, "\n".join(lines) + "\n")


def read_playlist(playlist: Path) -> dict[str, tuple[int, str]]:
    """File name -> (seconds, title) for every entry of an extended M3U playlist, in its order."""
    if not playlist.is_file():
        return {}
    entries: dict[str, tuple[int, str]] = {}
    info = (-1, "")
    try:
        text = playlist.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DeliveryError(
            f"{playlist}: not UTF-8 text, so voiceguide cannot add to it; save it as UTF-8, or move it away"
        ) from None
    for line in text.splitlines():
        if line.startswith("#EXTINF:"):
            seconds, _, title = line.removeprefix("#EXTINF:").partition(",")
            info = (_whole_seconds(seconds), title)
        elif line and not line.startswith("#"):
            entries[line] = info
            info = (-1, "")
    return entries


def _whole_seconds(text: str) -> int:
    try:
        return round(float(text))
    except ValueError:
        return -1  # M3U's "length unknown"
