"""What the studio's handlers share: its folders, its address, the sessions it has rendered and
the render under way."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from voiceguide.delivery.sessions import SESSION_SUFFIXES, SessionFile, read_session
from voiceguide.errors import DeliveryError
from voiceguide.files import sweep_leftovers, user_cache_dir, user_data_dir
from voiceguide.web.render_jobs import RenderJobs


@dataclass(frozen=True)
class StudioFolders:
    sessions: Path
    """Where rendered sessions are kept (the platform's music folder, voiceguide/)."""
    work: Path
    """The studio's own: uploaded music, voice samples, pictures of sessions."""
    cache: Path = field(default_factory=user_cache_dir)
    """Spoken clips and decoded music, shared with the command line."""

    @classmethod
    def default(cls) -> StudioFolders:
        return cls(
            sessions=Path(platformdirs.user_music_dir()) / "voiceguide",
            work=user_data_dir() / "studio",
        )

    @property
    def uploads(self) -> Path:
        return self.work / "uploads"


class Studio:
    """What the studio's handlers share: its folders, its address, the render under way."""

    def __init__(self, folders: StudioFolders, url: str, show_qr: bool):
        self.folders = folders
        self.url = url
        self.show_qr = show_qr
        self.jobs = RenderJobs()
        self._read: dict[Path, tuple[tuple[int, int], SessionFile]] = {}
        for folder in (folders.sessions, folders.uploads):
            folder.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(folders.uploads)  # uploads a phone dropped half-way, in an earlier run

    def sessions(self) -> list[SessionFile]:
        """The sessions in the folder, by name; a file that is no session is left out. Each file's
        tags are read again only when it has changed (players ask for ranges many times)."""
        found = []
        for path in sorted(self.folders.sessions.iterdir()):
            if path.suffix in SESSION_SUFFIXES and not path.name.startswith("."):
                with contextlib.suppress(DeliveryError, FileNotFoundError):
                    found.append(self._session(path))
        return found

    def _session(self, path: Path) -> SessionFile:
        status = path.stat()
        state = (status.st_mtime_ns, status.st_size)
        if path not in self._read or self._read[path][0] != state:
            self._read[path] = (state, read_session(path))
        return self._read[path][1]
