"""Fetching over HTTP(S) with the standard library: bounded in time and size, every failure one
line naming the host and the fix. Only http and https, also after a redirect (Hugging Face
answers with one to its file servers)."""

from __future__ import annotations

import contextlib
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from voiceguide import __version__
from voiceguide.errors import VoiceStoreError

# Seconds a server may stay silent, connecting or mid-file, before we give up on it.
TIMEOUT_S = 30
CHUNK_BYTES = 256 * 1024
CATALOGUE_FILE = "voices.json"

# No file:, ftp: or data: handlers: a URL or a redirect to anything but http(s) is refused.
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler(),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPRedirectHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
    urllib.request.UnknownHandler(),
):
    _OPENER.add_handler(_handler)


def catalogue_address(url: str) -> str:
    """The catalogue's URL from ``url``: the catalogue itself, or the folder holding it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VoiceStoreError(f'"{url}" is not an http(s) URL; give --from https://HOST/PATH/voices.json')
    if parts.path.endswith(".json"):
        return url
    return urllib.parse.urljoin(url if url.endswith("/") else f"{url}/", CATALOGUE_FILE)


def file_address(catalogue: str, path: str) -> str:
    """A catalogue path's URL: relative to the catalogue's folder (the path was checked plain)."""
    return urllib.parse.urljoin(catalogue, urllib.parse.quote(path))


def fetch_body(url: str, limit_bytes: int) -> bytes:
    """The body at ``url``, read up to one byte past ``limit_bytes`` (so that too long shows)."""
    return b"".join(fetch_chunks(url, limit_bytes))


def fetch_chunks(url: str, limit_bytes: int) -> Iterator[bytes]:
    """The body at ``url`` in chunks, up to one byte past ``limit_bytes``."""
    left = limit_bytes + 1
    with _response(url) as response:
        while left > 0:
            try:
                chunk = response.read(min(CHUNK_BYTES, left))
            except (OSError, http.client.HTTPException) as error:
                raise _unreachable(url, error) from None
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


@contextlib.contextmanager
def _response(url: str) -> Iterator[http.client.HTTPResponse]:
    request = urllib.request.Request(url, headers={"User-Agent": f"voiceguide/{__version__}"})
    try:
        response = _OPENER.open(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        error.close()
        raise VoiceStoreError(f"{url}: the server answered {error.code} {error.reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise _unreachable(url, error) from None
    with response:
        yield response


def _unreachable(url: str, error: Exception) -> VoiceStoreError:
    # URLError wraps the socket's error; its strerror ("Connection refused") reads best.
    reason = getattr(error, "reason", error)
    words = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    host = urllib.parse.urlsplit(url).hostname or url
    return VoiceStoreError(f"could not reach {host}: {words}; check the connection, or give --from URL")
