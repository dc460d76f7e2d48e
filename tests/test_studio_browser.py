"""The studio as a person uses it: `voiceguide studio` started as a command, its page driven in a
real headless Chromium at phone size, a session rendered and fetched back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from helpers import MP3_FRAME_MS, decoded_ms, ffprobe
from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def studio_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`voiceguide studio` as scripts start it, the address read from what it prints."""
    home = tmp_path_factory.mktemp("studio")
    env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    command = [sys.executable, "-m", "voiceguide", "studio", "--host", "127.0.0.1", "--port", "0",
               "--no-open", "--sessions", str(home / "sessions")]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]
    url = lines[2].strip()
    assert lines[0].startswith("The studio is open at")
    assert url.startswith("http://127.0.0.1:")
    yield url
    process.terminate()
    process.wait(timeout=20)


def _open(browser: Browser, url: str, width: int = 412, height: int = 915) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    expect(page.get_by_label("Routine", exact=True)).to_have_value("daily")  # the routines have loaded
    return page


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_session_is_shaped_rendered_and_played_in_the_page(
    browser: Browser, studio_url: str, tmp_path: Path
):
    page = _open(browser, studio_url)
    page.get_by_label("Routine", exact=True).select_option(label="Daily facial massage · 10 min")
    page.get_by_label("Minutes", exact=True).fill("15")
    sheet = page.locator("#cue-sheet tbody")
    expect(sheet).to_contain_text("1:30")
    expect(sheet).to_contain_text("13:30")
    times = sheet.locator("tr.chime td.time").all_inner_texts()
    assert times == ["0:00", "1:30", "3:00", "6:00", "9:00", "11:15", "13:30"]
    # The system voice: quick to speak, and the voice is not what this test is about.
    page.get_by_label("Voice", exact=True).select_option(label="English (America) (system voice)")
    page.get_by_role("button", name="Render").click()
    expect(page.locator("#result")).to_be_visible(timeout=150_000)
    source = page.locator("#player").get_attribute("src")
    assert source
    mp3 = tmp_path / "session.mp3"
    mp3.write_bytes(httpx2.get(studio_url + source, timeout=30).content)
    assert abs(decoded_ms(mp3) - 900_000) < MP3_FRAME_MS
    assert len(ffprobe(mp3, "-show_chapters")["chapters"]) == 7
    expect(page.locator("#chapters li")).to_have_count(7)
    page.locator("#chapters button").nth(2).click()  # "3:00 Jawline & chin": the player seeks there
    assert abs(page.evaluate("document.getElementById('player').currentTime") - 180) < 1
    page.close()


def test_nothing_scrolls_sideways_at_360_pixels(browser: Browser, studio_url: str):
    page = _open(browser, studio_url, width=360, height=800)
    expect(page.locator("#cue-sheet tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()


def test_a_length_that_cannot_fit_says_so_beside_minutes_and_render_stays_off(
    browser: Browser, studio_url: str
):
    page = _open(browser, studio_url)
    page.get_by_label("Minutes", exact=True).fill("1")
    expect(page.locator("#minutes-error")).to_contain_text("the shortest length that fits is")
    expect(page.get_by_role("button", name="Render")).to_be_disabled()
    page.get_by_label("Minutes", exact=True).fill("12")
    expect(page.get_by_role("button", name="Render")).to_be_enabled()
    page.close()


def test_without_the_token_nothing_is_served(studio_url: str):
    root = studio_url.rsplit("/", 2)[0] + "/"
    wrong = root + "A" * 22 + "/"
    for url in (root, wrong, wrong + "api/routines", root + "static/studio.js"):
        assert 400 <= httpx2.get(url).status_code < 500, url
