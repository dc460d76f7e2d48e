"""Loading routines: the built-ins are the guide's, and every kind of bad file is one clear error."""

from pathlib import Path

import pytest
from helpers import BAD_FILES, GOOD

from voiceguide.errors import RoutineError
from voiceguide.routine import slugify
from voiceguide.routines import builtin_names, load_routine

GUIDE_DAILY = [
    ("Prep", 60),
    ("Neck & décolletage", 60),
    ("Jawline & chin", 120),
    ("Cheeks & mouth area", 120),
    ("Eye area", 90),
    ("Forehead", 90),
    ("Final drainage", 60),
]


def test_daily_is_exactly_the_guides_routine():
    daily = load_routine("daily")
    assert [(s.title, s.duration) for s in daily.steps] == GUIDE_DAILY
    assert daily.total_seconds == 600
    assert daily.language == "en"


def test_at_least_four_builtins_and_all_load():
    names = builtin_names()
    assert {"daily", "quick", "morning-depuff", "jaw-release"} <= set(names)
    for name in names:
        routine = load_routine(name)
        assert routine.steps
        assert routine.minutes is None or abs(routine.minutes * 60 - routine.total_seconds) < 1


def test_prep_step_carries_the_safety_advice():
    prep = " ".join(load_routine("daily").steps[0].say).lower()
    for advice in [
        "oil",
        "gentle",
        "upward and outward",
        "neck",
        "acne",
        "rosacea",
        "eczema",
        "dermatologist",
    ]:
        assert advice in prep


def test_titles_become_ascii_slugs():
    assert slugify("Neck & décolletage") == "neck-decolletage"


def test_a_user_file_loads(tmp_path: Path):
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD)
    routine = load_routine(str(path))
    assert routine.steps[0].duration == 30
    assert routine.source == str(path)


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_routine_files_are_one_clear_error(tmp_path: Path, case: str):
    content, message = BAD_FILES[case]
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(RoutineError, match=message) as caught:
        load_routine(str(path))
    text = str(caught.value)
    assert text.startswith(str(path))
    assert "\n" not in text


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(RoutineError, match="no such routine file"):
        load_routine(str(tmp_path / "nope.yaml"))


def test_unknown_name_lists_the_builtins():
    with pytest.raises(RoutineError, match="daily"):
        load_routine("dailly")


def test_a_folder_is_not_a_routine(tmp_path: Path):
    with pytest.raises(RoutineError, match="folder"):
        load_routine(str(tmp_path) + "/")


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * 2_000_000)
    with pytest.raises(RoutineError, match="too large"):
        load_routine(str(path))
