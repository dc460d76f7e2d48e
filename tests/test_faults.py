"""Faults a user does not cause but must survive: damaged caches, renders killed mid-way, cards
that refuse chmod, a playlist in another encoding, caches that would grow forever, files that
point elsewhere. Nothing is lost, nothing is left half-made."""

from __future__ import annotations

import errno
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import FAKE, GOOD, render, run, speak, voice, write_routine

from voiceguide.caches import cache_usage, prune, render_running
from voiceguide.files import LEFTOVERS_AFTER_S, atomic_output
from voiceguide.speech import ClipCache
from voiceguide.speech.piper_engine import PiperEngine

TINY = "name: Tiny\nsteps:\n  - {title: Neck, duration: 40s, moves: [Stroke upward.]}\n"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own cache folder (the run's shared one must stay whole for the others)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "voiceguide"


def test_a_damaged_cached_clip_is_made_again_with_a_warning(tmp_path: Path, cache_home: Path):
    first = render("quick", tmp_path / "first.mp3").read_bytes()
    clips = list((cache_home / "clips").rglob("*.wav"))
    assert clips
    for clip in clips:
        clip.write_bytes(b"")  # : > file, as a full disk or a crash might leave it
    result = run("render", "quick", "-o", tmp_path / "again.mp3", "--engine", "fake")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(clips)
    assert all("a cached clip was damaged and is made again" in line for line in warnings)
    assert (tmp_path / "again.mp3").read_bytes() == first
    assert all(clip.stat().st_size > 44 for clip in clips)


def test_a_clip_cut_short_is_found_by_its_header(tmp_path: Path):
    text = "Stroke upward from the collarbone."
    (clip,) = speak([text], FAKE, tmp_path).clips.values()
    clip.path.write_bytes(clip.path.read_bytes()[:-100])
    again = speak([text], FAKE, tmp_path)
    assert again.synthesized == 1


def test_clips_reach_the_disk_before_they_take_their_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(
        os, "replace", lambda a, b: events.append(f"replace {Path(b).suffix}") or real_replace(a, b)
    )
    speak(["One line."], FAKE, tmp_path)
    assert events[-2:] == ["fsync", "replace .wav"]


def test_the_cache_key_holds_what_decides_the_sound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from helpers import FakeEngine

    settings = [FAKE, voice(rate_wpm=120), voice(language="fr"), voice(voice="other")]
    paths = {ClipCache(tmp_path).path_for("Hello.", each) for each in settings}
    assert len(paths) == len(settings)
    before = ClipCache(tmp_path).path_for("Hello.", FAKE)
    monkeypatch.setattr(FakeEngine, "identity", lambda self, voice, language: "fake 2")
    assert ClipCache(tmp_path).path_for("Hello.", FAKE) != before  # a new engine version


def test_a_voice_file_replaced_under_its_name_is_a_new_voice(tmp_path: Path):
    model = tmp_path / "mine.onnx"
    model.write_bytes(b"one voice")
    Path(f"{model}.json").write_text("{}")
    first = PiperEngine().identity(str(model), "en")
    model.write_bytes(b"another voice!")
    assert PiperEngine().identity(str(model), "en") != first
    assert "joe" in PiperEngine().identity(None, "en")


def _render_process(tmp_path: Path, minutes: str = "30") -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "voiceguide", "render", "daily", "--minutes", minutes,
               "--engine", "pyttsx3", "-o", str(tmp_path / "out" / "daily.mp3")]  # fmt: skip
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, seconds: float = 30) -> None:
    """Until ``condition()`` holds (checked every 10 ms), or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_sigterm_mid_render_cleans_up_and_exits_143(tmp_path: Path):
    process = _render_process(tmp_path)
    _wait_for(lambda: any((tmp_path / "out").glob(".daily.mp3.*.part")))
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143
    assert err.strip().splitlines()[-1] == "stopped (SIGTERM); no file was written"
    assert "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []
    assert not list((tmp_path / "cache").rglob("synth-*"))


def test_what_a_killed_render_left_is_swept_by_the_next(tmp_path: Path, cache_home: Path):
    out = tmp_path / "out"
    out.mkdir()
    long_ago = time.time() - LEFTOVERS_AFTER_S - 60
    old_part, fresh_part = out / ".tiny.mp3.ab12cd34.part", out / ".other.mp3.zz99yy88.part"
    someone_elses = out / "film.mp4.part"
    scratch = cache_home / "clips" / "ab" / "synth-ab12cd34"
    scratch.mkdir(parents=True)
    for leftover in (old_part, fresh_part, someone_elses):
        leftover.write_bytes(b"half")
    for old in (old_part, someone_elses, scratch):
        os.utime(old, (long_ago, long_ago))
    render(write_routine(tmp_path, TINY), out / "tiny.mp3")
    assert not old_part.exists()
    assert not scratch.exists()
    assert fresh_part.exists()  # perhaps a render running now
    assert someone_elses.exists()  # not named like ours


def _refusing_chmod(path: Path, mode: int) -> None:
    raise PermissionError(errno.EPERM, "Operation not permitted", str(path))


def test_a_card_that_refuses_chmod_still_gets_its_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    session = render(write_routine(tmp_path, TINY), tmp_path / "tiny.mp3")
    card = tmp_path / "card"
    card.mkdir()
    monkeypatch.setattr(Path, "chmod", _refusing_chmod)
    result = run("export", session, "--to", card)
    assert result.exit_code == 0, result.output
    assert (card / "tiny.mp3").read_bytes() == session.read_bytes()
    with atomic_output(tmp_path / "text.txt") as temporary:
        temporary.write_text("kept")
    assert (tmp_path / "text.txt").read_text() == "kept"


def test_a_playlist_that_is_not_utf8_is_one_line_before_any_copy(tmp_path: Path):
    session = render(write_routine(tmp_path, TINY), tmp_path / "tiny.mp3")
    card = tmp_path / "card"
    card.mkdir()
    (card / "voiceguide.m3u8").write_bytes("#EXTM3U\n#EXTINF:60,Détente\ndétente.mp3\n".encode("latin-1"))
    result = run("export", session, "--to", card)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "voiceguide.m3u8: not UTF-8 text" in result.stderr
    assert sorted(p.name for p in card.iterdir()) == ["voiceguide.m3u8"]


def test_the_cache_command_shows_and_clears(tmp_path: Path, cache_home: Path):
    render(write_routine(tmp_path, TINY), tmp_path / "tiny.mp3", "--music", "ambient")
    shown = run("cache")
    assert shown.exit_code == 0
    clips, music = shown.stdout.splitlines()
    assert clips.startswith("clips")
    assert str(cache_home / "clips") in clips
    assert music.startswith("music")
    assert " 2 entries" in music
    cleared = run("cache", "--clear")
    assert cleared.exit_code == 0
    assert cleared.stderr.startswith("cleared ")
    assert all(folder.entries == 0 for folder in cache_usage(cache_home))


def _entry(folder: Path, name: str, size: int, used_at: float) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (used_at, used_at))
    return path


def test_the_caches_keep_under_their_cap_the_least_recently_used_going_first(tmp_path: Path):
    now = time.time()
    entries = [_entry(tmp_path / "clips", f"a{n}/{n}.wav", 1000, now - 1000 + n) for n in range(10)]
    freed = prune(tmp_path, cap_bytes=6500)
    assert freed == 4000
    assert [entry.exists() for entry in entries] == [False] * 4 + [True] * 6


def test_the_cap_never_takes_what_a_running_render_uses(tmp_path: Path):
    old = _entry(tmp_path / "clips", "a/old.wav", 1000, time.time() - 3600)
    with render_running(tmp_path):
        in_use = _entry(tmp_path / "music", "used.pcm", 1000, time.time())
        prune(tmp_path, cap_bytes=0)
        assert in_use.exists()
        assert not old.exists()
    prune(tmp_path, cap_bytes=0)
    assert not in_use.exists()  # the render is over


def test_damaged_measurements_of_cached_music_are_made_again(tmp_path: Path, cache_home: Path):
    routine = write_routine(tmp_path, TINY)
    first = render(routine, tmp_path / "first.mp3", "--music", "ambient").read_bytes()
    (meta,) = (cache_home / "music").glob("*.json")
    meta.write_text("{not json")
    result = run("render", routine, "-o", tmp_path / "again.mp3", "--engine", "fake", "--music", "ambient")
    assert result.exit_code == 0, result.output
    assert "warning: decoded music in the cache was damaged and is made again" in result.stderr
    assert (tmp_path / "again.mp3").read_bytes() == first


def test_a_music_file_whose_name_starts_with_a_dash_is_read_as_a_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=3", "--", "-rain.mp3"], check=True)
    render(write_routine(tmp_path, TINY), tmp_path / "tiny.mp3", "--music", "-rain.mp3")


@pytest.fixture
def listening_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every path asked of it."""
    asked: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    thread.join()


