"""Publishing sessions as a static podcast site any web host can serve: each session's audio, chapters
(JSON) and narration (VTT, SRT, LRC) under stable names, the show's cover, a feed, a page, and a QR
code of the feed's address.

Every file is written whole under a temporary name, then renamed into place, and only when its
content changed. The sessions' files come first; the manifest, feed and page last: a publish cut
short leaves the feed and page it found, and everything they point to, as they were."""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import segno

from voiceguide.assets import asset_path
from voiceguide.delivery.feed import Episode
from voiceguide.delivery.page import ShowHeading, show_page
from voiceguide.delivery.sessions import SessionFile, read_session, sessions_in
from voiceguide.delivery.show_feed import SiteEpisode, chapters_json, show_feed
from voiceguide.delivery.show_settings import ShowOptions, ShowSettings, settle_show
from voiceguide.delivery.site_files import (
    copy_if_changed,
    delete_listed,
    sha256_of,
    write_failure,
    write_if_changed,
)
from voiceguide.delivery.site_manifest import PublishedSession, SiteManifest, manifest_json, read_manifest
from voiceguide.delivery.site_names import (
    AUDIO_SUFFIXES,
    COVER_NAME,
    FEED_NAME,
    MANIFEST_NAME,
    PAGE_NAME,
    QR_NAME,
    audio_suffix,
    site_name,
    site_name_flaw,
)
from voiceguide.errors import DeliveryError
from voiceguide.files import sweep_leftovers
from voiceguide.sidecars import lyrics_lrc, subtitles_of
from voiceguide.timeline import LyricLine

# A rebuilt feed differs from the last only by this when nothing else changed: it is left as it was.
_BUILD_DATE = re.compile(rb"<lastBuildDate>[^<]*</lastBuildDate>")


@dataclass(frozen=True)
class PublishReport:
    feed_url: str
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    """Sessions whose audio changed: a new item (new guid) took the old one's place."""
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    """Files deleted: those of sessions no longer in the site (--prune), and those a replaced
    session no longer has (its transcripts, or its .mp3 when it came back as .m4b)."""
    listed: int
    """Sessions in the feed."""


def publish_site(
    files: Sequence[Path], folder: Path, asked: ShowOptions, prune: bool = False
) -> PublishReport:
    """Add the session ``files`` (or folders of them) to the site in ``folder`` (made if missing);
    a session of the same name replaces the one there. With ``prune``, the site keeps only these."""
    if folder.exists() and not folder.is_dir():
        raise DeliveryError(f"{folder}: a file, not a folder; give --to the folder the site goes in")
    for path in files:
        if path.suffix.lower() not in AUDIO_SUFFIXES and not path.is_dir():
            raise DeliveryError(
                f"{path}: a session's file name ends in {', '.join(AUDIO_SUFFIXES)}; "
                "give the file voiceguide render wrote, or rename it"
            )
    before = read_manifest(folder)
    show = settle_show(before.show, asked)
    named = _by_site_name(sessions_in(list(files)))
    try:
        return _publish(named, folder, before, show, prune)
    except OSError as error:
        raise write_failure(error, folder) from None


def _publish(
    named: dict[str, SessionFile], folder: Path, before: SiteManifest, show: ShowSettings, prune: bool
) -> PublishReport:
    sweep_leftovers(folder)  # the temporary files of a publish killed outright
    if before.show is None:
        # A first publish claims the folder at once: cut short, it can be published into again.
        claimed = SiteManifest(show=show, sessions=before.sessions)
        write_if_changed(folder / MANIFEST_NAME, manifest_json(claimed).encode())
    now_s = time.time()
    previous = {entry.name: entry for entry in before.sessions}
    entries = {} if prune else dict(previous)
    for entry in entries.values():
        if entry.name not in named:  # checked before anything is copied: a refusal leaves no file
            _check_still_there(folder, entry)
    for name, session in named.items():
        entries[name] = _publish_session(session, name, folder, previous.get(name), int(now_s))
    after = SiteManifest(show=show, sessions=tuple(sorted(entries.values(), key=_newest_first)))
    _write_site(folder, after, now_s)
    # The manifest listed them as ours; the feed and page no longer point to them.
    removed = delete_listed(folder, before.listed_files() - after.listed_files())
    was = {name: previous[name].guid if name in previous else None for name in named}
    return PublishReport(
        feed_url=show.feed_url,
        added=tuple(name for name in named if was[name] is None),
        replaced=tuple(name for name in named if was[name] not in (None, entries[name].guid)),
        kept=tuple(name for name in named if was[name] == entries[name].guid),
        removed=tuple(removed),
        listed=len(after.sessions),
    )


