"""Encoding the session: LAME in this process where the library is found, ffmpeg otherwise; the
same MP3 frames either way, read back by ffmpeg and mutagen."""

import errno
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import decoded_audio, ffprobe, run
from mutagen.mp3 import MP3, BitrateMode

from voiceguide.encoding import encode_session
from voiceguide.errors import VoiceguideError
from voiceguide.lame import LameEncoder, load_lame

RATE_HZ = 44_100
SECONDS = 7.3  # not a whole number of MP3 frames: the last one is padded


def windows_of_sound(seconds: float = SECONDS, window_s: float = 2.0) -> list[bytes]:
    """A chord over quiet noise, as s16le stereo windows: something for the encoder to work at."""
    rng = np.random.default_rng(5)
    times = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
    left = 0.3 * np.sin(2 * math.pi * 220 * times) + 0.05 * rng.standard_normal(times.size)
    right = 0.3 * np.sin(2 * math.pi * 330 * times) + 0.05 * rng.standard_normal(times.size)
    pcm = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    step = round(window_s * RATE_HZ)
    return [pcm[start : start + step].tobytes() for start in range(0, len(pcm), step)]


@pytest.fixture(scope="module")
def lame_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert load_lame() is not None, "libmp3lame comes with ffmpeg; ./scripts/setup installs it"
    out = tmp_path_factory.mktemp("lame") / "here.mp3"
    encode_session(windows_of_sound(), out, "mp3")
    return out


@pytest.fixture(scope="module")
def ffmpeg_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ffmpeg") / "ffmpeg.mp3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("voiceguide.encoding.load_lame", lambda: None)
        encode_session(windows_of_sound(), out, "mp3")
    return out


def test_lame_here_makes_the_frames_ffmpeg_makes(lame_mp3: Path, ffmpeg_mp3: Path):
    here, there = decoded_audio(lame_mp3), decoded_audio(ffmpeg_mp3)
    assert len(here) == len(there) == round(SECONDS * RATE_HZ)
    assert np.array_equal(here, there)


def test_the_info_tag_gives_the_exact_length_and_constant_rate(lame_mp3: Path):
    info = MP3(lame_mp3).info
    assert info.encoder_info.startswith("LAME")
    assert info.bitrate_mode == BitrateMode.CBR
    assert ffprobe(lame_mp3, "-show_streams")["streams"][0]["bit_rate"] == "128000"
    assert abs(info.length - SECONDS) < 0.001  # priming and padding taken off by the tag's counts


def test_the_bit_rate_asked_for_is_the_one_written(tmp_path: Path):
    out = tmp_path / "low.mp3"
    encode_session(windows_of_sound(2.0), out, "mp3", bitrate_kbps=96)
    assert MP3(out).info.bitrate_mode == BitrateMode.CBR
    assert ffprobe(out, "-show_streams")["streams"][0]["bit_rate"] == "96000"


def test_an_encoder_failure_is_raised_not_waited_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The encoder runs in a thread of its own; if it fails, mixing must not block on a full queue."""

    def failing(self: LameEncoder, pcm: bytes) -> bytes:
        raise VoiceguideError("the MP3 encoder (LAME) failed with error -2")

    monkeypatch.setattr(LameEncoder, "encode", failing)
    many_windows = windows_of_sound(20.0, window_s=0.5)  # more windows than the queue holds
    mixed: list[bytes] = []
    raised: list[BaseException] = []

    def mixing() -> Iterator[bytes]:
        for window in many_windows:
            mixed.append(window)
            yield window

    def encode() -> None:
        try:
            encode_session(mixing(), tmp_path / "broken.mp3", "mp3")
        except VoiceguideError as error:
            raised.append(error)

    encoding = threading.Thread(target=encode, daemon=True)
    encoding.start()
    encoding.join(timeout=60)  # a guard against hanging the suite, not a wait for something
    assert not encoding.is_alive(), "encode_session hung after its encoder failed"
    assert [str(error) for error in raised] == ["the MP3 encoder (LAME) failed with error -2"]
    assert len(mixed) < len(many_windows) / 2  # mixing stopped soon after the encoder did


def test_without_the_lame_library_mp3_is_left_to_ffmpeg(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("voiceguide.lame.ctypes.util.find_library", lambda name: None)
    load_lame.cache_clear()
    try:
        assert load_lame() is None
    finally:
        load_lame.cache_clear()  # the real library again for the tests that follow


def test_a_full_disk_while_encoding_is_one_line_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def disk_full(self: LameEncoder, pcm: bytes) -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LameEncoder, "encode", disk_full)
    result = run("render", "quick", "-o", tmp_path / "quick.mp3", "--engine", "fake")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"error: {tmp_path}: No space left on device; choose another --output folder"
    )
    assert list(tmp_path.iterdir()) == []
