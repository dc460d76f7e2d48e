"""The words: sandboxed Jinja templates and phrase tables, one set per language."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from voiceguide.errors import NarrationError


class Wording:
    """What is said in one language: each cue kind is a template under templates/<language>/."""

    def __init__(self, language: str):
        self.language = language
        self.env = _templates(language)
        self.phrases = _phrases(language)

    def render(self, kind: str, variables: Mapping[str, Any]) -> str:
        """The text of a cue of ``kind`` (``opening``, ``move``, ...) from its template."""
        template = self.env.get_template(f"{kind}.j2")
        return one_line(template.render({**variables, "spoken_duration": self.spoken_duration}))

    def technique(self, name: str | None) -> Mapping[str, Any] | None:
        techniques: Mapping[str, Mapping[str, Any]] = self.phrases["techniques"]
        return techniques.get(name) if name else None

    def muscle(self, name: str) -> str | None:
        muscles: Mapping[str, str] = self.phrases["muscles"]
        return muscles.get(name)

    def general_reminders(self) -> list[str]:
        return list(self.phrases["general"])

    def returning(self, kind: str, round_number: int, side: str = "", where: str = "", move: str = "") -> str:
        """A return to a step's moves in a long step, worded for ``round_number`` (2 and on):
        ``kind`` is ``first_move``, ``move`` or ``side``; ``move`` as written, to follow a colon."""
        wordings: list[str] = self.phrases["returns"][kind]
        wording = wordings[(round_number - 2) % len(wordings)]
        return wording.format(side=side, where=where, move=self._following(move))

    def return_rounds(self) -> int:
        """How many rounds a step's moves may take: as many returns as there are wordings."""
        returns = self.phrases["returns"]
        return 1 + min(len(returns[kind]) for kind in ("first_move", "move", "side"))

    def _following(self, sentence: str) -> str:
        """A move's sentence put after "Again, ...": the words that only ordered it in the first
        round ("Now", "maintenant") go, and its first letter is small unless its first word is
        in capitals."""
        dropped = self.phrases["returns"]["dropped_words"]
        kept = [word for word in sentence.split(" ") if word.strip(",").lower() not in dropped]
        sentence = " ".join(kept) if kept else sentence
        first = sentence.split(" ", 1)[0]
        return sentence if first.isupper() else sentence[:1].lower() + sentence[1:]

    def spoken_duration(self, seconds: float) -> str:
        """A length as said aloud, rounded as people say it: to 5 s, or to half minutes past one."""
        words: Mapping[str, str] = self.phrases["spoken_duration"]
        step = 30 if seconds >= 75 else 5
        minutes, rest = divmod(max(step, round(seconds / step) * step), 60)
        if minutes == 0:
            return words["seconds"].format(s=rest)
        if rest == 0:
            return (words["minute"] if minutes == 1 else words["minutes"]).format(m=minutes)
        if rest == 30:
            return (words["one_and_half"] if minutes == 1 else words["half"]).format(m=minutes)
        return words["one_and_seconds" if minutes == 1 else "mixed"].format(m=minutes, s=rest)


def narrated_languages() -> list[str]:
    """The languages voiceguide narrates: one folder of templates each."""
    root = resources.files("voiceguide") / "templates"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


@cache
def _templates(language: str) -> SandboxedEnvironment:
    if language not in narrated_languages():
        known = ", ".join(narrated_languages())
        raise NarrationError(f'no narration for language "{language}"; available: {known}')
    return _sandbox(jinja2.FileSystemLoader(str(resources.files("voiceguide") / "templates" / language)))


@cache
def _phrases(language: str) -> Mapping[str, Any]:
    path = resources.files("voiceguide") / "templates" / language / "phrases.yaml"
    phrases: Mapping[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return phrases


def _sandbox(loader: jinja2.BaseLoader | None = None) -> SandboxedEnvironment:
    # The sandbox keeps a stranger's routine file from reaching Python internals; StrictUndefined
    # turns a misspelt variable into an error instead of silence.
    return SandboxedEnvironment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False)


def one_line(text: str) -> str:
    return " ".join(text.split())
