"""`voiceguide publish`: a static podcast site, read back as podcast apps and browsers read it: the
feed by feedparser and gPodder's podcastparser, every link fetched from a real static server, the
page in a real headless Chromium; publishing again, adding, replacing, pruning, and a publish cut
short."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import html
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import podcastparser
import pysubs2
import pytest
from click.testing import Result
from helpers import GOOD, render, run, write_routine
from mutagen.id3 import CHAP, ID3, SYLT, TIT2

from voiceguide.delivery.publish import _qr_svg
from voiceguide.delivery.show_settings import show_guid
from voiceguide.delivery.site_files import delete_listed
from voiceguide.errors import DeliveryError
from voiceguide.sidecars import read_lrc

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "atom": "http://www.w3.org/2005/Atom",
}
# A routine name is the user's text: it reaches the page, the feed and the chapters file.
HOSTILE_NAME = "Evening <script>alert(1)</script> & calm"
EVENING = f"""name: "{HOSTILE_NAME}"
steps:
  - title: Neck & jaw
    duration: 20s
  - title: Cheeks <b>
    duration: 20s
  - title: Forehead
    duration: 20s
"""
MORNING = "name: Morning\nsteps:\n  - title: Eyes\n    duration: 30s\n  - title: Jawline\n    duration: 30s\n"


@dataclass(frozen=True)
class Site:
    folder: Path
    base_url: str
    sessions: list[Path]
    """The rendered files published into it, in name order."""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three small real sessions (the fake voice keeps it quick; encoding, tags and lyrics are real)."""
    folder = tmp_path_factory.mktemp("rendered")
    routines = {"evening": EVENING, "morning": MORNING, "neck": GOOD}
    return {
        name: render(write_routine(folder, text, f"{name}.yaml"), folder / f"{name}.mp3")
        for name, text in routines.items()
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, rendered: dict[str, Path]) -> Iterator[Site]:
    """Two sessions published to root/massage/, served by Python's static file server from root."""
    root = tmp_path_factory.mktemp("www")
    with static_server(root) as address:
        site = Site(root / "massage", f"{address}massage/", [rendered["evening"], rendered["morning"]])
        published = _publish(*site.sessions, "--to", site.folder, "--base-url", site.base_url,
                             "--title", "Face care & more", "--email", "me@example.org")  # fmt: skip
        assert published.stdout == f"{site.base_url}feed.xml\n"
        yield site


@contextlib.contextmanager
def static_server(root: Path) -> Iterator[str]:
    """``python -m http.server`` serving ``root`` on 127.0.0.1; its address, once it accepts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        str(port),
        "--directory",
        str(root),
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(server, port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_listening(server: subprocess.Popen, port: int, attempts: int = 200) -> None:
    for _ in range(attempts):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        with contextlib.suppress(subprocess.TimeoutExpired):  # between attempts: has it failed?
            server.wait(timeout=0.05)
            pytest.fail(f"the static server ended (exit {server.returncode}) before it listened")
    pytest.fail(f"the static server did not listen on port {port}")


def _publish(*args: object) -> Result:
    result = run("publish", *map(str, args))
    assert result.exit_code == 0, result.output
    return result


def _refused(*args: object) -> str:
    """What ``voiceguide publish`` says of bad input: one line, exit status 2."""
    result = run("publish", *map(str, args))
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1, result.output
    return result.output


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def _copy(source: Path, target: Path) -> Path:
    """A copy of a session (without its .lrc)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _retagged(source: Path, target: Path, *frames: Any, dropping: tuple[str, ...] = ()) -> Path:
    """A copy of ``source`` without its ``dropping`` ID3 frames, with ``frames`` added."""
    tags = ID3(_copy(source, target))
    for kind in dropping:
        tags.delall(kind)
    for frame in frames:
        tags.add(frame)
    tags.save(target)
    return target


def _feed(folder: Path) -> ET.Element:
    return ET.fromstring((folder / "feed.xml").read_bytes())


def _chapters(mp3: Path) -> list[tuple[int, str]]:
    """(start ms, title) of each CHAP frame, read with mutagen."""
    frames = sorted(ID3(mp3).getall("CHAP"), key=lambda frame: frame.start_time)
    return [(frame.start_time, frame.sub_frames["TIT2"].text[0]) for frame in frames]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


def _item(feed: ET.Element, audio_name: str) -> ET.Element:
    (item,) = [i for i in feed.iter("item") if i.find("enclosure").get("url").endswith(f"/{audio_name}")]
    return item


def _items(site: Path) -> set[tuple[str | None, ...]]:
    """guid, date, title and audio address of each item of the site's feed."""
    return {
        (
            item.findtext("guid"),
            item.findtext("pubDate"),
            item.findtext("title"),
            item.find("enclosure").get("url"),
        )
        for item in _feed(site).iter("item")
    }


