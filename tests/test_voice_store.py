"""``voiceguide voices add`` and ``remove``: natural voices from a catalogue served over real HTTP
on 127.0.0.1, laid out as Piper's is on Hugging Face, with a tiny voice made by make_tiny_voice."""

from __future__ import annotations

import errno
import functools
import hashlib
import http.server
import json
import logging
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import Result
from helpers import run
from make_tiny_voice import write_tiny_voice
from piper import PiperVoice

from voiceguide.errors import VoiceStoreError
from voiceguide.speech import AUTO, pick_engine
from voiceguide.speech import voice_catalogue as catalogue_module
from voiceguide.speech.piper_engine import PiperEngine
from voiceguide.speech.voice_store import add_voice, installed_voice_models, remove_voice

VOICE = "fr_FR-tiny-low"
FOLDER = "fr/fr_FR/tiny/low"
# How often the server looks for shutdown(): its default, 0.5 s, would be each test's teardown.
SHUTDOWN_POLL_S = 0.02
LICENCE = b"# Model card for tiny (fr_FR)\n\nLicence: CC0, made for voiceguide's tests.\n"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """What the server serves: the tiny voice where Piper's catalogue puts a voice, and voices.json."""
    root = tmp_path / "site"
    write_tiny_voice(root / FOLDER, VOICE)
    (root / FOLDER / "MODEL_CARD").write_bytes(LICENCE)
    publish(root, {VOICE: entry(root)})
    return root


@pytest.fixture
def server(site: Path) -> Iterator[str]:
    """The catalogue's URL on a server in a thread of this process (real sockets, port 0)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/voices.json"
        finally:
            httpd.shutdown()
            thread.join()


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own user data folder, and no proxy between us and 127.0.0.1."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv("VOICEGUIDE_VOICES_URL", raising=False)
    return tmp_path / "data" / "voiceguide" / "voices"


def entry(root: Path, name: str = VOICE, folder: str = FOLDER, aliases: tuple[str, ...] = ()) -> dict:
    """A catalogue entry for the files under ``root/folder``, as Piper's catalogue writes one."""
    files = {
        f"{folder}/{path.name}": {"size_bytes": path.stat().st_size, "md5_digest": md5(path.read_bytes())}
        for path in sorted((root / folder).iterdir())
    }
    family, region = name.split("-")[0].split("_")
    language = {"code": f"{family}_{region}", "family": family, "region": region,
                "name_native": "Français", "name_english": "French", "country_english": "France"}  # fmt: skip
    return {"key": name, "name": "tiny", "language": language, "quality": "low", "num_speakers": 1,
            "speaker_id_map": {}, "files": files, "aliases": list(aliases)}  # fmt: skip


def publish(root: Path, voices: dict) -> None:
    (root / "voices.json").write_text(json.dumps(voices, ensure_ascii=False), encoding="utf-8")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/voices.json"


def left_in(folder: Path) -> list[str]:
    """Every file in ``folder``, temporaries included."""
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def one_line_error(result: Result, starts: str) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert line.startswith(f"error: {starts}"), line
    assert "Traceback" not in result.output
    return line


# The tiny voice itself


