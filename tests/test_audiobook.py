"""`render --format m4b`: AAC with a QuickTime chapter track and cover, for audiobook players."""

from pathlib import Path

import pytest
from helpers import GOOD, decoded_ms, ebur128, ffprobe, render, run, write_routine
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover

from voiceguide.delivery.sessions import read_session
from voiceguide.encoding import ffmetadata_chapters
from voiceguide.narration import Chapter


@pytest.fixture(scope="module")
def audiobook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``render quick --format m4b`` with a real voice (its loudness is measured) and encoder."""
    return render("quick", tmp_path_factory.mktemp("m4b") / "quick.m4b", "--format", "m4b", engine="pyttsx3")


@pytest.mark.slow
def test_it_is_aac_in_an_mp4_with_one_chapter_per_step(audiobook: Path):
    probed = ffprobe(audiobook, "-show_streams", "-show_chapters", "-show_format")
    audio = [s for s in probed["streams"] if s["codec_type"] == "audio"]
    assert [(s["codec_name"], s["sample_rate"], s["channels"]) for s in audio] == [("aac", "44100", 2)]
    # The QuickTime chapter track: a text stream ffprobe reads the chapters from.
    assert any(s["codec_tag_string"] == "text" for s in probed["streams"])
    titles = [c["tags"]["title"] for c in probed["chapters"]]
    assert titles == ["Prep", "Neck", "Jawline", "Cheeks", "Eyes", "Forehead", "Drainage"]
    starts = [c["start"] for c in probed["chapters"]]
    assert starts[0] == 0
    assert starts == sorted(starts)
    assert probed["chapters"][-1]["end"] == 300_000


@pytest.mark.slow
def test_it_has_the_same_steps_length_and_loudness_as_the_mp3(audiobook: Path, tmp_path: Path):
    mp3 = tmp_path / "quick.mp3"
    render("quick", mp3, engine="pyttsx3")
    book, session = read_session(audiobook), read_session(mp3)
    assert book.chapters == session.chapters
    assert book.mime == "audio/mp4"
    assert abs(decoded_ms(audiobook) - 300_000) < 50  # AAC's priming is trimmed by the player
    # Not compared with the MP3's figure: LAME's 17 kHz low-pass takes 0.4-0.5 LU off the K-weighted
    # measure, while AAC keeps the mix's level. Both stay within 1 LU of the -16 target.
    assert -17.0 <= ebur128(audiobook).integrated_lufs <= -15.0
    assert -17.0 <= ebur128(mp3).integrated_lufs <= -15.0
    assert MP3(mp3).info.length == pytest.approx(300, abs=0.1)


@pytest.mark.slow
def test_it_carries_title_cover_and_lyrics(audiobook: Path):
    tags = MP4(audiobook).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["Quick five (5 min)"]
    assert tags["\xa9ART"] == ["voiceguide"]
    (cover,) = tags["covr"]
    assert cover.imageformat == MP4Cover.FORMAT_PNG
    assert bytes(cover).startswith(b"\x89PNG")
    assert "Neck." in tags["\xa9lyr"][0]
    assert audiobook.with_suffix(".lrc").is_file()


def test_the_format_follows_the_output_name_and_a_clash_is_one_line(tmp_path: Path):
    out = render(write_routine(tmp_path, GOOD), tmp_path / "tiny.m4a")
    assert MP4(out).chapters is not None
    clash = run("render", "quick", "-o", tmp_path / "x.mp3", "--format", "m4b")
    assert clash.exit_code == 2
    assert "names a .mp3 file but --format is m4b; make them agree" in clash.output
    assert not (tmp_path / "x.mp3").exists()


def test_chapter_titles_with_metadata_marks_are_escaped():
    text = ffmetadata_chapters([Chapter("Jaw = chin; #2 \\ side", 0, 1000)])
    assert text.splitlines()[-1] == "title=Jaw \\= chin\\; \\#2 \\\\ side"
