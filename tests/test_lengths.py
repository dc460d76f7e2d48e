"""Real renders at other lengths last exactly what was asked, with chapters where the plan put them."""

from pathlib import Path

import pytest
from helpers import MP3_FRAME_MS, decoded_ms, ffprobe, plan, render, run
from mutagen.id3 import ID3

from voiceguide.fitting import FitRequest
from voiceguide.routines import load_routine


@pytest.mark.slow
# 6 minutes: near the shortest daily takes at the calm pace (5.4).
@pytest.mark.parametrize("minutes", [6, 20, 60])
def test_daily_at_other_lengths_lasts_exactly_that_long(tmp_path: Path, minutes: int):
    out = render("daily", tmp_path / f"daily-{minutes}.mp3", "--minutes", str(minutes))
    assert abs(decoded_ms(out) - minutes * 60_000) < MP3_FRAME_MS
    planned = plan(load_routine("daily"), fit=FitRequest(minutes=minutes)).chapters
    chapters = sorted(ffprobe(out, "-show_chapters")["chapters"], key=lambda c: c["start"])
    assert [(c["start"], c["end"], c["tags"]["title"]) for c in chapters] == [
        (p.start_ms, p.end_ms, p.title) for p in planned
    ]
    if minutes != 6:  # at 6 minutes Prep and the last steps hold their minimum
        assert [c["start"] for c in chapters] == [
            s * minutes // 10 for s in (0, 60_000, 120_000, 240_000, 360_000, 450_000, 540_000)
        ]
    assert ID3(out)["TIT2"].text == [f"Daily facial massage ({minutes} min)"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["daily", "quick", "morning-depuff", "jaw-release"])
def test_the_shortest_length_named_in_the_refusal_really_renders(tmp_path: Path, name: str):
    refused = run("show", name, "--minutes", "0.5")
    assert refused.exit_code == 2
    shortest = float(refused.stderr.split("use --minutes ")[1].split()[0])
    out = render(name, tmp_path / f"{name}.mp3", "--minutes", str(shortest), engine="auto")
    assert abs(decoded_ms(out) - shortest * 60_000) < MP3_FRAME_MS
