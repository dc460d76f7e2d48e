"""Getting sessions onto a phone: a folder with a playlist, adb, and a LAN share with a feed."""

import hashlib
import http.client
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3, TIT2
from mutagen.mp3 import MP3

from voiceguide.cli import cli
from voiceguide.delivery.feed import podcast_feed
from voiceguide.delivery.folder import PLAYLIST_NAME, read_playlist
from voiceguide.delivery.page import sessions_page
from voiceguide.delivery.sessions import MAX_LYRICS_BYTES, NarrationLine, SessionFile, sessions_in
from voiceguide.web.server import lan_address
from voiceguide.web.share import SessionShare


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two real sessions (the fake voice keeps it quick; encoding and tags are real)."""
    folder = tmp_path_factory.mktemp("sessions")
    for name in ("quick", "jaw-release"):
        args = ["render", name, "-o", str(folder / f"{name}.mp3"), "--engine", "fake"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
    return [folder / "quick.mp3", folder / "jaw-release.mp3"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Export to a folder


def test_export_twice_leaves_one_playlist_entry_per_session(tmp_path: Path, sessions: list[Path]):
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(cli, ["export", *map(str, sessions), "--to", str(tmp_path)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["export", str(sessions[0]), "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / PLAYLIST_NAME).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[2::2] == ["quick.mp3", "jaw-release.mp3"]  # relative to the folder, each once
    for info, source in zip(lines[1::2], sessions, strict=True):
        seconds = round(MP3(source).info.length)
        assert info == f"#EXTINF:{seconds},{MP3(source)['TIT2'].text[0]}"
    for source in sessions:
        assert _sha256(tmp_path / source.name) == _sha256(source)
        assert (tmp_path / source.with_suffix(".lrc").name).read_bytes() == source.with_suffix(
            ".lrc"
        ).read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary copies left


def test_export_keeps_other_entries_of_the_playlist(tmp_path: Path, sessions: list[Path]):
    (tmp_path / PLAYLIST_NAME).write_text("#EXTM3U\n#EXTINF:60,Mine\nmine.mp3\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(sessions[0]), "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert list(read_playlist(tmp_path / PLAYLIST_NAME)) == ["mine.mp3", "quick.mp3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "{tmp}/absent"], "absent: no such folder; mount the phone or card, or create the folder"),
        (["--adb", "--to", "{tmp}"], "say where: --to FOLDER or --adb (one of them)"),
    ],
)
def test_export_to_nowhere_is_one_line(tmp_path: Path, sessions: list[Path], args: list[str], message: str):
    filled = [arg.format(tmp=tmp_path) for arg in args]
    result = CliRunner().invoke(cli, ["export", str(sessions[0]), *filled])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_export_of_a_file_that_is_not_a_session_is_one_line(tmp_path: Path):
    (tmp_path / "notes.mp3").write_text("not audio")
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "notes.mp3"), "--to", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        "notes.mp3: not a session; give the .mp3 (or .m4b) that voiceguide render wrote"
    )


# Export with adb


def _fake_adb(folder: Path) -> Path:
    """An adb that records its arguments: there is no phone on a test machine."""
    adb = folder / "adb"
    adb.write_text(f'#!/bin/sh\necho "$@" >> {folder}/adb.log\n')
    adb.chmod(adb.stat().st_mode | stat.S_IEXEC)
    return folder / "adb.log"


def test_adb_pushes_to_music_and_asks_the_phone_to_index(
    tmp_path: Path, sessions: list[Path], monkeypatch: pytest.MonkeyPatch
):
    log = _fake_adb(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    result = CliRunner().invoke(cli, ["export", str(sessions[0]), "--adb"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "pushed /sdcard/Music/voiceguide/quick.mp3"
    assert log.read_text().splitlines() == [
        "shell mkdir -p /sdcard/Music/voiceguide",
        f"push {sessions[0]} /sdcard/Music/voiceguide/quick.mp3",
        f"push {sessions[0].with_suffix('.lrc')} /sdcard/Music/voiceguide/quick.lrc",
        "shell am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE "
        "-d file:///sdcard/Music/voiceguide/quick.mp3",
    ]


def _fake_phone(folder: Path) -> Path:
    """An adb whose "shell" runs its words through sh -c, as a phone does, with the phone's
    storage in ``folder``/phone; returns that folder."""
    phone = folder / "phone"
    (phone / "bin").mkdir(parents=True)
    (phone / "bin" / "am").write_text("#!/bin/sh\nexit 0\n")  # the phone's activity manager
    adb = folder / "adb"
    adb.write_text(
        "#!/bin/sh\n"
        f'cd "{phone}"\n'
        'case "$1" in\n'
        f'  shell) shift; PATH="{phone}/bin:$PATH" sh -c "$(echo "$*" | sed "s#/sdcard#{phone}#g")" ;;\n'
        f'  push) mkdir -p "$(dirname "{phone}${{3#/sdcard}}")"; cp "$2" "{phone}${{3#/sdcard}}" ;;\n'
        "esac\n"
    )
    for script in (adb, phone / "bin" / "am"):
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return phone


def test_a_file_name_never_runs_as_a_command_on_the_phone(
    tmp_path: Path, sessions: list[Path], monkeypatch: pytest.MonkeyPatch
):
    phone = _fake_phone(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    hostile = tmp_path / "a;touch PWNED;.mp3"
    shutil.copyfile(sessions[0], hostile)
    result = CliRunner().invoke(cli, ["export", str(hostile), "--adb"])
    assert result.exit_code == 0, result.output
    assert (phone / "Music" / "voiceguide" / hostile.name).is_file()
    assert not list(phone.rglob("PWNED"))


def test_without_adb_the_message_says_how_to_get_it(
    tmp_path: Path, sessions: list[Path], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["export", str(sessions[0]), "--adb"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "error: adb is not installed; install it (Debian/Ubuntu: sudo apt-get install adb)"
    )


# Sharing on the network


@pytest.fixture
def share(sessions: list[Path]) -> Iterator[SessionShare]:
    with SessionShare(sessions_in(sessions), "127.0.0.1", log=lambda line: None) as server:
        yield server


def _request(
    url: str, method: str = "GET", path: str | None = None, **headers: str
) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, path if path is not None else parts.path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_the_token_is_long_random_and_the_url_on_the_asked_host(share: SessionShare, sessions: list[Path]):
    assert len(share.token) >= 22  # 16 random bytes, base64: 128 bits
    with SessionShare(sessions_in(sessions), "127.0.0.1") as other:
        assert other.token != share.token
    assert share.url.startswith("http://127.0.0.1:")
    assert share.url.endswith(f"/{share.token}/")


def test_the_lan_address_is_found_and_is_never_every_network():
    address = lan_address()
    assert address.count(".") == 3
    assert address != "0.0.0.0"


def test_a_session_is_served_whole_and_by_ranges(share: SessionShare, sessions: list[Path]):
    data = sessions[0].read_bytes()
    whole = _request(share.url + "quick.mp3")
    assert whole.status == 200
    assert whole.getheader("Content-Type") == "audio/mpeg"
    assert whole.getheader("Accept-Ranges") == "bytes"
    assert whole.body == data  # type: ignore[attr-defined]
    head = _request(share.url + "quick.mp3", "HEAD")
    assert (head.status, head.getheader("Content-Length"), head.body) == (200, str(len(data)), b"")  # type: ignore[attr-defined]
    part = _request(share.url + "quick.mp3", Range="bytes=1000-1999")
    assert part.status == 206
    assert part.getheader("Content-Range") == f"bytes 1000-1999/{len(data)}"
    assert part.body == data[1000:2000]  # type: ignore[attr-defined]
    tail = _request(share.url + "quick.mp3", Range="bytes=-500")
    assert (tail.status, tail.body) == (206, data[-500:])  # type: ignore[attr-defined]
    rest = _request(share.url + "quick.mp3", Range=f"bytes={len(data) - 10}-")
    assert (rest.status, rest.body) == (206, data[-10:])  # type: ignore[attr-defined]
    beyond = _request(share.url + "quick.mp3", Range=f"bytes={len(data)}-")
    assert (beyond.status, beyond.getheader("Content-Range")) == (416, f"bytes */{len(data)}")
    lyrics = _request(share.url + "quick.lrc")
    assert lyrics.body == sessions[0].with_suffix(".lrc").read_bytes()  # type: ignore[attr-defined]


_opened: list[str] = []
_watching = threading.Event()


def _audit(event: str, args: tuple, watching: threading.Event = _watching, opened: list = _opened) -> None:
    # The hook outlives this module (it cannot be removed): at interpreter exit the module's
    # globals are gone, so what it needs is bound here.
    if watching.is_set() and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/{other}/", 404),
        ("GET", "/{other}/quick.mp3", 404),
        ("GET", "/{token}", 404),
        ("GET", "/{token}/../quick.mp3", 404),
        ("GET", "/{token}/%2e%2e/%2e%2e/etc/passwd", 404),
        ("GET", "/{token}/..%2f..%2fetc%2fpasswd", 404),
        ("GET", "/{token}/%2Fetc%2Fpasswd", 404),
        ("GET", "/{token}/jaw-release.mp3/", 404),
        ("GET", "/{token}/sessions", 404),
        ("GET", "/{token}/quick.MP3", 404),
        ("GET", "//etc/passwd", 404),
        ("HEAD", "/{token}/nothing.mp3", 404),
        ("POST", "/{token}/", 405),
        ("PUT", "/{token}/quick.mp3", 405),
        ("DELETE", "/{token}/quick.mp3", 405),
        ("OPTIONS", "/{token}/", 405),
        ("BREW", "/{token}/", 405),
    ],
)
def test_anything_else_is_refused_and_no_other_file_is_read(
    share: SessionShare, method: str, path: str, status: int
):
    _opened.clear()
    _watching.set()
    try:
        response = _request(share.url, method, path.format(token=share.token, other="A" * 22))
    finally:
        _watching.clear()
    assert response.status == status
    assert b"<a href" not in response.body  # type: ignore[attr-defined] # no listing
    assert _opened == []


def test_the_audit_of_opened_files_sees_a_served_file(share: SessionShare, sessions: list[Path]):
    _opened.clear()
    _watching.set()
    try:
        assert _request(share.url + "quick.mp3").status == 200
    finally:
        _watching.clear()
    assert str(sessions[0]) in _opened  # so an empty list above means nothing was opened


def test_the_feed_is_a_podcast_a_feed_parser_reads(share: SessionShare, sessions: list[Path]):
    response = _request(share.url + "feed.xml")
    assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.body)  # type: ignore[attr-defined]
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert feed.feed.title == "voiceguide sessions"
    assert feed.feed.image.href == share.url + "cover.png"
    assert [entry.title for entry in feed.entries] == [MP3(p)["TIT2"].text[0] for p in sessions]
    for entry, path in zip(feed.entries, sessions, strict=True):
        (enclosure,) = entry.enclosures
        assert enclosure.href == share.url + path.name
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == path.stat().st_size
        assert entry.itunes_duration == str(round(MP3(path).info.length))
        fetched = _request(enclosure.href, "HEAD")
        assert fetched.getheader("Content-Length") == str(path.stat().st_size)
    cover = _request(share.url + "cover.png")
    assert cover.body.startswith(b"\x89PNG")  # type: ignore[attr-defined]


def _browser() -> str:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.fail("no Chromium here; ./scripts/setup --for-tests installs chromium-headless-shell")


def test_a_real_browser_shows_each_session_with_a_player(share: SessionShare, tmp_path: Path):
    command = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--window-size=412,915",
               f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run([*command, "--dump-dom", share.url], capture_output=True, text=True, timeout=60)
    page = dom.stdout
    assert page.count("<audio") == 2
    assert "Quick five" in page
    assert "Jaw release" in page
    assert page.count('class="download"') == 2
    assert "<li>Prep <small>0:00</small></li>" in page
    shot = tmp_path / "page.png"
    subprocess.run([*command, f"--screenshot={shot}", share.url], capture_output=True, timeout=60, check=True)
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_share_prints_the_url_and_qr_logs_downloads_and_stops_by_itself(sessions: list[Path]):
    command = [sys.executable, "-m", "voiceguide", "share", str(sessions[0].parent), "--host", "127.0.0.1",
               "--expire", "3s"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    assert first.startswith("Sharing 2 sessions for 0:03.")
    process.stdout.readline()
    url = process.stdout.readline().strip()
    assert _request(url + "quick.mp3").status == 200
    assert process.wait(timeout=20) == 0  # it ends by itself when the time is up
    # Read through the same buffered stream the first lines came from: nothing is lost.
    out, err = process.stdout.read(), process.stderr.read()
    assert "▀" in out or "▄" in out  # the QR code, drawn in block characters
    assert f"Podcast feed: {url}feed.xml" in out
    assert "127.0.0.1 fetched quick.mp3 (200)" in err
    assert err.strip().endswith("Sharing stopped.")


def test_sharing_nothing_is_one_line(tmp_path: Path):
    result = CliRunner().invoke(cli, ["share", str(tmp_path)])
    assert result.exit_code == 2
    assert "no sessions (.mp3, .m4b, .m4a) in" in result.output


def test_ctrl_c_stops_sharing_cleanly(sessions: list[Path]):
    command = [sys.executable, "-m", "voiceguide", "share", str(sessions[0]), "--host", "127.0.0.1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for _ in range(3):
        line = process.stdout.readline()
    url = line.strip()
    assert _request(url).status == 200  # serving: the wait for Ctrl-C has begun
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert err.strip().endswith("Sharing stopped.")
    with pytest.raises(ConnectionRefusedError):
        _request(url)


HOSTILE_TITLE = "Evening\n#EXTINF:1,evil\nevil.mp3\x01 <script>alert(1)</script> & \u202egnp.exe"


def _with_hostile_tags(session: Path, folder: Path) -> Path:
    """A copy of ``session`` whose title and chapter titles hold what a stranger's MP3 might."""
    copy = folder / "hostile.mp3"
    shutil.copyfile(session, copy)
    tags = ID3(copy)
    tags["TIT2"] = TIT2(encoding=3, text=[HOSTILE_TITLE])
    tags.getall("CHAP")[0].sub_frames["TIT2"] = TIT2(encoding=3, text=["Neck\r\n\x0b<b>"])
    tags.save(copy, v2_version=3)
    return copy


