"""The server `share` (and the studio) runs on, under what a home network can send it: hundreds of
idle connections with few file descriptors, requests that are not HTTP, absurd ranges, files
that change while shared. It stays up, answers in a few seconds, and never lies about a length."""

from __future__ import annotations

import http.client
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import GOOD, render, write_routine

from voiceguide.delivery.sessions import sessions_in
from voiceguide.web.server import IDLE_CONNECTION_S, lan_address
from voiceguide.web.share import SessionShare


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared")
    return render(write_routine(folder, GOOD), folder / "tiny.mp3")


def _share_process(
    paths: list[Path], *args: str, files_limit: int | None = None
) -> tuple[subprocess.Popen, str]:
    """`voiceguide share` as a user starts it; the process and the address it prints."""

    def limit_files() -> None:
        if files_limit:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files_limit, files_limit))

    command = [sys.executable, "-m", "voiceguide", "share", *map(str, paths), "--expire", "2m", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=limit_files)  # fmt: skip
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]
    return process, lines[2].strip()


@pytest.fixture
def shared(session: Path) -> Iterator[str]:
    process, url = _share_process([session], "--host", "127.0.0.1")
    yield url
    process.terminate()
    process.wait(timeout=20)


def _get(url: str, **headers: str) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def _raw(url: str, data: bytes) -> tuple[bytes, float]:
    """What the server answers to ``data``, and how long it took to answer or close."""
    parts = urlsplit(url)
    start = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    return answer, time.monotonic() - start


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_300_idle_connections_under_256_descriptors_do_not_lock_the_phone_out(session: Path):
    process, url = _share_process([session], "--host", "127.0.0.1", files_limit=256)
    parts = urlsplit(url)
    idle = []
    try:
        for _ in range(300):
            try:
                idle.append(socket.create_connection((parts.hostname, parts.port), timeout=5))
            except OSError:
                break  # the backlog is full: what matters is that the phone gets through below
        start = time.monotonic()
        while True:  # a phone retries until it gets the session
            try:
                response = _get(url + "tiny.mp3")
                if response.status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() - start < 20, "the session did not come through within 20 s"
        assert response.body == session.read_bytes()  # type: ignore[attr-defined]
        assert process.poll() is None  # still serving
    finally:
        for connection in idle:
            connection.close()
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert "Traceback" not in err
    assert err.strip().endswith("Sharing stopped.")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /\x00\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
        bytes.fromhex("16030100a5010000a10303") + b"\x00" * 160,  # a TLS ClientHello
    ],
    ids=["not http", "control bytes in the path", "tls handshake"],
)
def test_what_is_not_http_is_answered_400_at_once(shared: str, request_bytes: bytes):
    answer, seconds = _raw(shared, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400")
    assert seconds < 2


def test_a_request_never_finished_is_closed_after_a_few_seconds(shared: str):
    answer, seconds = _raw(shared, b"GET / HTTP/1.1\r\nHost: x\r\n")
    assert answer == b""
    assert IDLE_CONNECTION_S - 1 < seconds < IDLE_CONNECTION_S + 3


def test_a_connection_that_sends_nothing_is_closed_too(shared: str):
    answer, seconds = _raw(shared, b"")
    assert answer == b""
    assert seconds < IDLE_CONNECTION_S + 3


@pytest.mark.parametrize(
    ("range_header", "statuses"),
    [
        ("bytes=" + "9" * 5000, {200, 400, 416}),
        ("bytes=" + "1" * 5000 + "-", {200, 400, 416}),
        ("bytes=0-9,20-29", {206}),
        ("bytes=0-9," * 500, {200, 206}),
    ],
    ids=["5000 digits", "5000-digit start", "two ranges", "500 ranges"],
)
def test_absurd_ranges_are_answered_without_an_error(shared: str, range_header: str, statuses: set[int]):
    response = _get(shared + "tiny.mp3", Range=range_header)
    assert response.status in statuses
    if response.status == 206 and "," in range_header and range_header.count(",") < 5:
        assert response.getheader("Content-Type").startswith("multipart/byteranges")


def test_every_response_keeps_types_and_addresses_to_itself(shared: str):
    for path in ("", "tiny.mp3", "feed.xml", "nothing"):
        response = _get(shared + path)
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Referrer-Policy") == "no-referrer"


def test_a_file_cut_short_or_gone_while_shared_is_never_misdescribed(session: Path, tmp_path: Path):
    copy = tmp_path / "tiny.mp3"
    shutil.copyfile(session, copy)
    with SessionShare(sessions_in([copy]), "127.0.0.1", log=lambda line: None) as share:
        whole = _get(share.url + "tiny.mp3")
        assert int(whole.getheader("Content-Length")) == len(whole.body) == copy.stat().st_size  # type: ignore[attr-defined]
        with copy.open("r+b") as file:
            file.truncate(1000)
        cut = _get(share.url + "tiny.mp3")
        assert cut.status == 200
        assert int(cut.getheader("Content-Length")) == len(cut.body) == 1000  # type: ignore[attr-defined]
        copy.unlink()
        assert _get(share.url + "tiny.mp3").status == 404


def test_every_network_is_shown_as_the_lan_address(session: Path):
    process, url = _share_process([session], "--host", "0.0.0.0")
    try:
        assert url.startswith(f"http://{lan_address()}:")
        assert "0.0.0.0" not in url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_page_escapes_every_value_of_a_file(session: Path, tmp_path: Path):
    odd = tmp_path / 'a"<b>&.mp3'
    shutil.copyfile(session, odd)
    with SessionShare(sessions_in([odd]), "127.0.0.1", log=lambda line: None) as share:
        page = _get(share.url).body.decode()  # type: ignore[attr-defined]
    assert "<b>" not in page
    assert 'a"<b>' not in page
    assert "a%22%3Cb%3E%26.mp3" in page
