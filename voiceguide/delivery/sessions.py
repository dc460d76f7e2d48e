"""What a finished session file says about itself: title, length, chapters (read from its tags)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import mutagen
from mutagen import MutagenError
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from voiceguide.delivery.printable import one_line, title_line
from voiceguide.encoding import AUDIO_FORMATS
from voiceguide.errors import DeliveryError
from voiceguide.sidecars import read_lrc
from voiceguide.tags import LYRICS_LANGUAGE

SESSION_SUFFIXES = tuple(f".{name}" for name in AUDIO_FORMATS)
# ID3's three-letter lyrics language back to the two-letter code a feed or a page states.
_LANGUAGE_OF_LYRICS = {three: two for two, three in LYRICS_LANGUAGE.items()}
# A session's chapters shown at most: voiceguide's routines have a dozen; a stranger's file may
# claim millions.
MAX_CHAPTERS = 500
# The .lrc beside a session read at most: an hour of narration is some 100 kB.
MAX_LYRICS_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ChapterMark:
    title: str
    start_ms: int


@dataclass(frozen=True)
class NarrationLine:
    """A sentence of the narration and when it is heard (from the file's timed lyrics)."""

    at_ms: int
    text: str


@dataclass(frozen=True)
class SessionFile:
    """A rendered session (MP3 or M4B) and the lyrics file beside it, if there is one."""

    path: Path
    title: str
    duration_ms: int
    chapters: tuple[ChapterMark, ...]
    size_bytes: int
    mime: str
    narration: tuple[NarrationLine, ...] = ()
    """The timed lyrics (MP3s carry them; for MP4s, which carry only untimed ones, the .lrc beside)."""
    language: str | None = None
    """The narration's language (``en``), where the lyrics say it."""

    @property
    def lyrics(self) -> Path | None:
        lrc = self.path.with_suffix(".lrc")
        return lrc if lrc.is_file() else None


def read_session(path: Path) -> SessionFile:
    """The session at ``path`` (MP3, or M4B/M4A); a DeliveryError when it is missing or neither."""
    if not path.is_file():
        raise DeliveryError(f"{path}: no such session file; render one first (voiceguide render daily)")
    try:
        audio = mutagen.File(path)
    except MutagenError:
        audio = None
    if isinstance(audio, MP3):
        return _mp3_session(path, audio)
    if isinstance(audio, MP4):
        return _mp4_session(path, audio)
    raise DeliveryError(f"{path}: not a session; give the .mp3 (or .m4b) that voiceguide render wrote")


def _mp3_session(path: Path, audio: MP3) -> SessionFile:
    tags = audio.tags
    title = title_line(str(tags["TIT2"].text[0]) if tags and "TIT2" in tags else path.stem)
    frames: list[Any] = tags.getall("CHAP") if tags else []
    # Another program's chapters may have no title of their own.
    chapters = [ChapterMark(_chapter_title(frame), frame.start_time) for frame in frames]
    session = _session(path, title, _seconds(audio), chapters, AUDIO_FORMATS["mp3"].mime)
    timed: list[Any] = tags.getall("SYLT") if tags else []
    if not timed:
        return replace(session, narration=_lrc_narration(path))
    narration = tuple(NarrationLine(at_ms, one_line(str(text))) for text, at_ms in timed[0].text)
    return replace(session, narration=narration, language=_LANGUAGE_OF_LYRICS.get(timed[0].lang))


def _chapter_title(frame: Any) -> str:
    title = frame.sub_frames.get("TIT2")
    return title_line(str(title.text[0]) if title and title.text else frame.element_id)


def _mp4_session(path: Path, audio: MP4) -> SessionFile:
    tags = audio.tags
    title = title_line(str(tags["\xa9nam"][0]) if tags and "\xa9nam" in tags else path.stem)
    chapters = [ChapterMark(title_line(c.title), round(c.start * 1000)) for c in audio.chapters or []]
    session = _session(path, title, _seconds(audio), chapters, AUDIO_FORMATS["m4b"].mime)
    return replace(session, narration=_lrc_narration(path))


def _lrc_narration(path: Path) -> tuple[NarrationLine, ...]:
    """The timed lyrics of the .lrc beside ``path``, if it has one that can be read: a plain file
    (a pipe would wait for ever, /dev/zero never end) of a size lyrics have."""
    lyrics = path.with_suffix(".lrc")
    try:
        found = os.stat(lyrics)  # of what a link leads to
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_LYRICS_BYTES:
            return ()
        with lyrics.open("rb") as file:
            data = file.read(MAX_LYRICS_BYTES + 1)  # it may have grown since
        text = data.decode("utf-8") if len(data) <= MAX_LYRICS_BYTES else ""
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple(NarrationLine(at_ms, one_line(sentence)) for at_ms, sentence in read_lrc(text))


def _seconds(audio: MP3 | MP4) -> float:
    assert audio.info is not None  # mutagen.File gives a file only when it found its stream info
    return float(audio.info.length)


def _session(path: Path, title: str, seconds: float, chapters: list[ChapterMark], mime: str) -> SessionFile:
    ordered = tuple(sorted(chapters, key=lambda chapter: chapter.start_ms))[:MAX_CHAPTERS]
    return SessionFile(path, title, round(seconds * 1000), ordered, path.stat().st_size, mime)


def sessions_in(paths: list[Path]) -> list[SessionFile]:
    """The sessions named: files, or every session file in a folder, in name order."""
    files: list[Path] = []
    for path in paths:
        files += (
            sorted(p for p in path.iterdir() if p.suffix in SESSION_SUFFIXES) if path.is_dir() else [path]
        )
    if not files:
        raise DeliveryError(
            f"no sessions ({', '.join(SESSION_SUFFIXES)}) in {', '.join(map(str, paths))}; render one first"
        )
    return [read_session(file) for file in files]
