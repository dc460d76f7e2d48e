"""The words of the craft said right: each language's pronunciation table, and the user's own.

The tables (``pronunciations/<language>.yaml``) map a word to what an engine is given in its
place: a respelling every engine gets, or an engine's own (its phonemes, where it reads them
inline). The routine's and the user's entries are respellings, and come first. They change the
audio only: the lyrics, chapters and cue sheet keep the word as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from voiceguide.pauses import split_pauses

Entries = tuple[tuple[str, str], ...]
"""(word, respelling) pairs, the word in lower case."""


@dataclass(frozen=True)
class Pronouncer:
    """Puts the table's spelling in place of each word it has, whole words only, any case."""

    respellings: Mapping[str, str]

    def say(self, words: str) -> str:
        """``words`` (no pause markup) as the engine is to be given them."""
        pattern = _pattern(tuple(self.respellings))
        if pattern is None:
            return words
        return pattern.sub(lambda found: self.respellings[found[0].lower()], words)

    def key_text(self, line: str) -> str:
        """A line with pause markup as it will be spoken: what a clip's cache key holds."""
        parts = split_pauses(line)
        return "|".join(self.say(part) if isinstance(part, str) else f"{part}ms" for part in parts)


def pronouncer(engine: str, language: str, own: Entries = ()) -> Pronouncer:
    """The pronunciations ``engine`` uses in ``language``: the table's, then ``own`` over them."""
    return Pronouncer({**_table(engine, language), **dict(own)})


@functools.cache
def _table(engine: str, language: str) -> dict[str, str]:
    """The language's table as ``engine`` reads it: its own entry where it has one."""
    path = resources.files("voiceguide") / "speech" / "pronunciations" / f"{language}.yaml"
    if not path.is_file():
        return {}
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    spellings = {}
    for word, entry in table.items():
        said = entry if isinstance(entry, str) else entry.get(engine, entry.get("say"))
        if said and said != word:
            spellings[str(word).lower()] = str(said)
    return spellings


@functools.lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first, so "orbicularis oculi" wins over "oculi"; letters on neither side.
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
