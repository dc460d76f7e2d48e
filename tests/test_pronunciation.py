"""The words of the craft: the language's table, the routine's and the user's own entries, for the
audio only."""

from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from hearing import closest_distance, decoded_for_recogniser, transcribe
from helpers import FAKE, FakeEngine, render, run, speak, write_routine

from voiceguide.narration import PACES
from voiceguide.routines import user_pronunciations_file
from voiceguide.speech import ClipCache, get_engine
from voiceguide.speech.pronunciation import pronouncer

ROUTINE = """\
name: Words
pronunciations:
  Masseter: mass-EE-ter
  gua sha: gwah shah
steps:
  - title: Jaw
    duration: 40s
    moves:
      - Find the masseter and press. [pause 1s] The MASSETER again.
      - Glide the gua sha stone, then rest.
"""


def test_a_table_entry_changes_the_audio_and_never_the_lyrics(tmp_path: Path):
    FakeEngine.calls.clear()
    session = render(write_routine(tmp_path, ROUTINE), tmp_path / "words.mp3")
    spoken = " ".join(FakeEngine.calls)
    assert "Find the mass-EE-ter and press." in FakeEngine.calls  # each part of a paused line
    assert "The mass-EE-ter again." in FakeEngine.calls  # whatever the case written
    assert "Glide the gwah shah stone, then rest." in FakeEngine.calls
    assert "masseter" not in spoken.lower()
    lyrics = session.with_suffix(".lrc").read_text(encoding="utf-8")
    assert "Find the masseter and press." in lyrics
    assert "gua sha" in lyrics
    assert "gwah" not in lyrics


def test_whole_words_only_and_the_longest_entry_first():
    words = pronouncer("fake", "en", (("oculi", "OK-you-lie"), ("orbicularis oculi", "or-BICK-you-LAIR-iss")))
    assert words.say("The orbicularis oculi, then oculi.") == "The or-BICK-you-LAIR-iss, then OK-you-lie."
    assert words.say("Binoculis and oculist.") == "Binoculis and oculist."


def test_the_users_own_file_applies_to_every_routine_and_a_routine_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # every clip spoken anew
    user_file = user_pronunciations_file()
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text(yaml.safe_dump({"pronunciations": {"stone": "stohn", "masseter": "MASS-uh-ter"}}))
    try:
        FakeEngine.calls.clear()
        render(write_routine(tmp_path, ROUTINE), tmp_path / "words.mp3")
    finally:
        user_file.unlink()
    assert "Glide the gwah shah stohn, then rest." in FakeEngine.calls
    assert "Find the mass-EE-ter and press." in FakeEngine.calls  # the routine's entry wins


def test_a_changed_entry_makes_its_clips_again_and_only_those(tmp_path: Path):
    cache = ClipCache(tmp_path)
    said, other = "Find the masseter.", "Press gently."
    before = FAKE
    after = FAKE.__class__(**{**FAKE.__dict__, "pronunciations": (("masseter", "mass-EE-ter"),)})
    assert cache.path_for(said, before) != cache.path_for(said, after)
    assert cache.path_for(other, before) == cache.path_for(other, after)
    assert speak([said, other], after, tmp_path).synthesized == 2


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("  masseter: '[[m@s''i:t3]]'", "may hold only letters"),
        ("  masseter: 'mass [pause 9s] eter'", "may hold only letters"),
        ("  mass3ter: massy", "is not a word to pronounce"),
    ],
)
def test_an_entry_that_is_not_plain_words_is_refused_with_its_place(tmp_path: Path, entry: str, problem: str):
    """Markup in a respelling would reach the engines (espeak-ng reads [[...]] as phonemes)."""
    routine = write_routine(tmp_path, ROUTINE.replace("  Masseter: mass-EE-ter", entry))
    result = run("show", str(routine))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {routine}, line ")
    assert problem in result.stderr


def test_a_broken_user_file_says_where(tmp_path: Path):
    user_file = user_pronunciations_file()
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text("pronunciations:\n  masseter: [nested, list]\n")
    try:
        result = run("render", str(write_routine(tmp_path, ROUTINE)), "-o", str(tmp_path / "x.mp3"),
                     "--engine", "fake")  # fmt: skip
    finally:
        user_file.unlink()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {user_file}, line 2")
    assert not (tmp_path / "x.mp3").exists()


# Short sentences around each word, as the narration says them. A natural voice's few runs vary
# (Piper draws fresh noise each time), so what is heard is averaged over sentences and runs.
CARRIERS = ("The next word is {}.", "Now use {} on your neck.", "We call this {}, and it helps.")
RUNS = {"pyttsx3": 1, "hibari": 1, "piper": 2}


def _table_entries() -> list[tuple[str, str]]:
    table = yaml.safe_load((files("voiceguide") / "speech" / "pronunciations" / "en.yaml").read_text("utf-8"))
    return [(word, engine) for word, entry in table.items() for engine in entry]


def _heard_distance(word: str, sentences: list[str], engine: str, tmp_path: Path) -> float:
    """How far, on average, what the recogniser hears of each sentence is from ``word``."""
    voice = get_engine(engine)
    voice_id = voice.resolve_voice(None, "en").id
    distances = []
    for number, sentence in enumerate(sentences * RUNS[engine]):
        spoken = tmp_path / f"{engine}-{number}.wav"
        voice.synthesize(sentence, spoken, voice_id, PACES["normal"].rate_wpm)
        distances.append(closest_distance(word, transcribe(decoded_for_recogniser(spoken))))
    return sum(distances) / len(distances)


@pytest.mark.slow
@pytest.mark.parametrize(("word", "engine"), _table_entries())
def test_each_entry_is_heard_closer_to_the_word_than_the_word_itself(word: str, engine: str, tmp_path: Path):
    """A recogniser does not spell rare words even when said right; it hears them closer."""
    said = pronouncer(engine, "en").say(word)
    plain = _heard_distance(word, [carrier.format(word) for carrier in CARRIERS], engine, tmp_path)
    respelled = _heard_distance(word, [carrier.format(said) for carrier in CARRIERS], engine, tmp_path)
    assert respelled < plain, (said, respelled, plain)


def test_a_user_file_that_is_no_mapping_says_what_a_pronunciation_file_is(tmp_path: Path):
    user_file = user_pronunciations_file()
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text("- masseter\n")
    try:
        result = run("render", str(write_routine(tmp_path, ROUTINE)), "-o", str(tmp_path / "x.mp3"),
                     "--engine", "fake")  # fmt: skip
    finally:
        user_file.unlink()
    assert result.exit_code == 2
    assert (
        result.stderr == f"error: {user_file}: the file holds a list, but a pronunciation file is a "
        "mapping with pronunciations:\n"
    )