@pytest.mark.parametrize(
    ("name", "playlist"),
    [
        ("rain.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{url}/rain.ts\n#EXT-X-ENDLIST\n"),
        ("rain.ffconcat", "ffconcat version 1.0\nfile '{url}/rain.mp3'\nfile '/etc/passwd'\n"),
    ],
)
def test_a_playlist_given_as_music_fetches_and_reads_nothing(
    tmp_path: Path, name: str, playlist: str, listening_server: tuple[str, list[str]]
):
    url, asked = listening_server
    music = tmp_path / name
    music.write_text(playlist.format(url=url))
    out = tmp_path / "tiny.mp3"
    result = run("render", write_routine(tmp_path, TINY), "-o", out, "--engine", "fake", "--music", music)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "not an audio file ffmpeg can read" in result.stderr
    assert asked == []
    assert not out.exists()


def test_a_chime_of_yours_is_decoded_only_as_a_local_audio_file(tmp_path: Path):
    chime = tmp_path / "ding.ffconcat"
    chime.write_text(f"ffconcat version 1.0\nfile '{tmp_path / 'other.wav'}'\n")
    out = tmp_path / "tiny.mp3"
    result = run("render", write_routine(tmp_path, GOOD), "-o", out, "--engine", "fake", "--chime", chime)
    assert result.exit_code == 2
    assert "not an audio file ffmpeg can read" in result.stderr
    assert not out.exists()
