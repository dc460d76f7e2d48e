"""What is said, and when: a fitted plan turned into timed cues by sandboxed Jinja templates."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from voiceguide.errors import NarrationError
from voiceguide.fitting import Plan, PlannedStep

CueKind = Literal["opening", "move", "reminder", "transition", "closing"]

# The chime's attack rings first; the voice follows well within the 4 s a step promises.
CHIME_LEAD_MS = 1500
# Breathing room between two spoken cues.
CUE_GAP_MS = 800
# A quiet stretch longer than this gets a reminder in its middle (so stretches stay >= ~10 s).
REMINDER_SILENCE_MS = 25_000
# "Last few strokes" is said this long before a long step ends.
TRANSITION_BEFORE_END_MS = 9000
TRANSITION_MIN_STEP_MS = 90_000
# The closing words end this long before the file does.
CLOSING_TAIL_MS = 1500
# espeak-ng's pause at a sentence end, measured on its default voice.
SENTENCE_PAUSE_MS = 350


@dataclass(frozen=True)
class Cue:
    """Something said at ``at_ms`` on the session's axis, during step ``step_index``."""

    at_ms: int
    kind: CueKind
    text: str
    step_index: int

    @property
    def optional(self) -> bool:
        """Reminders may be dropped when real speech runs longer than planned; the rest may not."""
        return self.kind == "reminder"


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Script:
    """Everything that is said in a session, with its times, and the chapters it falls in."""

    title: str
    language: str
    total_ms: int
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]


def estimate_speech_ms(text: str, rate_wpm: int) -> int:
    """Roughly how long ``text`` takes to say: words at the rate, plus a pause per sentence."""
    words = len(text.split())
    sentences = max(1, sum(text.count(mark) for mark in ".!?;"))
    return round(words * 60_000 / rate_wpm) + sentences * SENTENCE_PAUSE_MS


def narrate(plan: Plan, rate_wpm: int, language: str | None = None) -> Script:
    """The cues of every step of ``plan``, planned with speech estimated at ``rate_wpm``."""
    language = language or plan.routine.language
    voice = _Narrator(plan, rate_wpm, _templates(language), _phrases(language))
    cues = [cue for planned in plan.steps for cue in voice.step_cues(planned)]
    chapters = tuple(Chapter(p.step.title, p.start_ms, p.end_ms) for p in plan.steps)
    return Script(plan.routine.name, language, plan.total_ms, chapters, tuple(cues))


@cache
def _templates(language: str) -> SandboxedEnvironment:
    folder = resources.files("voiceguide") / "templates" / language
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for p in (resources.files("voiceguide") / "templates").iterdir()))
        raise NarrationError(f'no narration for language "{language}"; available: {known}')
    return _sandbox(jinja2.FileSystemLoader(str(folder)))


def _sandbox(loader: jinja2.BaseLoader | None = None) -> SandboxedEnvironment:
    # The sandbox keeps a stranger's routine file from reaching Python internals; StrictUndefined
    # turns a misspelt variable into an error instead of silence.
    return SandboxedEnvironment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False)


