"""Rendering several routines at once, one process per core."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

from voiceguide.errors import VoiceguideError
from voiceguide.pipeline import RenderOptions, RenderResult, render_session
from voiceguide.processes import WorkerProcesses, stop_on_sigterm
from voiceguide.routines import load_routine


def render_many(
    jobs: Sequence[tuple[str, RenderOptions]], on_done: Callable[[str, RenderResult | VoiceguideError], None]
) -> list[RenderResult | VoiceguideError]:
    """Render several routines (by name or path) at once, one process per core; each result, or
    the error that stopped it, is passed to ``on_done`` as it finishes."""
    cores = os.cpu_count() or 1
    workers = max(1, min(cores, len(jobs)))
    # Each render speaks on its share of the cores: two renders on two cores each running two
    # natural-voice threads ran four at once, and held two copies of the largest buffers.
    share = max(1, cores // workers)
    processes = WorkerProcesses()
    # A fresh process for each routine: the system voice speaks in the rendering process, and
    # espeak-ng's output depends a little on what its process spoke before. So a routine comes out
    # the same alone or among others, but for a line two routines share (whichever speaks it first).
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=processes.context(),
        max_tasks_per_child=1,
        initializer=stop_on_sigterm,
    )
    try:
        futures = {
            executor.submit(_render_job, name, replace(options, speech_cores=share)): name
            for name, options in jobs
        }
        outcomes = {}
        for future in as_completed(futures):
            outcomes[futures[future]] = future.result()
            on_done(futures[future], outcomes[futures[future]])
    except BaseException:
        # Stopped (Ctrl-C, SIGTERM) or failed: each render is stopped too, and cleans up after
        # itself as it does when stopped alone.
        processes.terminate_all()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown()
    return [outcomes[name] for name, _ in jobs]


def _render_job(name: str, options: RenderOptions) -> RenderResult | VoiceguideError:
    try:
        return render_session(load_routine(name, options.language), options)
    except VoiceguideError as error:
        return error