def test_the_tiny_voice_is_a_piper_voice_that_speaks_french(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    model = write_tiny_voice(tmp_path, VOICE)
    voice = PiperVoice.load(model)
    with caplog.at_level(logging.WARNING):
        chunks = list(voice.synthesize("Remontez vers le menton. Œuf, huître, genou ; ça suffit !"))
    assert not caplog.records  # every phoneme espeak-ng says in French is in the voice's map
    assert [chunk.sample_rate for chunk in chunks] == [22_050, 22_050]
    assert all(len(chunk.audio_float_array) == 256 * len(chunk.phoneme_ids) for chunk in chunks)


# Adding


def test_add_installs_the_voice_checked_and_says_how_to_use_it(server: str, site: Path, data_folder: Path):
    result = run("voices", "add", VOICE, "--from", server)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{VOICE} (French, 0.0 MB): installed in {data_folder}")
    assert lines[1] == f"its licence: {data_folder / f'{VOICE}.MODEL_CARD'}"
    assert lines[2].startswith("use it: voiceguide render daily --lang fr")
    assert result.stderr.startswith(f"Downloading {VOICE}")  # the bar's label, once off a terminal
    assert left_in(data_folder) == [f"{VOICE}.MODEL_CARD", f"{VOICE}.onnx", f"{VOICE}.onnx.json"]
    for ending, served in (
        (".onnx", f"{VOICE}.onnx"),
        (".onnx.json", f"{VOICE}.onnx.json"),
        (".MODEL_CARD", "MODEL_CARD"),
    ):
        assert md5((data_folder / f"{VOICE}{ending}").read_bytes()) == md5(
            (site / FOLDER / served).read_bytes()
        )
    assert installed_voice_models() == [data_folder / f"{VOICE}.onnx"]


def test_an_added_voice_loads_and_speaks(server: str):
    """The whole path, from the catalogue to a voice Piper speaks with."""
    installed = add_voice(VOICE, server)
    voice = PiperVoice.load(installed.model)
    audio = np.concatenate([chunk.audio_float_array for chunk in voice.synthesize("Bonjour.")])
    assert len(audio) > 1000
    assert 0 < np.abs(audio).max() <= 1


def test_add_reports_its_progress_to_the_last_byte(server: str, site: Path):
    reports: list[tuple[int, int]] = []
    installed = add_voice(VOICE, server, lambda done, total: reports.append((done, total)))
    total = sum(path.stat().st_size for path in (site / FOLDER).iterdir())
    assert installed.downloaded_bytes == total
    assert reports[-1] == (total, total)
    assert [done for done, _ in reports] == sorted({done for done, _ in reports})  # never backwards
    assert {whole for _, whole in reports} == {total}


def test_a_voice_installed_already_is_not_downloaded_again(server: str):
    add_voice(VOICE, server)
    reports: list[tuple[int, int]] = []
    assert add_voice(VOICE, server, lambda done, total: reports.append((done, total))).downloaded_bytes == 0
    assert reports == []
    result = run("voices", "add", VOICE, "--from", server)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{VOICE}: installed already, in ")


def test_an_alias_an_environment_variable_or_a_folder_url_finds_the_catalogue(
    site: Path, server: str, monkeypatch: pytest.MonkeyPatch, data_folder: Path
):
    publish(site, {VOICE: entry(site, aliases=("tiny",))})
    monkeypatch.setenv("VOICEGUIDE_VOICES_URL", server.removesuffix("voices.json"))
    result = run("voices", "add", "tiny")
    assert result.exit_code == 0, result.output
    assert (data_folder / f"{VOICE}.onnx").is_file()


def test_list_shows_the_catalogue_with_sizes_languages_and_what_is_installed(site: Path, server: str):
    english = "en/en_US/tiny/low"
    write_tiny_voice(site / english, "en_US-tiny-low", "en_US")
    publish(site, {VOICE: entry(site), "en_US-tiny-low": entry(site, "en_US-tiny-low", english)})
    add_voice(VOICE, server)
    everything = run("voices", "add", "--list", "--from", server)
    assert everything.exit_code == 0, everything.output
    assert [line.split()[:2] for line in everything.stdout.splitlines()] == [
        ["en_US-tiny-low", "en_US"],
        [VOICE, "fr_FR"],
    ]
    french = run("voices", "add", "--list", "--lang", "fr", "--from", server).stdout.splitlines()
    assert len(french) == 1
    assert french[0].split() == [VOICE, "fr_FR", "French", "0.0", "MB", "(installed)"]


def test_add_without_a_name_says_what_to_give():
    result = run("voices", "add")
    one_line_error(result, "give the NAME of a voice to add, or --list to see the names")


# Removing


def test_remove_deletes_every_file_of_the_voice(server: str, data_folder: Path):
    add_voice(VOICE, server)
    result = run("voices", "remove", VOICE)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"removed {VOICE} (3 files from {data_folder})\n"
    assert left_in(data_folder) == []
    assert installed_voice_models() == []


def test_removing_a_voice_that_is_not_there_lists_those_that_are(server: str):
    add_voice(VOICE, server)
    line = one_line_error(run("voices", "remove", "fr_FR-siwis-medium"), 'no voice "fr_FR-siwis-medium"')
    assert line.endswith(f"(installed: {VOICE})")
    with pytest.raises(VoiceStoreError, match=r'no voice "../fr_FR-tiny-low" is installed'):
        remove_voice(f"../{VOICE}")  # a name is never a path


# Failures: one line, exit status 2, nothing left behind


def test_an_unknown_name_suggests_near_ones_and_how_to_see_them_all(server: str):
    line = one_line_error(
        run("voices", "add", "fr_FR-tinny-low", "--from", server), 'no voice "fr_FR-tinny-low"'
    )
    assert f"did you mean {VOICE}?" in line
    assert line.endswith("(see them all: voiceguide voices add --list)")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ({"md5_digest": "0" * 32}, "the download's MD5 is not the catalogue's; nothing was installed$"),
        ({"size_bytes": 10}, "more than 10 bytes where the catalogue says 10"),
        ({"size_bytes": 10**6}, r"only [\d,]+ bytes where the catalogue says 1,000,000"),
    ],
    ids=["md5", "larger", "smaller"],
)
def test_a_file_unlike_the_catalogue_installs_nothing(
    site: Path, server: str, data_folder: Path, damage: dict, message: str
):
    voices = {VOICE: entry(site)}
    voices[VOICE]["files"][f"{FOLDER}/{VOICE}.onnx.json"].update(damage)  # the last file fetched
    publish(site, voices)
    line = one_line_error(
        run("voices", "add", VOICE, "--from", server), f"{server.removesuffix('voices.json')}"
    )
    assert re.search(message, line), line
    assert left_in(data_folder) == []  # no temporaries either


