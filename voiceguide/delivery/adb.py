"""Pushing sessions to an Android phone over USB with adb, and asking it to index them."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Sequence
from urllib.parse import quote

from voiceguide.delivery.sessions import SessionFile
from voiceguide.errors import DeliveryError, MissingToolError

# Music/ is where every Android music player looks; a folder of our own keeps sessions together.
PHONE_FOLDER = "/sdcard/Music/voiceguide"
SCAN_ACTION = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"


def push_to_phone(sessions: Sequence[SessionFile]) -> list[str]:
    """Each session (and its .lrc) copied to the phone's Music/voiceguide, then indexed so music
    players list it at once; returns the paths on the phone."""
    adb = shutil.which("adb")
    if adb is None:
        raise MissingToolError(
            "adb is not installed; install it (Debian/Ubuntu: sudo apt-get install adb), connect the "
            "phone by USB with USB debugging on, or use --to FOLDER for a mounted phone"
        )
    _shell(adb, "mkdir", "-p", PHONE_FOLDER)
    pushed = []
    for session in sessions:
        for file in (session.path, session.lyrics):
            if file is not None:
                _run(adb, "push", str(file), f"{PHONE_FOLDER}/{file.name}")
        on_phone = f"{PHONE_FOLDER}/{session.path.name}"
        _shell(adb, "am", "broadcast", "-a", SCAN_ACTION, "-d", f"file://{quote(on_phone)}")
        pushed.append(on_phone)
    return pushed


def _shell(adb: str, *command: str) -> None:
    """Run ``command`` on the phone. adb joins what follows "shell" with spaces and the phone's
    shell reads the result, so each word is quoted: a file named "a;touch PWNED;.mp3" stays a name."""
    _run(adb, "shell", shlex.join(command))


def _run(adb: str, *args: str) -> None:
    result = subprocess.run([adb, *args], capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        raise DeliveryError(
            f"adb {args[0]} failed ({reason[-1] if reason else f'exit {result.returncode}'}); "
            "is the phone connected, unlocked and allowing USB debugging? (adb devices lists it)"
        )
