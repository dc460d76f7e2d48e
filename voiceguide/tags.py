"""Tags a phone reads: title, artist, album, cover and lyrics; in MP3s (ID3v2.3) the chapters too
(CHAP + CTOC), while MP4 audiobooks get theirs from the encoder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    CTOC,
    ID3,
    SYLT,
    TALB,
    TCON,
    TIT2,
    TPE1,
    USLT,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
)
from mutagen.mp4 import MP4, MP4Cover

from voiceguide.errors import VoiceguideError
from voiceguide.timeline import Timeline

ARTIST = "voiceguide"
GENRE = "Spoken Word"
# ID3 wants a three-letter ISO 639-2 code for lyrics.
LYRICS_LANGUAGE = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita"}
# "No byte offset" in a CHAP frame, per the ID3v2 chapter addendum.
NO_OFFSET = 0xFFFFFFFF
# SYLT: timestamps in milliseconds (2), content type lyrics (1).
SYLT_MILLISECONDS = 2
SYLT_LYRICS = 1
APIC_FRONT_COVER = 3


@dataclass(frozen=True)
class SessionTags:
    title: str
    album: str
    cover_png: bytes | None


def write_tags(path: Path, timeline: Timeline, tags: SessionTags, format_name: str = "mp3") -> None:
    """Tag the session file in its format's own way."""
    try:
        TAG_WRITERS[format_name](path, timeline, tags)
    except VoiceguideError:
        raise
    except Exception as error:  # mutagen raises several types; the user needs the path either way
        raise VoiceguideError(f"could not write tags to {path}: {error}") from None


def write_mp4_tags(path: Path, timeline: Timeline, tags: SessionTags) -> None:
    """iTunes-style atoms: the chapters are already in the file, from the encoder."""
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    assert mp4.tags is not None
    mp4.tags.clear()
    mp4.tags.update(
        {"\xa9nam": [tags.title], "\xa9ART": [ARTIST], "\xa9alb": [tags.album], "\xa9gen": [GENRE],
         "\xa9lyr": ["\n".join(line.text for line in timeline.lyrics)]}
    )  # fmt: skip
    if tags.cover_png:
        mp4.tags["covr"] = [MP4Cover(tags.cover_png, imageformat=MP4Cover.FORMAT_PNG)]
    mp4.save()


def write_id3_tags(mp3: Path, timeline: Timeline, tags: SessionTags) -> None:
    """Replace the file's ID3 tag with the session's; saved as v2.3, which most players read."""
    id3 = _empty_tag(mp3)
    id3.add(TIT2(encoding=Encoding.UTF8, text=[tags.title]))
    id3.add(TPE1(encoding=Encoding.UTF8, text=[ARTIST]))
    id3.add(TALB(encoding=Encoding.UTF8, text=[tags.album]))
    id3.add(TCON(encoding=Encoding.UTF8, text=[GENRE]))
    if tags.cover_png:
        id3.add(
            APIC(
                encoding=Encoding.UTF8,
                mime="image/png",
                type=APIC_FRONT_COVER,
                desc="Cover",
                data=tags.cover_png,
            )
        )
    _add_chapters(id3, timeline)
    _add_lyrics(id3, timeline)
    id3.save(mp3, v2_version=3)


def _empty_tag(mp3: Path) -> ID3:
    try:
        id3 = ID3(mp3)
        id3.delete(mp3)
    except ID3NoHeaderError:
        pass
    return ID3()


def _add_chapters(id3: ID3, timeline: Timeline) -> None:
    ids = [f"chp{number}" for number in range(len(timeline.chapters))]
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF8, text=["Steps"])],
        )
    )
    for element_id, chapter in zip(ids, timeline.chapters, strict=True):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=NO_OFFSET,
                end_offset=NO_OFFSET,
                sub_frames=[TIT2(encoding=Encoding.UTF8, text=[chapter.title])],
            )
        )


def _add_lyrics(id3: ID3, timeline: Timeline) -> None:
    language = LYRICS_LANGUAGE.get(timeline.language[:2], "und")
    text = "\n".join(line.text for line in timeline.lyrics)
    id3.add(USLT(encoding=Encoding.UTF8, lang=language, desc="", text=text))
    timed = [(line.text, line.at_ms) for line in timeline.lyrics]
    id3.add(
        SYLT(
            encoding=Encoding.UTF8,
            lang=language,
            format=SYLT_MILLISECONDS,
            type=SYLT_LYRICS,
            desc="",
            text=timed,
        )
    )


# Each format the encoder writes (export.AUDIO_FORMATS), and how it is tagged.
TAG_WRITERS = {"mp3": write_id3_tags, "m4b": write_mp4_tags, "m4a": write_mp4_tags}