@cache
def _phrases(language: str) -> Mapping[str, Any]:
    path = resources.files("voiceguide") / "templates" / language / "phrases.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class _Narrator:
    """Renders one routine's cues; keeps the rotation of reminders across steps."""

    def __init__(self, plan: Plan, rate_wpm: int, env: SandboxedEnvironment, phrases: Mapping[str, Any]):
        self.plan = plan
        self.rate_wpm = rate_wpm
        self.env = env
        self.phrases = phrases
        self.general_reminders = itertools.cycle(phrases["general"])

    def step_cues(self, planned: PlannedStep) -> list[Cue]:
        variables = self._variables(planned)
        opening = Cue(
            planned.start_ms + CHIME_LEAD_MS,
            "opening",
            self._render("opening.j2", variables),
            planned.index,
        )
        essential = [opening, *self._move_cues(planned, opening, variables)]
        ending = self._ending_cue(planned, variables)
        if ending:
            essential.append(ending)
        return self._with_reminders(essential, planned)

    def _move_cues(self, planned: PlannedStep, opening: Cue, variables: dict[str, Any]) -> Iterator[Cue]:
        moves = planned.step.moves
        if not moves:
            return
        first_ms = opening.at_ms + self._speech_ms(opening.text) + CUE_GAP_MS
        slot_ms = (planned.end_ms - self._ending_reserve_ms(planned) - first_ms) / len(moves)
        for number, move in enumerate(moves):
            text = self._render("move.j2", {**variables, "move": move, "move_number": number + 1})
            yield Cue(round(first_ms + number * slot_ms), "move", text, planned.index)

    def _ending_reserve_ms(self, planned: PlannedStep) -> int:
        if planned.index == len(self.plan.steps) - 1:
            return CLOSING_TAIL_MS + self._speech_ms(self._closing_text()) + CUE_GAP_MS
        if planned.duration_ms >= TRANSITION_MIN_STEP_MS:
            return TRANSITION_BEFORE_END_MS + CUE_GAP_MS
        return CUE_GAP_MS

    def _ending_cue(self, planned: PlannedStep, variables: dict[str, Any]) -> Cue | None:
        if planned.index == len(self.plan.steps) - 1:
            text = self._closing_text()
            at_ms = planned.end_ms - CLOSING_TAIL_MS - self._speech_ms(text)
            return Cue(at_ms, "closing", text, planned.index)
        if planned.duration_ms >= TRANSITION_MIN_STEP_MS:
            text = self._render("transition.j2", variables)
            return Cue(planned.end_ms - TRANSITION_BEFORE_END_MS, "transition", text, planned.index)
        return None

    def _closing_text(self) -> str:
        return self._render("closing.j2", {"routine_name": self.plan.routine.name})

    def _with_reminders(self, essential: list[Cue], planned: PlannedStep) -> list[Cue]:
        """Reminders spread evenly through every long silence between essential cues."""
        pool = self._reminder_pool(planned)
        cues: list[Cue] = []
        for current, following_ms in zip(
            essential, [c.at_ms for c in essential[1:]] + [planned.end_ms], strict=True
        ):
            cues.append(current)
            silence_start = current.at_ms + self._speech_ms(current.text)
            silence_ms = following_ms - silence_start
            count = silence_ms // REMINDER_SILENCE_MS
            for number in range(1, count + 1):
                at_ms = silence_start + number * silence_ms // (count + 1)
                text = self._render("reminder.j2", {"reminder": next(pool)})
                cues.append(Cue(at_ms, "reminder", text, planned.index))
        return cues

    def _reminder_pool(self, planned: PlannedStep) -> Iterator[str]:
        """Tips, then the muscles, then the technique's own reminders, then general ones, in turn."""
        step = planned.step
        own = list(step.tips)
        own += [self.phrases["muscles"][m] for m in step.muscles if m in self.phrases["muscles"]]
        if step.technique:
            own += self.phrases["techniques"][step.technique]["reminders"]
        yield from own
        while True:
            yield next(self.general_reminders)

    def _variables(self, planned: PlannedStep) -> dict[str, Any]:
        step = planned.step
        following = (
            self.plan.steps[planned.index + 1].step.title if planned.index + 1 < len(self.plan.steps) else ""
        )
        variables: dict[str, Any] = {
            "title": step.title,
            "seconds": round(planned.duration_ms / 1000),
            "minutes": round(planned.duration_ms / 60_000, 1),
            "step_number": planned.index + 1,
            "step_count": len(self.plan.steps),
            "area": step.area or "",
            "muscles": list(step.muscles),
            "routine_name": self.plan.routine.name,
            "next_title": following,
            "technique": self.phrases["techniques"].get(step.technique) if step.technique else None,
            "spoken_duration": self._spoken_duration,
        }
        variables["say"] = [
            self._render_author_line(planned, n, line, variables) for n, line in enumerate(step.say)
        ]
        return variables

    def _render(self, template_name: str, variables: Mapping[str, Any]) -> str:
        return _one_line(self.env.get_template(template_name).render(variables))

    def _render_author_line(
        self, planned: PlannedStep, number: int, line: str, variables: dict[str, Any]
    ) -> str:
        author_variables = {k: v for k, v in variables.items() if k not in {"technique", "spoken_duration"}}
        step = f'step {planned.index + 1} "{planned.step.title}"'
        where = f"{self.plan.routine.source}: {step}, say line {number + 1}"
        return _render_untrusted(line, author_variables, where)

    def _spoken_duration(self, seconds: float) -> str:
        words = self.phrases["spoken_duration"]
        minutes, rest = divmod(round(seconds), 60)
        if minutes == 0:
            return words["seconds"].format(s=rest)
        if rest == 0:
            return (words["minute"] if minutes == 1 else words["minutes"]).format(m=minutes)
        if rest == 30:
            return (words["one_and_half"] if minutes == 1 else words["half"]).format(m=minutes)
        return words["mixed"].format(m=minutes, s=rest)

    def _speech_ms(self, text: str) -> int:
        return estimate_speech_ms(text, self.rate_wpm)


_AUTHOR_ERRORS: dict[type[Exception], Callable[[Exception], str]] = {
    jinja2.UndefinedError: lambda e: (
        f"{e}; variables you can use: {{{{ title }}}}, {{{{ seconds }}}}, "
        "{{ minutes }}, {{ step_number }}, {{ step_count }}, {{ area }}, {{ muscles }}, "
        "{{ routine_name }}, {{ next_title }}"
    ),
    jinja2.exceptions.SecurityError: lambda e: f"not allowed in a narration line ({e})",
    jinja2.TemplateSyntaxError: lambda e: f"template syntax error: {e.message}",  # type: ignore[attr-defined]
}


def _render_untrusted(line: str, variables: Mapping[str, Any], where: str) -> str:
    """An author's ``say`` line rendered in a fresh sandbox, errors naming file, step and line."""
    try:
        return _one_line(_sandbox().from_string(line).render(variables))
    except tuple(_AUTHOR_ERRORS) as error:
        describe = next(f for kind, f in _AUTHOR_ERRORS.items() if isinstance(error, kind))
        raise NarrationError(f"{where}: {describe(error)}") from None
    except (TypeError, ValueError, ArithmeticError, jinja2.TemplateError) as error:
        raise NarrationError(f"{where}: the line failed to render ({error})") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())
