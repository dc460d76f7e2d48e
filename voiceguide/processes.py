"""Processes voiceguide starts and how they stop: worker processes that can be stopped when they
hang or the render is stopped, and SIGTERM turned into a clean stop like Ctrl-C."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import signal
import threading
from multiprocessing.context import BaseContext
from types import FrameType
from typing import Any, cast

# A command stopped by SIGTERM exits as the shell reports a process killed by it: 128 + 15.
EXIT_TERMINATED = 128 + signal.SIGTERM


class Stopped(BaseException):
    """SIGTERM arrived. A BaseException, like KeyboardInterrupt: no ``except Exception`` takes it,
    so every ``with`` and ``finally`` on the way out cleans up (no half-written file is left)."""


def stop_on_sigterm() -> None:
    """From now on SIGTERM raises Stopped in the main thread (a no-op in other threads)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_stopped)


def _raise_stopped(signal_number: int, frame: FrameType | None) -> None:
    raise Stopped


class WorkerProcesses:
    """The "spawn" start method (the parent may hold threads or a loaded engine that must not be
    copied into a fork), remembering each process it starts so that they can be stopped."""

    def __init__(self) -> None:
        self._spawn = multiprocessing.get_context("spawn")
        self.started: list[multiprocessing.process.BaseProcess] = []

    def context(self) -> BaseContext:
        """What a process pool takes as its ``mp_context``: a context in all but name, handing
        every attribute but Process to the real spawn context."""
        return cast(BaseContext, self)

    def Process(self, *args: Any, **kwargs: Any) -> multiprocessing.process.BaseProcess:  # noqa: N802 - the context's name
        process = self._spawn.Process(*args, **kwargs)
        self.started.append(process)
        return process

    def terminate_all(self) -> None:
        for process in self.started:
            if process.is_alive():
                process.terminate()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._spawn, name)
