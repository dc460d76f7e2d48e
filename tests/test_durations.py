import pytest

from voiceguide.durations import format_clock, parse_seconds


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("90s", 90), ("1.5m", 90), ("1m30s", 90), ("2 min", 120), (45, 45), ("30", 30), ("1h", 3600)],
)
def test_durations_people_write_are_understood(written, seconds):
    assert parse_seconds(written) == seconds


@pytest.mark.parametrize("written", ["ninety", "1x", "m", "", "1m30", True])
def test_unreadable_durations_say_how_to_write_one(written):
    with pytest.raises(ValueError, match="duration"):
        parse_seconds(written)


def test_clock_shows_minutes_and_seconds():
    assert format_clock(0) == "0:00"
    assert format_clock(90_000) == "1:30"
    assert format_clock(3_600_000) == "60:00"
