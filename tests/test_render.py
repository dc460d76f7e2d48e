"""The real thing: `voiceguide render daily` with the default voice and LAME, read back by ffprobe and
mutagen."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DAILY_CHAPTERS, ffprobe, render, run, silences, write_routine
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode


def test_the_session_lasts_ten_minutes_as_cbr_stereo(daily_render: Path):
    info = ffprobe(daily_render, "-show_format", "-show_streams")
    assert abs(float(info["format"]["duration"]) - 600) < 0.5
    stream = info["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("mp3", "44100", 2)
    audio = MP3(daily_render)
    assert audio.info.bitrate == 128_000
    assert audio.info.bitrate_mode == BitrateMode.CBR


def test_seven_chapters_start_on_the_guides_minutes(daily_render: Path):
    chapters = sorted(ffprobe(daily_render, "-show_chapters")["chapters"], key=lambda c: c["start"])
    assert [(c["start"] // 1000, c["tags"]["title"]) for c in chapters] == DAILY_CHAPTERS
    assert [c["end"] for c in chapters] == [c["start"] for c in chapters[1:]] + [600_000]


def test_tags_a_phone_reads(daily_render: Path):
    tags = ID3(daily_render)
    assert tags.version == (2, 3, 0)
    assert tags["TIT2"].text == ["Daily facial massage (10 min)"]
    assert tags["TPE1"].text == ["voiceguide"]
    assert tags["TALB"].text
    cover = tags.getall("APIC")[0]
    assert cover.mime == "image/png"
    assert cover.data.startswith(b"\x89PNG")
    toc = tags.getall("CTOC")[0]
    assert len(toc.child_element_ids) == 7
    assert "dermatologist" in tags.getall("USLT")[0].text
    timed = tags.getall("SYLT")[0].text
    assert [ms for _, ms in timed] == sorted(ms for _, ms in timed)


def test_lrc_beside_the_mp3_matches_the_synced_lyrics(daily_render: Path):
    lrc = daily_render.with_suffix(".lrc").read_text(encoding="utf-8").splitlines()
    assert lrc[:3] == ["[ti:Daily facial massage]", "[ar:voiceguide]", "[length:10:00]"]
    timed = [re.fullmatch(r"\[(\d\d):(\d\d)\.(\d\d)\](.+)", line) for line in lrc[3:]]
    assert all(timed)
    lrc_ms = [int(m[1]) * 60_000 + int(m[2]) * 1000 + int(m[3]) * 10 for m in timed]
    sylt = ID3(daily_render).getall("SYLT")[0].text
    assert [text for text, _ in sylt] == [m[4] for m in timed]
    assert all(abs(a - ms) < 10 for a, (_, ms) in zip(lrc_ms, sylt, strict=True))


def test_the_voice_starts_within_four_seconds_of_every_step(daily_render: Path):
    sylt = ID3(daily_render).getall("SYLT")[0].text
    for start_s, title in DAILY_CHAPTERS:
        first = next(ms for _, ms in sylt if ms >= start_s * 1000)
        assert first - start_s * 1000 <= 4000, title


def test_every_step_has_eight_quiet_seconds_for_the_hands(daily_render: Path):
    quiet = silences(daily_render, min_seconds=8)
    ends = [start for start, _ in DAILY_CHAPTERS[1:]] + [600]
    for (start, title), end in zip(DAILY_CHAPTERS, ends, strict=True):
        assert any(start <= a and b <= end + 0.1 for a, b in quiet), title


def test_every_step_starts_with_sound_not_silence(daily_render: Path):
    quiet = silences(daily_render, min_seconds=0.5)
    for start, title in DAILY_CHAPTERS:
        assert not any(a <= start + 0.2 and b >= start + 0.7 for a, b in quiet), title


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path):
    for name in ("one.mp3", "two.mp3"):
        render("quick", tmp_path / name)
    assert (tmp_path / "one.mp3").read_bytes() == (tmp_path / "two.mp3").read_bytes()


@pytest.mark.slow
def test_two_cold_renders_give_the_same_bytes(tmp_path: Path):
    """Every clip spoken afresh by the system voice, each time into its own empty cache: speech,
    levelling, mixing and encoding together are deterministic, not only the mixing of cached
    clips. Each render is its own ``voiceguide`` process, as people run it: espeak-ng's output
    depends a little on what its process spoke before (a few samples here and there)."""
    for name in ("one", "two"):
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / f"cache-{name}")}
        output = str(tmp_path / f"{name}.mp3")
        command = [sys.executable, "-m", "voiceguide", "render", "quick", "--engine", "pyttsx3", "-o", output]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        assert re.search(r"[1-9]\d* new clips", done.stderr), done.stderr
    assert (tmp_path / "one.mp3").read_bytes() == (tmp_path / "two.mp3").read_bytes()


def test_no_chimes_leaves_step_starts_quiet_until_the_voice(tmp_path: Path):
    routine = write_routine(
        tmp_path, "name: Two\nsteps:\n  - {title: One, duration: 20s}\n  - {title: Two, duration: 20s}\n"
    )
    out = render(routine, tmp_path / "two.mp3", "--no-chimes")
    quiet = silences(out, min_seconds=1.0)
    assert any(a <= 20.05 and b >= 21.2 for a, b in quiet)


def test_an_interrupted_render_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def interrupted_mix(timeline):
        yield b"\x00" * 1000
        raise KeyboardInterrupt

    monkeypatch.setattr("voiceguide.pipeline.mix_pcm", interrupted_mix)
    result = run("render", "quick", "-o", tmp_path / "quick.mp3", "--engine", "fake")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_ffmpeg_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("voiceguide.ffmpeg.shutil.which", lambda name: None)
    result = run("render", "quick", "-o", tmp_path / "q.mp3", "--engine", "fake")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: ffmpeg is not installed; install it (sudo apt-get install ffmpeg, or brew install ffmpeg) "
        "or run ./scripts/demo"
    )
    assert list(tmp_path.iterdir()) == []
