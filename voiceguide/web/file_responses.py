"""Files served as they are when the request comes: opened once, and their length read from that
open file, so a file replaced or truncated meanwhile never makes a Content-Length its body
contradicts. Ranges (single, multiple, unsatisfiable) are Starlette's FileResponse's."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

# Where an open file can be opened again, by its descriptor: the same file, whatever its name
# points to by then.
_OPEN_FILES = "/proc/self/fd" if sys.platform == "linux" else "/dev/fd"


def file_response(path: Path, media_type: str) -> Response:
    """``path`` as it is now, or 404 when it is gone or is no regular file."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return PlainTextResponse("Not found.\n", status_code=404)
    status = os.fstat(handle)
    if not stat.S_ISREG(status.st_mode):
        os.close(handle)
        return PlainTextResponse("Not found.\n", status_code=404)
    return _OpenedFileResponse(handle, status, media_type)


class _OpenedFileResponse(FileResponse):
    """A FileResponse of a file already open: its descriptor is closed once the response is sent,
    or abandoned (a phone that skips ahead drops its connection)."""

    def __init__(self, handle: int, status: os.stat_result, media_type: str):
        super().__init__(
            f"{_OPEN_FILES}/{handle}",
            media_type=media_type,
            stat_result=status,
            content_disposition_type="inline",
        )
        self.handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            os.close(self.handle)