def _by_site_name(sessions: Iterable[SessionFile]) -> dict[str, SessionFile]:
    named: dict[str, SessionFile] = {}
    for session in sessions:
        name = site_name(session.path.stem)
        if flaw := site_name_flaw(name):
            raise DeliveryError(f"{session.path} would be published as {name}, but {flaw}; rename it")
        other = named.setdefault(name, session)
        if other.path.resolve() != session.path.resolve():
            raise DeliveryError(
                f"{other.path} and {session.path} would both be published as {name}; rename one"
            )
    return named


def _newest_first(entry: PublishedSession) -> tuple[int, str]:
    return -entry.published_s, entry.name


def _publish_session(
    session: SessionFile, name: str, folder: Path, previous: PublishedSession | None, now_s: int
) -> PublishedSession:
    """The session's audio copied into the site and its other files written; its manifest entry."""
    digest = sha256_of(session.path)
    # The extension says what the file holds: a host serves the file as its extension says.
    audio = name + audio_suffix(session.path.suffix.lower(), session.mime)
    copy_if_changed(session.path, folder / audio, digest)
    others = _session_files(session, name)
    for file_name, data in others.items():
        write_if_changed(folder / file_name, data)
    # The same audio is the same episode however often it is published; new audio is a new episode.
    guid = hashlib.sha256(f"{name}:{digest}".encode()).hexdigest()[:32]
    published_s = previous.published_s if previous and previous.guid == guid else now_s
    files = (audio, *others)
    return PublishedSession(name=name, files=files, sha256=digest, guid=guid, published_s=published_s)


def _session_files(session: SessionFile, name: str) -> dict[str, bytes]:
    """File name -> content of the files that go with the session's audio."""
    files = {f"{name}.chapters.json": chapters_json(session).encode()}
    lines = _timed_lines(session)
    if lines:
        files[f"{name}.vtt"] = subtitles_of(lines, "vtt").encode()
        files[f"{name}.srt"] = subtitles_of(lines, "srt").encode()
        files[f"{name}.lrc"] = lyrics_lrc(session.title, session.duration_ms, lines).encode()
    return files


def _timed_lines(session: SessionFile) -> list[LyricLine]:
    """The narration's sentences, each shown until the next is said (the last, to the end)."""
    said = sorted(session.narration, key=lambda line: line.at_ms)
    ends = [line.at_ms for line in said[1:]] + [session.duration_ms] if said else []
    return [
        LyricLine(line.at_ms, line.text, max(end, line.at_ms)) for line, end in zip(said, ends, strict=True)
    ]


def _write_site(folder: Path, manifest: SiteManifest, built_s: float) -> None:
    """The show's own files, from the manifest and the sessions' copies in the site."""
    show = manifest.show
    assert show is not None
    sessions = [_site_copy(folder, entry) for entry in manifest.sessions]
    languages = Counter(session.language for session in sessions if session.language)
    language = languages.most_common(1)[0][0] if languages else "en"
    write_if_changed(folder / COVER_NAME, asset_path("cover.png").read_bytes())
    write_if_changed(folder / QR_NAME, _qr_svg(show.feed_url))
    write_if_changed(folder / MANIFEST_NAME, manifest_json(manifest).encode())
    episodes = [
        _site_episode(show, entry, session)
        for entry, session in zip(manifest.sessions, sessions, strict=True)
    ]
    write_if_changed(folder / FEED_NAME, show_feed(show, language, episodes, built_s), ignoring=_BUILD_DATE)
    heading = ShowHeading(show.title, show.description, show.feed_url, language, show.noindex)
    write_if_changed(folder / PAGE_NAME, show_page(heading, sessions).encode())


def _check_still_there(folder: Path, entry: PublishedSession) -> None:
    audio = folder / entry.audio
    if not audio.is_file():
        raise DeliveryError(
            f"{audio} is missing, though the site lists it; publish it again, or the others with --prune"
        )


def _site_copy(folder: Path, entry: PublishedSession) -> SessionFile:
    _check_still_there(folder, entry)
    return read_session(folder / entry.audio)


def _site_episode(show: ShowSettings, entry: PublishedSession, session: SessionFile) -> SiteEpisode:
    url = show.base_url + quote(entry.audio)
    transcripts = {kind: show.base_url + quote(f"{entry.name}.{kind}") for kind in ("vtt", "srt")}
    return SiteEpisode(
        episode=Episode(session, url, entry.guid, entry.published_s),
        page_url=f"{show.base_url}#{entry.name}",
        chapters_url=show.base_url + quote(f"{entry.name}.chapters.json"),
        transcript_urls={
            kind: url for kind, url in transcripts.items() if f"{entry.name}.{kind}" in entry.files
        },
    )


def _qr_svg(url: str) -> bytes:
    drawn = io.BytesIO()
    try:
        code = segno.make(url, micro=False)
    except segno.DataOverflowError:
        raise DeliveryError(f"{url} is too long for a QR code; give a shorter --base-url") from None
    code.save(drawn, kind="svg", scale=4, border=2, title="QR code of the feed address")
    return drawn.getvalue()
