"""The studio's renders: one at a time (a second is refused, never interleaved), run on a thread
of their own, their progress kept for the page to follow, and cancellable, leaving no file."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from voiceguide.errors import VoiceguideError
from voiceguide.pipeline import Progress, RenderOptions, render_session
from voiceguide.processes import Stopped
from voiceguide.routine import Routine


class RenderBusyError(VoiceguideError):
    """A render is running already."""


@dataclass
class RenderState:
    """What the page shows of the render under way, or of the last one."""

    status: str = "idle"
    """``idle``, ``running``, ``done``, ``failed`` or ``cancelled``."""
    percent: float = 0.0
    clips_ready: int = 0
    clips_total: int = 0
    seconds_left: float | None = None
    error: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    """The finished session's file name, for the page to find it among the sessions."""
    version: int = 0
    """Counts changes, so a page waiting for news knows when there is some."""

    def public(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if key != "version"}


class RenderJobs:
    """Starts renders and tells who waits how they go."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._cancel = threading.Event()
        self._changed: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.state = RenderState()

    def start(self, routine: Routine, options: RenderOptions) -> None:
        with self._lock:
            if self.state.status == "running":
                raise RenderBusyError("a session is being rendered; wait for it to finish, or cancel it")
            self._cancel.clear()
            self._update(status="running", percent=0.0, clips_ready=0, clips_total=0, seconds_left=None,
                         error="", result={})  # fmt: skip
        threading.Thread(target=self._run, args=(routine, options), name="studio-render", daemon=True).start()

    def cancel(self) -> None:
        self._cancel.set()

    async def changed(self, seen: int, timeout_s: float) -> None:
        """Return once the state's version is past ``seen``, or after ``timeout_s``."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._lock:
            if self.state.version > seen:
                return
            self._changed.append(entry)
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                if entry in self._changed:
                    self._changed.remove(entry)

    def _run(self, routine: Routine, options: RenderOptions) -> None:
        try:
            result = render_session(routine, options, _JobProgress(self))
        except Stopped:
            self._update(status="cancelled")
        except VoiceguideError as error:
            self._update(status="failed", error=str(error))
        except Exception as error:  # the page must hear of it; the server goes on
            self._update(status="failed", error=f"the render failed ({type(error).__name__}: {error})")
        else:
            self._update(status="done", percent=100.0, seconds_left=0.0, result={"name": result.mp3.name})

    def _update(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self.state, name, value)
            self.state.version += 1
            waiting, self._changed = self._changed, []
        for loop, event in waiting:
            loop.call_soon_threadsafe(event.set)

    def _check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Stopped


class _JobProgress(Progress):
    """Progress as the page shows it: windows mixed (percent, time left) and clips ready; a
    cancel stops the render at its next step, and it cleans up as it does on Ctrl-C."""

    def __init__(self, jobs: RenderJobs):
        self.jobs = jobs
        self.started = time.monotonic()

    def stage(self, label: str, total: int) -> Callable[[], None]:
        done = 0

        def tick() -> None:
            nonlocal done
            self.jobs._check_cancelled()
            done += 1
            elapsed = time.monotonic() - self.started
            left = elapsed / done * (total - done)
            self.jobs._update(percent=round(100 * done / max(total, 1), 1), seconds_left=round(left, 1))

        return tick

    def clips(self, total: int) -> Callable[[], None]:
        self.jobs._update(clips_total=total)

        def ready() -> None:
            self.jobs._check_cancelled()
            self.jobs._update(clips_ready=self.jobs.state.clips_ready + 1)

        return ready
