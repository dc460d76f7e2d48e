"""Loading routines: the built-ins are the guide's, and every kind of bad file is one clear error."""

from pathlib import Path

import pytest

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

GOOD = "name: Tiny\nsteps:\n  - title: Neck\n    duration: 30s\n"


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


BAD_FILES = {
    "yaml syntax": (b"name: Tiny\nsteps: [\n", r"line \d+"),
    "misspelt field": (
        b"name: Tiny\nsteps:\n  - title: Neck\n    duraton: 30s\n",
        r'line 4: step 1 "Neck": unknown field "duraton" \(did you mean "duration"\?',
    ),
    "missing field": (
        b"name: Tiny\nsteps:\n  - title: Neck\n",
        r'line 3: step 1 "Neck": missing field "duration"',
    ),
    "wrong type": (b"name: Tiny\nsteps:\n  - title: [a, b]\n    duration: 30s\n", r'line 3: .*field "title"'),
    "empty file": (b"", r"empty"),
    "only a comment": (b"# nothing\n", r"empty"),
    "a list": (b"- title: Neck\n  duration: 30s\n", r"holds a list.*mapping"),
    "a scalar": (b"just words\n", r"holds a text.*mapping"),
    "not utf-8": ("name: Détente\n".encode("latin-1"), r"not UTF-8 text \(byte 0xe9"),
    "binary": (bytes(range(256)) * 4, r"not UTF-8|not valid|special characters|line"),
    "zero duration": (
        GOOD.replace("30s", "0s").encode(),
        r'line 4: step 1 "Neck": field "duration".*positive',
    ),
    "negative duration": (
        GOOD.replace("30s", "-30s").encode(),
        r'field "duration": "-30s" is not a duration',
    ),
    "absurd duration": (GOOD.replace("30s", "999h").encode(), r"3 hour limit"),
    "unreadable duration": (GOOD.replace("30s", "a while").encode(), r'"a while" is not a duration'),
    "infinite duration": (GOOD.replace("30s", ".inf").encode(), r"positive"),
    "no steps": (b"name: Tiny\nsteps: []\n", r"at least one step"),
    "steps missing": (b"name: Tiny\n", r'missing field "steps"'),
    "unknown technique": (
        GOOD.replace("30s", "30s\n    technique: shiatsu").encode(),
        r'line 5: step 1 "Neck": field "technique"',
    ),
    "python tag": (b"name: !!python/object/apply:os.system ['echo pwned']\nsteps: []\n", r"!!python"),
    "duplicate key": (b"name: A\nname: B\nsteps: []\n", r'line 2: key "name" appears twice'),
    "alias bomb": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        r"line 2: YAML aliases",
    ),
    "session too long": (
        b"name: Long\nsteps:\n" + b"  - title: Part\n    duration: 2h\n" * 2,
        r"3 hour limit",
    ),
}


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
