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


@cache
def _templates(language: str) -> SandboxedEnvironment:
    root = resources.files("voiceguide") / "templates"
    if not (root / language).is_dir():
        known = ", ".join(sorted(p.name for p in root.iterdir() if p.is_dir()))
        raise NarrationError(f'no narration for language "{language}"; available: {known}')
    return _sandbox(jinja2.FileSystemLoader(str(root / language)))


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
