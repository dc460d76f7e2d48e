"""What a finished session file says about itself: title, length, chapters (read from its tags)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3, HeaderNotFoundError

from voiceguide.errors import DeliveryError


@dataclass(frozen=True)
class ChapterMark:
    title: str
    start_ms: int


@dataclass(frozen=True)
class SessionFile:
    """A rendered MP3 and the lyrics file beside it, if there is one."""

    path: Path
    title: str
    duration_ms: int
    chapters: tuple[ChapterMark, ...]
    size_bytes: int

    @property
    def lyrics(self) -> Path | None:
        lrc = self.path.with_suffix(".lrc")
        return lrc if lrc.is_file() else None


def read_session(path: Path) -> SessionFile:
    """The session at ``path``; a DeliveryError when it is missing or not an MP3."""
    if not path.is_file():
        raise DeliveryError(f"{path}: no such session file; render one first (voiceguide render daily)")
    try:
        audio = MP3(path)
    except (HeaderNotFoundError, MutagenError):
        raise DeliveryError(
            f"{path}: not an MP3 session; give the .mp3 that voiceguide render wrote"
        ) from None
    tags = audio.tags
    title = str(tags["TIT2"].text[0]) if tags and "TIT2" in tags else path.stem
    chapters = sorted(
        (
            ChapterMark(str(frame.sub_frames["TIT2"].text[0]), frame.start_time)
            for frame in tags.getall("CHAP")
        )
        if tags
        else [],
        key=lambda chapter: chapter.start_ms,
    )
    return SessionFile(path, title, round(audio.info.length * 1000), tuple(chapters), path.stat().st_size)


def sessions_in(paths: list[Path]) -> list[SessionFile]:
    """The sessions named: files, or every MP3 in a folder, in name order."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.mp3")) if path.is_dir() else [path]
    if not files:
        raise DeliveryError(f"no MP3 sessions in {', '.join(map(str, paths))}; render one first")
    return [read_session(file) for file in files]