def test_a_new_version_that_fails_its_check_leaves_no_voice_half_replaced(
    site: Path, server: str, data_folder: Path
):
    add_voice(VOICE, server)
    write_tiny_voice(site / FOLDER, VOICE, "fr_BE")  # a new config upstream...
    voices = {VOICE: entry(site)}
    voices[VOICE]["files"][f"{FOLDER}/{VOICE}.onnx.json"]["md5_digest"] = "0" * 32  # ...damaged on the way
    publish(site, voices)
    with pytest.raises(VoiceStoreError, match="MD5"):
        add_voice(VOICE, server)
    assert json.loads((data_folder / f"{VOICE}.onnx.json").read_text())["language"]["code"] == "fr_FR"
    assert len(left_in(data_folder)) == 3


def test_a_server_that_is_not_there_is_one_line():
    result = run("voices", "add", VOICE, "--from", closed_port_url())
    line = one_line_error(result, "could not reach 127.0.0.1: Connection refused")
    assert line.endswith("; check the connection, or give --from URL")
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>Not here</html>", "not a Piper voice catalogue (Invalid JSON"),
        (b"[1, 2]", "not a Piper voice catalogue (Input should be an object)"),
        (b'{"x": {"files": {}}}', "not a Piper voice catalogue (x.language: Field required)"),
    ],
)
def test_a_catalogue_that_is_not_one_is_one_line(site: Path, server: str, body: bytes, message: str):
    (site / "voices.json").write_bytes(body)
    assert message in one_line_error(run("voices", "add", VOICE, "--from", server), server)


def test_a_missing_catalogue_or_a_url_that_is_not_http_is_one_line(server: str):
    missing = server.replace("voices.json", "elsewhere/voices.json")
    one_line_error(run("voices", "add", VOICE, "--from", missing), f"{missing}: the server answered 404")
    one_line_error(
        run("voices", "add", VOICE, "--from", "file:///etc/voices.json"),
        '"file:///etc/voices.json" is not an http(s) URL',
    )


