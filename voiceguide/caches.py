"""The caches on disk (spoken clips, decoded music): how big they are, kept under a size cap with
the least recently used going first, and cleared on request, never taking what a render running
now uses, nor leaving what a killed render left behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from voiceguide.files import sweep_leftovers

try:
    import fcntl
except ImportError:  # Windows: a running render's lock is then only its file's age
    fcntl = None  # type: ignore[assignment]

# Each kind of entry, by folder: what a render makes again when it is gone.
CACHE_FOLDERS = ("clips", "music")
# A cache over this (1 GB) sheds its least recently used entries after each render.
DEFAULT_CAP_BYTES = 1_000_000_000
# A render's lock file older than this, on a system without file locks, is taken as stale.
UNLOCKED_RENDER_S = 24 * 3600


@dataclass(frozen=True)
class CacheFolder:
    name: str
    path: Path
    size_bytes: int
    entries: int


def cache_usage(root: Path) -> list[CacheFolder]:
    """Each cache folder under ``root``, with its size and number of entries."""
    usage = []
    for name in CACHE_FOLDERS:
        entries = list(_entries(root / name))
        usage.append(CacheFolder(name, root / name, sum(size for _, size, _ in entries), len(entries)))
    return usage


@contextlib.contextmanager
def render_running(root: Path) -> Iterator[None]:
    """Mark a render as running for the block: what it uses (every entry touched since it began)
    is not pruned or cleared by another process meanwhile."""
    folder = root / "renders"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=".lock", dir=folder)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(handle)
        Path(name).unlink(missing_ok=True)


def prune(root: Path, cap_bytes: int = DEFAULT_CAP_BYTES) -> int:
    """Sweep what killed renders left, then drop the least recently used entries until the caches
    hold no more than ``cap_bytes``; returns the bytes freed."""
    _sweep_leftovers(root)
    entries = sorted((entry for name in CACHE_FOLDERS for entry in _entries(root / name)), key=lambda e: e[2])
    total = sum(size for _, size, _ in entries)
    return _remove_oldest(entries, total - cap_bytes, _in_use_since(root))


def clear(root: Path) -> int:
    """Remove every entry no running render uses; returns the bytes freed."""
    _sweep_leftovers(root)
    entries = [entry for name in CACHE_FOLDERS for entry in _entries(root / name)]
    return _remove_oldest(entries, sum(size for _, size, _ in entries), _in_use_since(root))


def _remove_oldest(entries: list[tuple[Path, int, float]], to_free: int, protected_from: float) -> int:
    freed = 0
    for path, size, used_at in entries:
        if freed >= to_free:
            break
        if used_at >= protected_from:
            continue  # touched since a running render began: it may be using it
        path.unlink(missing_ok=True)
        freed += size
    return freed


def _entries(folder: Path) -> Iterator[tuple[Path, int, float]]:
    """(path, size, last used) of each finished entry below ``folder``."""
    if not folder.is_dir():
        return
    for directory, _, files in os.walk(folder):
        if Path(directory).name.startswith("synth-"):
            continue
        for name in files:
            if name.endswith(".part"):
                continue
            path = Path(directory) / name
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                yield path, stat.st_size, stat.st_mtime


def _in_use_since(root: Path) -> float:
    """When the oldest render still running began (infinity when none runs); stale marks go."""
    oldest = float("inf")
    folder = root / "renders"
    for mark in folder.glob("*.lock") if folder.is_dir() else []:
        with contextlib.suppress(FileNotFoundError):
            started = mark.stat().st_mtime
            if _still_running(mark, started):
                oldest = min(oldest, started)
            else:
                mark.unlink(missing_ok=True)
    return oldest


def _still_running(mark: Path, started: float) -> bool:
    if fcntl is None:
        return time.time() - started < UNLOCKED_RENDER_S
    with mark.open("rb") as file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True  # its render holds the lock
        return False


def _sweep_leftovers(root: Path) -> None:
    for name in CACHE_FOLDERS:
        folder = root / name
        sweep_leftovers(folder)
        for child in folder.iterdir() if folder.is_dir() else []:
            if child.is_dir():
                sweep_leftovers(child)