def _lrc_lines(path: Path) -> list[tuple[int, str]]:
    return read_lrc(path.read_text(encoding="utf-8"))


# The feed as podcast apps read it


def test_feedparser_reads_the_feed_without_a_flaw(served: Site):
    feed = feedparser.parse((served.folder / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Face care & more"
    assert feed.feed.language == "en"
    assert feed.feed.image.href == f"{served.base_url}cover.png"
    assert feed.feed.author_detail.email == "me@example.org"  # itunes:owner
    assert [entry.title for entry in feed.entries] == [f"{HOSTILE_NAME} (1 min)", "Morning (1 min)"]
    for entry, session in zip(feed.entries, served.sessions, strict=True):
        (enclosure,) = entry.enclosures
        assert enclosure.href == served.base_url + session.name
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == session.stat().st_size


def test_the_feed_has_the_show_tags_apps_and_directories_read(served: Site):
    channel = _feed(served.folder).find("channel")
    feed_url = f"{served.base_url}feed.xml"
    assert channel.find("atom:link", NS).attrib == {
        "href": feed_url,
        "rel": "self",
        "type": "application/rss+xml",
    }
    assert channel.find("itunes:category", NS).get("text") == "Health & Fitness"
    assert channel.find("itunes:owner/itunes:email", NS).text == "me@example.org"
    assert channel.find("itunes:image", NS).get("href") == f"{served.base_url}cover.png"
    # podcast:guid: UUIDv5 of the feed's address without its scheme, in the podcast namespace.
    assert channel.find("podcast:guid", NS).text == show_guid(feed_url)
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "me@example.org")
    assert channel.find("podcast:block", NS) is None
    assert channel.find("itunes:block", NS) is None


def test_the_show_guid_is_the_podcasting_2_0_one():
    # The examples the Podcasting 2.0 guid tag gives.
    assert show_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert show_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_podcastparser_reads_each_episode_with_the_mp3s_chapters(served: Site):
    feed_url = f"{served.base_url}feed.xml"
    parsed = podcastparser.parse(feed_url, io.BytesIO((served.folder / "feed.xml").read_bytes()))
    episodes = {episode["enclosures"][0]["url"]: episode for episode in parsed["episodes"]}
    assert len(episodes) == 2
    for session in served.sessions:
        marks = _chapters(session)
        assert len(marks) >= 2
        chapters = episodes[served.base_url + session.name]["chapters"]
        # podcastparser keeps whole seconds; the feed's psc:chapter starts are exact to the ms.
        assert [(c["start"], c["title"]) for c in chapters] == [(ms // 1000, title) for ms, title in marks]
        inline = _item(_feed(served.folder), session.name).findall("psc:chapters/psc:chapter", NS)
        assert [(_npt_ms(c.get("start")), c.get("title")) for c in inline] == marks


def _npt_ms(text: str) -> int:
    hours, minutes, seconds = text.split(":")
    return (int(hours) * 3600 + int(minutes) * 60) * 1000 + round(float(seconds) * 1000)


def test_every_link_of_the_feed_and_page_resolves_on_a_static_server(served: Site):
    channel = _feed(served.folder).find("channel")
    urls = {channel.find("itunes:image", NS).get("href"), channel.find("image/url").text}
    for item in channel.iter("item"):
        urls.add(item.find("enclosure").get("url"))
        urls.add(item.find("podcast:chapters", NS).get("url"))
        urls |= {transcript.get("url") for transcript in item.findall("podcast:transcript", NS)}
        assert item.find("link").text.startswith(f"{served.base_url}#")
    assert len(urls) == 1 + 4 * 2  # the cover; audio, chapters, VTT and SRT of each session
    for url in urls:
        assert url.startswith(served.base_url)
        assert _fetch(url) == (served.folder / url.removeprefix(served.base_url)).read_bytes()
    page = _fetch(served.base_url).decode()
    links = set(re.findall(r'(?:src|href)="([^"#]+)"', page))
    assert links == {"cover.png", "feed-qr.svg", "feed.xml", "evening.mp3", "morning.mp3"}
    for link in links:
        _fetch(served.base_url + link)


def test_the_chapters_json_has_the_spec_version_and_a_chapter_per_step(served: Site):
    for session in served.sessions:
        item = _item(_feed(served.folder), session.name)
        linked = item.find("podcast:chapters", NS)
        assert linked.get("type") == "application/json+chapters"
        document = json.loads(_fetch(linked.get("url")))
        assert document["version"] == "1.2.0"
        steps = [(round(c["startTime"] * 1000), c["title"]) for c in document["chapters"]]
        assert steps == _chapters(session)


def test_the_transcripts_parse_and_match_the_lrc(served: Site):
    lrc = _lrc_lines(served.sessions[0].with_suffix(".lrc"))
    assert len(lrc) > 3
    item = _item(_feed(served.folder), "evening.mp3")
    transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
    assert set(transcripts) == {"text/vtt", "application/x-subrip"}
    assert {t.get("language") for t in transcripts.values()} == {"en"}
    for kind in ("vtt", "srt"):
        subtitles = pysubs2.SSAFile.from_string(
            (served.folder / f"evening.{kind}").read_text(encoding="utf-8")
        )
        assert len(subtitles) == len(lrc)
        for event, (lrc_ms, _) in zip(subtitles, lrc, strict=True):
            assert 0 <= event.start - lrc_ms < 10  # the .lrc shows hundredths
            assert event.end > event.start
    # WebVTT escapes what it would read as markup ("Cheeks <b>"); SubRip has no escapes to use.
    vtt = pysubs2.SSAFile.from_string((served.folder / "evening.vtt").read_text(encoding="utf-8"))
    assert [html.unescape(event.plaintext) for event in vtt] == [text for _, text in lrc]
    assert _lrc_lines(served.folder / "evening.lrc") == lrc


def test_the_page_in_chromium_loads_only_the_sites_files_and_shows_titles_as_text(served: Site, browser: Any):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    requested: list[str] = []
    dialogs: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.goto(served.base_url)
    page.wait_for_load_state("networkidle")
    headings = page.locator("article h2").all_inner_texts()
    assert headings == [f"{HOSTILE_NAME} (1 min)", "Morning (1 min)"]
    assert "Cheeks <b>" in page.locator("article").first.inner_text()
    assert page.locator("h1").inner_text() == "Face care & more"
    assert page.locator("img.qr").evaluate("image => image.naturalWidth") > 0
    assert page.locator("header img").evaluate("image => image.naturalWidth") > 0
    # Its styles apply under its Content-Security-Policy: the cards are drawn as cards.
    assert page.locator("article").first.evaluate("card => getComputedStyle(card).borderRadius") == "12px"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    # A listener presses play: the audio comes from the site too.
    # (Playwright's wait_for_function polls by eval, which the page's policy forbids: the audio's
    # own "timeupdate" event is awaited instead, bounded by the page's own timer.)
    played = page.locator("audio").first.evaluate(
        """audio => new Promise(resolve => {
            audio.addEventListener("timeupdate", () => audio.currentTime > 0 && resolve(true));
            setTimeout(() => resolve(false), 10000);
            audio.play();
        })"""
    )
    assert played
    assert any(url.endswith("/massage/evening.mp3") for url in requested)
    assert [url for url in requested if not url.startswith(served.base_url)] == []
    assert dialogs == []
    assert [text for text in console if "Content Security Policy" in text] == []
    page.close()


# Publishing again


def test_publishing_again_changes_nothing_and_one_more_session_adds_one_item(
    tmp_path: Path, rendered: dict[str, Path]
):
    site, base = tmp_path / "site", "https://example.org/massage"
    first = _publish(rendered["evening"], rendered["morning"], "--to", site, "--base-url", base)
    assert first.stderr.splitlines()[:2] == ["added evening", "added morning"]
    files = {path.name: path.read_bytes() for path in site.iterdir()}
    again = _publish(rendered["evening"], rendered["morning"], "--to", site)  # the address is kept
    assert "unchanged evening" in again.stderr
    assert again.stdout == "https://example.org/massage/feed.xml\n"
    assert {path.name: path.read_bytes() for path in site.iterdir()} == files

    items_before = _items(site)
    _publish(rendered["neck"], "--to", site)
    items = _items(site)
    assert len(items) == 3
    assert items_before < items  # the first two as they were: same guids, same dates
    assert (site / "neck.mp3").read_bytes() == rendered["neck"].read_bytes()


def test_a_re_rendered_session_replaces_its_item_with_a_new_guid(tmp_path: Path):
    routine = write_routine(tmp_path, GOOD)
    session = render(routine, tmp_path / "out" / "tiny.mp3")
    site = tmp_path / "site"
    _publish(session, "--to", site, "--base-url", "https://example.org/")
    (old_guid,) = [guid.text for guid in _feed(site).iter("guid")]
    render(write_routine(tmp_path, GOOD.replace("30s", "40s")), session)
    replaced = _publish(session, "--to", site)
    assert "replaced tiny" in replaced.stderr
    (item,) = _feed(site).iter("item")
    assert item.find("guid").text != old_guid
    assert (site / "tiny.mp3").read_bytes() == session.read_bytes()
    assert item.find("itunes:duration", NS).text == "40"


def test_prune_deletes_the_files_of_sessions_no_longer_listed_and_only_with_prune(
    tmp_path: Path, rendered: dict[str, Path]
):
    site = tmp_path / "site"
    _publish(rendered["evening"], rendered["morning"], "--to", site, "--base-url", "https://example.org/")
    (site / "CNAME").write_text("example.org\n")  # the host's own file: never ours to delete
    morning_files = sorted(path.name for path in site.glob("morning.*"))
    assert morning_files == [
        "morning.chapters.json",
        "morning.lrc",
        "morning.mp3",
        "morning.srt",
        "morning.vtt",
    ]

    _publish(rendered["evening"], "--to", site)
    assert len(list(_feed(site).iter("item"))) == 2
    assert sorted(path.name for path in site.glob("morning.*")) == morning_files

    pruned = _publish(rendered["evening"], "--to", site, "--prune")
    assert f"deleted {site / 'morning.mp3'}" in pruned.stderr
    assert list(site.glob("morning.*")) == []
    assert [item.find("title").text for item in _feed(site).iter("item")] == [f"{HOSTILE_NAME} (1 min)"]
    assert (site / "CNAME").read_text() == "example.org\n"
    assert (site / "evening.mp3").is_file()


@pytest.mark.parametrize(
    ("address", "why"),
    [("ftp://example.org/", ""), ("example.org/massage/", ""), ("javascript:alert(1)", ""), ("https://", ""),
     ("https://example.org/?a=1", ""), ("https://example.org:port/", ""), ("https://[x/", ""),
     ("https://exa mple.org/", "a space at character 12: percent-encode it"),
     ("https://example.org/\nx", "'\\n' at character 21"),
     ("https://me:secret@example.org/", "user:password@"), ("https://me@example.org/", "user:password@"),
     ("https://example.org:0/", "port 0"),
     ('https://example.org/"x', "'\"' at character 21"), ("https://example.org/'x", '"\'" at character 21'),
     ("https://example.org/<x>/", "'<' at character 21"), ("https://example.org/\x7f/", "'\\x7f'"),
     ("https://example.org/\u200b/", "'\\u200b' at character 21"),
     ("https://example.org/%zz/", '"%" at character 21 is not followed by two hex digits'),
     ("https://example.org/a%4", '"%" at character 22')],
)  # fmt: skip
def test_a_base_url_that_is_not_an_http_address_is_one_line(
    tmp_path: Path, rendered: dict[str, Path], address: str, why: str
):
    said = _refused(rendered["neck"], "--to", tmp_path / "site", "--base-url", address)
    assert "is not a web address" in said
    assert "; give the http:// or https:// address the folder will be served at" in said
    assert why in said
    assert not (tmp_path / "site").exists()


def test_a_base_url_too_long_for_its_qr_code_is_one_line(tmp_path: Path, rendered: dict[str, Path]):
    address = "https://example.org/" + "x" * 3000
    said = _refused(rendered["neck"], "--to", tmp_path / "site", "--base-url", address)
    assert "--base-url is 3,020 characters long; give an address of at most 1,000" in said
    assert not (tmp_path / "site").exists()
    _publish(rendered["neck"], "--to", tmp_path / "site", "--base-url", address[:1000])
    with pytest.raises(DeliveryError, match="too long for a QR code"):
        _qr_svg(address)


def test_the_first_publish_needs_a_base_url(tmp_path: Path, rendered: dict[str, Path]):
    result = run("publish", str(rendered["neck"]), "--to", str(tmp_path / "site"))
    assert result.exit_code == 2
    assert result.output == (
        "error: say where the folder will be served: --base-url https://example.org/massage/ (needed once)\n"
    )


@pytest.mark.parametrize("theirs", ["index.html", "notes.txt", ".git"])
def test_a_folder_holding_files_of_its_own_is_refused(tmp_path: Path, rendered: dict[str, Path], theirs: str):
    (tmp_path / theirs).write_text("mine")
    said = _refused(rendered["neck"], "--to", tmp_path, "--base-url", "https://example.org/")
    assert "holds files and was not made by voiceguide publish; choose an empty or new folder" in said
    assert sorted(path.name for path in tmp_path.iterdir()) == [theirs]
    assert (tmp_path / theirs).read_text() == "mine"


def test_an_empty_folder_is_published_into_and_a_first_publish_cut_short_can_be_retried(
    tmp_path: Path, rendered: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / ".DS_Store").write_bytes(b"\0")  # what a file manager leaves in an empty folder

    def no_space(source: Path, target: Path, **_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    with monkeypatch.context() as patch:
        patch.setattr(shutil, "copyfile", no_space)
        said = _refused(rendered["neck"], "--to", tmp_path, "--base-url", "https://example.org/")
        assert "No space left on device); free some space, or choose another --to" in said
    _publish(rendered["neck"], "--to", tmp_path)  # the address was kept from the first attempt
    assert (tmp_path / "neck.mp3").read_bytes() == rendered["neck"].read_bytes()


def test_noindex_asks_search_engines_and_directories_to_keep_out_until_index(
    tmp_path: Path, rendered: dict[str, Path]
):
    site = tmp_path / "site"

    def blocked() -> tuple[bool, str | None, str | None]:
        channel = _feed(site).find("channel")
        page = (site / "index.html").read_text(encoding="utf-8")
        return (
            '<meta name="robots" content="noindex">' in page,
            channel.findtext("podcast:block", namespaces=NS),
            channel.findtext("itunes:block", namespaces=NS),
        )

    _publish(rendered["neck"], "--to", site, "--base-url", "https://example.org/c/x7q2/", "--noindex")
    assert blocked() == (True, "yes", "Yes")
    assert feedparser.parse((site / "feed.xml").read_bytes()).bozo is False
    _publish(rendered["neck"], "--to", site)
    assert blocked() == (True, "yes", "Yes")  # kept: a later publish cannot expose a private site
    _publish(rendered["neck"], "--to", site, "--index")
    assert blocked() == (False, None, None)


def test_an_interrupted_publish_leaves_the_previous_site_as_it_was(
    tmp_path: Path, rendered: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    site = tmp_path / "site"
    _publish(rendered["evening"], "--to", site, "--base-url", "https://example.org/")
    before = {path.name: path.read_bytes() for path in site.iterdir()}

    def copy_half_then_fail(source: Path, target: Path, **_: object) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(shutil, "copyfile", copy_half_then_fail)
    result = run("publish", str(rendered["evening"]), str(rendered["morning"]), "--to", str(site))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "No space left on device" in result.output
    assert {path.name: path.read_bytes() for path in site.iterdir()} == before  # no half file either
    old_feed = feedparser.parse(before["feed.xml"])
    assert not old_feed.bozo
    assert [entry.title for entry in old_feed.entries] == [f"{HOSTILE_NAME} (1 min)"]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real audiobook (M4B), with its .lrc beside it."""
    folder = tmp_path_factory.mktemp("book")
    return render(write_routine(folder, EVENING), folder / "Évening Book.m4b")


def test_an_audiobooks_transcript_comes_from_the_lrc_beside_it(tmp_path: Path, book: Path):
    site = tmp_path / "site"
    _publish(book, "--to", site, "--base-url", "https://example.org/")
    item = _item(_feed(site), "evening-book.m4b")  # a name that is the same on every host
    assert item.find("enclosure").get("type") == "audio/mp4"
    lrc = _lrc_lines(book.with_suffix(".lrc"))
    vtt = pysubs2.SSAFile.from_string((site / "evening-book.vtt").read_text(encoding="utf-8"))
    assert [(event.start, html.unescape(event.plaintext)) for event in vtt] == lrc
    steps = [c.get("title") for c in item.findall("psc:chapters/psc:chapter", NS)]
    assert steps == ["Neck & jaw", "Cheeks <b>", "Forehead"]

    # Without its .lrc, a session has chapters but no transcript.
    alone = tmp_path / "alone" / "book.m4b"
    alone.parent.mkdir()
    shutil.copyfile(book, alone)
    _publish(alone, "--to", site)
    item = _item(_feed(site), "book.m4b")
    assert item.find("podcast:transcript", NS) is None
    assert item.find("podcast:chapters", NS) is not None
    assert sorted(path.name for path in site.glob("book.*")) == ["book.chapters.json", "book.m4b"]


def test_a_manifest_naming_files_outside_the_site_is_refused_before_anything_is_deleted(
    tmp_path: Path, rendered: dict[str, Path]
):
    site = tmp_path / "site"
    _publish(rendered["neck"], "--to", site, "--base-url", "https://example.org/")
    outside = tmp_path / "keep.txt"
    outside.write_text("mine")
    manifest = site / ".voiceguide-site.json"
    manifest.write_text(manifest.read_text().replace('"neck.mp3"', '"../keep.txt"'))
    result = run("publish", str(rendered["evening"]), "--to", str(site), "--prune")
    assert result.exit_code == 2
    assert "cannot read the site's manifest" in result.output
    assert result.output.count("\n") == 1
    assert outside.read_text() == "mine"
    assert (site / "neck.mp3").is_file()


# What a site is made of: names and extensions


@pytest.mark.parametrize("disguise", ["evil.html", "evil.svg", "evil.xhtml", "evil"])
def test_an_mp3_named_as_a_page_is_refused(tmp_path: Path, rendered: dict[str, Path], disguise: str):
    # mutagen finds an MP3 by its ID3 header whatever the name; a host serves evil.html as a page.
    disguised = _copy(rendered["neck"], tmp_path / "in" / disguise)
    said = _refused(disguised, "--to", tmp_path / "site", "--base-url", "https://example.org/")
    assert f"{disguised}: a session's file name ends in .mp3, .m4b, .m4a; give the file" in said
    assert not (tmp_path / "site").exists()


def test_the_audios_extension_in_the_site_says_what_the_file_holds(
    tmp_path: Path, rendered: dict[str, Path], book: Path
):
    site = tmp_path / "site"
    mp3_as_book = _copy(rendered["neck"], tmp_path / "in" / "Neck.M4B")
    book_as_mp3 = _copy(book, tmp_path / "in" / "book.mp3")
    book_as_m4a = _copy(book, tmp_path / "in" / "other.m4a")
    _publish(mp3_as_book, book_as_mp3, book_as_m4a, "--to", site, "--base-url", "https://example.org/")
    audio = {path.name for path in site.iterdir() if path.suffix in (".mp3", ".m4b", ".m4a")}
    assert audio == {"neck.mp3", "book.m4b", "other.m4a"}
    assert _item(_feed(site), "neck.mp3").find("enclosure").get("type") == "audio/mpeg"
    assert _item(_feed(site), "book.m4b").find("enclosure").get("type") == "audio/mp4"


@pytest.mark.parametrize(
    "file_name", ["index.mp3", "Feed.mp3", "cover.m4b", "feed-qr.mp3", ".voiceguide-site.mp3", "INDEX!.mp3"]
)
def test_a_session_named_as_a_site_file_is_refused(tmp_path: Path, rendered: dict[str, Path], file_name: str):
    session = _copy(rendered["neck"], tmp_path / "in" / file_name)
    said = _refused(session, "--to", tmp_path / "site", "--base-url", "https://example.org/")
    assert "is the name of one of the site's own files; rename it" in said
    assert not (tmp_path / "site").exists()


def test_names_without_a_latin_letter_differ_and_long_names_are_cut(
    tmp_path: Path, rendered: dict[str, Path]
):
    japanese = _copy(rendered["neck"], tmp_path / "in" / "顔のマッサージ.mp3")
    chinese = _copy(rendered["morning"], tmp_path / "in" / "面部按摩.mp3")
    long = _copy(rendered["evening"], tmp_path / "in" / f"{'Long ' * 40}.mp3")
    site = tmp_path / "site"
    _publish(japanese, chinese, long, "--to", site, "--base-url", "https://example.org/")
    names = {
        stem: "session-" + hashlib.sha256(stem.encode()).hexdigest()[:8]
        for stem in ("顔のマッサージ", "面部按摩")
    }
    assert (site / f"{names['顔のマッサージ']}.mp3").read_bytes() == japanese.read_bytes()
    assert (site / f"{names['面部按摩']}.mp3").read_bytes() == chinese.read_bytes()
    cut = ("long-" * 20).rstrip("-")[:100]
    assert (site / f"{cut}.mp3").read_bytes() == long.read_bytes()
    assert len(list(_feed(site).iter("item"))) == 3


@pytest.mark.parametrize(
    ("number", "advice"),
    [(errno.ENOSPC, "free some space"), (errno.ENAMETOOLONG, "the path is too long for this file system"),
     (errno.EISDIR, "a folder stands where the file goes; move it away"),
     (errno.EACCES, "choose a --to folder you may write to"), (errno.EIO, "choose another --to")],
)  # fmt: skip
def test_a_write_that_fails_says_why_and_what_to_do(
    tmp_path: Path, rendered: dict[str, Path], monkeypatch: pytest.MonkeyPatch, number: int, advice: str
):
    def failing(source: Path, target: Path, **_: object) -> None:
        raise OSError(number, os.strerror(number), str(target))

    monkeypatch.setattr(shutil, "copyfile", failing)
    said = _refused(rendered["neck"], "--to", tmp_path / "site", "--base-url", "https://example.org/")
    assert f"neck.mp3: cannot write ({os.strerror(number)}); {advice}" in said
    assert ("free some space" in said) == (number == errno.ENOSPC)


# The manifest: read as untrusted, and what a publish may delete


def _published_neck(tmp_path: Path, rendered: dict[str, Path]) -> Path:
    """A site holding the neck session, and a file of the host's own (CNAME)."""
    site = tmp_path / "site"
    _publish(rendered["neck"], "--to", site, "--base-url", "https://example.org/")
    (site / "CNAME").write_text("example.org\n")
    return site


@pytest.mark.parametrize(
    "edit",
    [{"files": ["neck.mp3", "CNAME"]}, {"files": ["index.html"]}, {"files": ["neck.mp3", "feed.xml"]},
     {"files": ["neck.mp3", "cover.png"]}, {"files": ["neck.html"]}, {"files": ["neck.mp3", "neck.srt\0"]},
     {"files": ["neck.mp3", "neck.vtt", "neck.vtt"]}, {"files": ["neck.mp3", "other.vtt"]},
     {"name": "index", "files": ["index.mp3"]}, {"name": "../neck"}, {"name": "Neck"}, {"name": "neck\0"},
     {"published_s": 1_000_000_000_000}, {"published_s": -1}, {"guid": "<guid/>"}],
    ids=lambda edit: json.dumps(edit),
)  # fmt: skip
def test_a_hand_edited_manifest_is_refused_before_anything_is_written_or_deleted(
    tmp_path: Path, rendered: dict[str, Path], edit: dict[str, Any]
):
    site = _published_neck(tmp_path, rendered)
    manifest = json.loads((site / ".voiceguide-site.json").read_text())
    manifest["sessions"][0].update(edit)
    (site / ".voiceguide-site.json").write_text(json.dumps(manifest))
    before = _files(site)
    said = _refused(rendered["evening"], "--to", site, "--prune")
    assert "cannot read the site's manifest (sessions.0" in said
    assert "move the folder away and publish afresh" in said
    assert "\0" not in said
    assert _files(site) == before


def test_prune_deletes_only_plain_files_and_never_the_sites_own(tmp_path: Path, rendered: dict[str, Path]):
    site = _published_neck(tmp_path, rendered)
    elsewhere = tmp_path / "elsewhere.vtt"
    elsewhere.write_text("WEBVTT\n")
    (site / "neck.vtt").unlink()
    (site / "neck.vtt").symlink_to(elsewhere)  # a link may lead anywhere: it is not ours
    (site / "neck.srt").unlink()
    (site / "neck.srt").mkdir()
    pruned = _publish(rendered["evening"], "--to", site, "--prune")
    assert f"deleted {site / 'neck.mp3'}" in pruned.stderr
    assert sorted(path.name for path in site.glob("neck.*")) == ["neck.srt", "neck.vtt"]
    assert (site / "neck.vtt").is_symlink()
    assert elsewhere.read_text() == "WEBVTT\n"
    assert delete_listed(site, ["index.html", "feed.xml", "cover.png", "evening.lrc"]) == ["evening.lrc"]
    assert {"index.html", "feed.xml", "cover.png", "CNAME"} <= set(_files(site))


def test_a_replaced_session_leaves_none_of_its_old_files(
    tmp_path: Path, rendered: dict[str, Path], book: Path
):
    site = _published_neck(tmp_path, rendered)
    unspoken = _retagged(rendered["neck"], tmp_path / "in" / "neck.mp3", dropping=("SYLT",))
    replaced = _publish(unspoken, "--to", site)  # no prune: the old files are ours all the same
    assert "replaced neck" in replaced.stderr
    for kind in ("vtt", "srt", "lrc"):
        assert f"deleted {site / f'neck.{kind}'}" in replaced.stderr
    assert sorted(path.name for path in site.glob("neck.*")) == ["neck.chapters.json", "neck.mp3"]
    assert _item(_feed(site), "neck.mp3").find("podcast:transcript", NS) is None

    _publish(_copy(book, tmp_path / "book" / "neck.m4b"), "--to", site)
    assert sorted(path.name for path in site.glob("neck.*")) == ["neck.chapters.json", "neck.m4b"]
    assert [item.find("enclosure").get("url") for item in _feed(site).iter("item")] == [
        "https://example.org/neck.m4b"
    ]
    assert (site / "CNAME").is_file()


# What a file's tags and the options may hold


def test_a_file_name_and_a_title_that_are_not_utf_8_are_published(tmp_path: Path, rendered: dict[str, Path]):
    # A file name's bytes that are not UTF-8 reach Python as lone surrogates, as an argument's do.
    untagged = _copy(rendered["neck"], tmp_path / "in" / os.fsdecode(b"caf\xe9 \xff.mp3"))
    ID3(untagged).delete()
    site = tmp_path / "site"
    _publish(untagged, "--to", site, "--base-url", "https://example.org/", "--title", "Soin\udce9 \udcff")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Soin? ?"
    assert json.loads((site / "caf.chapters.json").read_text(encoding="utf-8"))["title"] == "caf? ?"
    assert "<title>Soin? ?</title>" in (site / "index.html").read_text(encoding="utf-8")


def test_subtitles_and_lyrics_keep_their_shape_whatever_the_narration_says(
    tmp_path: Path, rendered: dict[str, Path]
):
    narration = [("Slide --> up", 1000), ("", 2000), ("Rest", 3000)]
    session = _retagged(rendered["neck"], tmp_path / "in" / "neck.mp3",
                        TIT2(encoding=3, text=["Neck [draft] ]x["]),
                        SYLT(encoding=3, lang="eng", format=2, type=1, text=narration),
                        dropping=("SYLT", "TIT2"))  # fmt: skip
    site = tmp_path / "site"
    _publish(session, "--to", site, "--base-url", "https://example.org/")
    srt = (site / "neck.srt").read_text(encoding="utf-8")
    subtitles = pysubs2.SSAFile.from_string(srt)
    assert [(event.start, event.plaintext) for event in subtitles] == [(1000, "Slide → up"), (3000, "Rest")]
    assert [line for line in srt.splitlines() if "-->" in line] == [
        "00:00:01,000 --> 00:00:02,000",
        "00:00:03,000 --> 00:00:30,000",
    ]
    lrc = (site / "neck.lrc").read_text(encoding="utf-8").splitlines()
    assert lrc[0] == "[ti:Neck (draft) )x(]"
    assert _lrc_lines(site / "neck.lrc")[0] == (1000, "Slide --> up")


def test_a_files_title_and_chapters_are_capped_on_the_page_and_in_the_feed(
    tmp_path: Path, rendered: dict[str, Path]
):
    chapters = [
        CHAP(
            element_id=f"c{n}", start_time=n * 50, end_time=n * 50 + 50, sub_frames=[TIT2(text=[f"Step {n}"])]
        )
        for n in range(600)
    ]
    session = _retagged(rendered["neck"], tmp_path / "in" / "neck.mp3",
                        TIT2(encoding=3, text=["Long " * 400]), *chapters,
                        dropping=("TIT2", "CHAP", "CTOC"))  # fmt: skip
    site = tmp_path / "site"
    _publish(session, "--to", site, "--base-url", "https://example.org/")
    item = _item(_feed(site), "neck.mp3")
    title = item.find("title").text
    assert len(title) == 500
    assert title.endswith("Long…")
    assert len(item.findall("psc:chapters/psc:chapter", NS)) == 500
    assert item.findall("psc:chapters/psc:chapter", NS)[-1].get("title") == "Step 499"
    assert len(json.loads((site / "neck.chapters.json").read_text())["chapters"]) == 500
    assert (site / "index.html").read_text(encoding="utf-8").count("<li>") == 500


def test_the_page_forbids_what_it_does_not_use(tmp_path: Path, rendered: dict[str, Path]):
    site = tmp_path / "site"
    _publish(rendered["neck"], "--to", site, "--base-url", "https://example.org/")
    page = (site / "index.html").read_text(encoding="utf-8")
    policy = (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
        "script-src 'none'; object-src 'none'; base-uri 'none'"
    )
    assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in page


@pytest.mark.parametrize(
    "category", ["Health & Fitness/Fitness/More", "Health & Fitness/", "/Fitness", " / ", "a//b"]
)
def test_a_category_that_is_not_one_or_a_subcategory_is_one_line(
    tmp_path: Path, rendered: dict[str, Path], category: str
):
    said = _refused(rendered["neck"], "--to", tmp_path / "site", "--base-url", "https://example.org/",
                    "--category", category)  # fmt: skip
    assert 'is not a category; give an Apple Podcasts category, or "Parent/Sub" for a subcategory' in said
    assert not (tmp_path / "site").exists()


def test_a_subcategory_is_nested_in_the_feed(tmp_path: Path, rendered: dict[str, Path]):
    site = tmp_path / "site"
    _publish(rendered["neck"], "--to", site, "--base-url", "https://example.org/",
             "--category", "Health & Fitness/Alternative Health")  # fmt: skip
    parent = _feed(site).find("channel/itunes:category", NS)
    assert parent.get("text") == "Health & Fitness"
    assert [child.get("text") for child in parent] == ["Alternative Health"]


def test_a_listed_session_gone_from_the_site_is_refused_before_anything_is_copied(
    tmp_path: Path, rendered: dict[str, Path]
):
    site = tmp_path / "site"
    _publish(rendered["evening"], "--to", site, "--base-url", "https://example.org/")
    (site / "evening.mp3").unlink()
    before = _files(site)
    assert "evening.mp3 is missing, though the site lists it" in _refused(rendered["morning"], "--to", site)
    assert _files(site) == before  # morning's audio was not copied in, unlisted, for no prune to find