def test_a_catalogue_too_large_is_refused(server: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(catalogue_module, "CATALOGUE_MAX_BYTES", 100)
    with pytest.raises(VoiceStoreError, match=r"voices.json: over 0 MB, not a voice catalogue"):
        add_voice(VOICE, server)


@pytest.mark.parametrize(
    "path",
    [
        f"../../{VOICE}.onnx",
        f"/etc/{VOICE}.onnx",
        f"fr\\..\\{VOICE}.onnx",
        f"http://evil.example/{VOICE}.onnx",
    ],
)
def test_a_catalogue_path_that_is_not_plain_and_relative_is_refused(
    site: Path, server: str, data_folder: Path, path: str
):
    voices = {VOICE: entry(site)}
    files = voices[VOICE]["files"]
    files[path] = files.pop(f"{FOLDER}/{VOICE}.onnx")
    publish(site, voices)
    line = one_line_error(run("voices", "add", VOICE, "--from", server), f'the catalogue\'s path "{path}"')
    assert line.endswith("is not a plain relative path")
    assert left_in(data_folder) == []


def test_a_full_disk_is_one_line_and_leaves_nothing(
    server: str, data_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    line = one_line_error(
        run("voices", "add", VOICE, "--from", server), f"{data_folder}: cannot write the voice"
    )
    assert line.endswith("(No space left on device)")
    assert left_in(data_folder) == []


def test_too_little_room_is_found_before_downloading(server: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(free=100))
    with pytest.raises(VoiceStoreError, match=r": 0.0 MB free, the voice needs 0.0 MB"):
        add_voice(VOICE, server, lambda done, total: pytest.fail("nothing should be downloaded"))


def test_an_interrupted_download_leaves_nothing(server: str, data_folder: Path):
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C, after the first chunk

    with pytest.raises(KeyboardInterrupt):
        add_voice(VOICE, server, interrupt)
    assert left_in(data_folder) == []
    result = run("voices", "add", VOICE, "--from", server)  # and the next try succeeds
    assert result.exit_code == 0, result.output


def test_a_model_without_its_config_is_not_a_voice(data_folder: Path):
    write_tiny_voice(data_folder, VOICE)
    (data_folder / f"{VOICE}.onnx.json").unlink()
    assert installed_voice_models() == []
    assert remove_voice(VOICE) == [data_folder / f"{VOICE}.onnx"]  # but remove still tidies it away


# The listing points at a natural voice for each narrated language that has none


def test_voices_suggests_a_french_voice_until_one_is_installed(server: str):
    """Needs the piper engine to list the voices in voices_dir() (being added alongside): until
    then, the part after adding fails, and only that part."""
    hint = "no natural voice for fr here; to get one: voiceguide voices add fr_FR-siwis-medium"
    before = run("voices", "--lang", "fr")
    assert before.exit_code == 0, before.output
    assert before.stdout.splitlines()[-1] == hint
    assert "no natural voice for en" not in run("voices").stdout  # the bundled voice speaks English
    add_voice(VOICE, server)
    assert pick_engine(AUTO, "fr") == "piper"
    assert hint not in run("voices", "--lang", "fr").stdout


def test_clips_of_an_added_voice_are_keyed_on_its_own_bytes(data_folder: Path):
    """Asked by language or by name, the voice is the file added: another voice added in its place
    must not be heard through clips the first one spoke."""
    engine = PiperEngine()
    model = write_tiny_voice(data_folder, VOICE)
    first = {engine.identity(asked, "fr") for asked in (None, VOICE)}
    config = Path(f"{model}.json")
    config.write_text(json.dumps({**json.loads(config.read_text()), "dataset": "another"}))
    second = engine.identity(None, "fr")
    assert len(first) == 1
    assert second not in first
    assert second != engine.identity(None, "en")  # not the bundled voice's


def test_a_voice_whose_configuration_is_broken_is_one_line(tmp_path: Path):
    model = tmp_path / "bad.onnx"
    model.write_bytes(b"not a model")
    Path(f"{model}.json").write_text("{ not json")
    sample = str(tmp_path / "s.mp3")
    result = run("voices", "--sample", "Hi", "--engine", "piper", "--voice-model", str(model), "-o", sample)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "bad.onnx.json: not a Piper voice configuration" in result.stderr