def test_playlist_feed_and_page_clean_what_a_files_tags_hold(tmp_path: Path, sessions: list[Path]):
    hostile = _with_hostile_tags(sessions[0], tmp_path)
    phone = tmp_path / "phone"
    phone.mkdir()
    result = CliRunner().invoke(cli, ["export", str(hostile), "--to", str(phone)])
    assert result.exit_code == 0, result.output
    playlist = (phone / PLAYLIST_NAME).read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U"
    assert len(playlist) == 3  # one entry: its information line and its file, nothing injected
    assert playlist[2] == "hostile.mp3"
    (session,) = sessions_in([hostile])
    feed = feedparser.parse(podcast_feed([session], "http://127.0.0.1:1/token/"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries[0].title == " ".join(
        HOSTILE_TITLE.replace("\x01", " ").replace("\u202e", " ").split()
    )
    page = sessions_page([session])
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert "&lt;b&gt;" in page
    assert not any(ord(character) < 32 and character != "\n" for character in page)
    assert "\u202e" not in page


# The lyrics beside a session


def _read_in_time(session: Path, fifo: Path, seconds: float = 5) -> SessionFile:
    """The session as sessions_in reads it, failing (and letting the reader go) if it waits on ``fifo``."""
    found: list[SessionFile] = []
    reader = threading.Thread(target=lambda: found.extend(sessions_in([session])), daemon=True)
    reader.start()
    reader.join(seconds)
    if reader.is_alive():
        with fifo.open("w"):  # a writer that opens and closes: the reader sees the end, and ends
            pass
        pytest.fail(f"reading {session} waited on the pipe {fifo}")
    return found[0]


def test_only_a_plain_lrc_of_a_lyrics_size_is_read(tmp_path: Path, sessions: list[Path]):
    # Without timed lyrics of its own (an MP4, or another program's MP3), the .lrc beside is read.
    session = tmp_path / "bare.mp3"
    shutil.copyfile(sessions[0], session)
    tags = ID3(session)
    tags.delall("SYLT")
    tags.save(session)
    lrc = session.with_suffix(".lrc")
    lrc.write_text("[00:01.00]Hello\n", encoding="utf-8")
    assert sessions_in([session])[0].narration == (NarrationLine(1000, "Hello"),)

    lrc.write_text("[00:01.00]Hello\n" + "x" * MAX_LYRICS_BYTES, encoding="utf-8")
    assert sessions_in([session])[0].narration == ()  # too big to be lyrics

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    lrc.unlink()
    lrc.symlink_to(fifo)
    assert _read_in_time(session, fifo).narration == ()
    lrc.unlink()
    os.mkfifo(lrc)
    assert _read_in_time(session, lrc).narration == ()
    lrc.unlink()
    lrc.symlink_to("/dev/zero")  # a read that never ends
    assert sessions_in([session])[0].narration == ()
