"""Fixtures: hermetic user folders, and the real renders many tests read back (made once per run,
even when the tests are spread over several worker processes)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import render


def _shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder every worker of this run sees (pytest-xdist gives each its own temporary root)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the caches at a temporary folder shared by the run for speed (clips are written
    atomically, so workers may share them), and the config and data folders at this worker's."""
    home = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(_shared_folder(tmp_path_factory, "cache")))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        patch.setenv("XDG_DATA_HOME", str(home / "data"))
        yield home


@pytest.fixture
def routines_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's routines folder, empty and this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "config" / "voiceguide" / "routines"
    folder.mkdir(parents=True)
    return folder


def _rendered_once(tmp_path_factory: pytest.TempPathFactory, name: str, *args: str, engine: str) -> Path:
    """A render made by the first worker that asks for it; the others wait for it and read it."""
    folder = _shared_folder(tmp_path_factory, "renders")
    output = folder / name
    with (folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not output.exists():
            render(args[0], output, *args[1:], engine=engine)
    return output


@pytest.fixture(scope="session")
def daily_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``voiceguide render daily`` as a user first runs it: the default (natural) voice, chimes."""
    return _rendered_once(tmp_path_factory, "daily.mp3", "daily", engine="auto")


@pytest.fixture(scope="session")
def daily_ambient_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same session over the ambient bed."""
    return _rendered_once(tmp_path_factory, "daily-ambient.mp3", "daily", "--music", "ambient", engine="auto")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def chromium() -> str:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.fail("no Chromium here; ./scripts/setup --for-tests installs chromium-headless-shell")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A real headless Chromium, driven by Playwright (imported here: most tests need no browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium())
        yield launched
        launched.close()


# Tests that read the real daily renders wait for them: they are slow however quick their checks.
_REAL_RENDERS = {"daily_render", "daily_ambient_render"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _REAL_RENDERS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
