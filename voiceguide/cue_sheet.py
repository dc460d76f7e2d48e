"""The cue sheet: a session's plan to read before rendering, as rows (for the studio's page) and as
a table (``voiceguide show``): when each step starts, and what is said when."""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.durations import format_clock
from voiceguide.narration import Chapter, Cue, Script, Strokes
from voiceguide.narration.speech_time import cautious_speech_ms


@dataclass(frozen=True)
class CueRow:
    at_ms: int
    step: str
    kind: str
    """A cue's kind (``opening``, ``move``, ...), or ``chime`` (a step starts), ``lead-in``,
    ``length`` (a step grown to hold its strokes), ``strokes``."""
    said: str

    @property
    def time(self) -> str:
        return format_clock(self.at_ms)


def cue_rows(script: Script, rate_wpm: int) -> list[CueRow]:
    """One row per cue, after a row for each step's start (its chime); plus the rows that explain
    the plan: the lead-in, a step that grew to hold its strokes, the strokes themselves."""
    rows = []
    if script.lead_in_ms:
        quiet = f"(quiet for {script.lead_in_ms / 1000:g} s; a soft tone as it ends)"
        rows.append(CueRow(0, "Lead-in", "lead-in", quiet))
    for index, chapter in enumerate(script.chapters):
        rows.append(CueRow(chapter.start_ms, chapter.title, "chime", ""))
        if chapter.grown_from_ms is not None:
            rows.append(CueRow(chapter.start_ms, chapter.title, "length", _grown_text(chapter)))
        for cue in (cue for cue in script.cues if cue.step_index == index):
            rows.append(CueRow(cue.at_ms, chapter.title, cue.kind, cue.text))
            if cue.strokes:
                beat_ms = _first_beat_ms(cue, rate_wpm)
                rows.append(CueRow(beat_ms, chapter.title, "strokes", _strokes_text(cue.strokes)))
    return rows


def cue_sheet(script: Script, rate_wpm: int) -> str:
    """The rows as a table to read in a terminal."""
    lines = [f"{script.title}: {format_clock(script.total_ms)}, {len(script.chapters)} steps", ""]
    lines.append(_line("time", "step", "cue", "said"))
    lines += [_line(row.time, row.step, row.kind, row.said) for row in cue_rows(script, rate_wpm)]
    return "\n".join(line.rstrip() for line in lines)


def _grown_text(chapter: Chapter) -> str:
    length = format_clock(chapter.end_ms - chapter.start_ms)
    share = format_clock(chapter.grown_from_ms or 0)
    return f"({length}: grown from its share of {share} to hold what it says)"


def _line(time: str, step: str, kind: str, said: str) -> str:
    return f"{time:>6}  {step[:22]:<22}  {kind:<10}  {said}"


def _first_beat_ms(cue: Cue, rate_wpm: int) -> int:
    # Where the plan expects it; in the file the beats follow the real end of the words.
    assert cue.strokes is not None
    return cue.strokes.beats_ms(cue.at_ms + cautious_speech_ms(cue.text, rate_wpm))[0]


def _strokes_text(strokes: Strokes) -> str:
    count = f"{strokes.count} stroke" + ("" if strokes.count == 1 else "s")
    if strokes.count < strokes.written:
        count += f" of the {strokes.written} written (shortened to fit)"
    paced = "counted aloud" if strokes.counts else "a tick on each"
    return f"({count}, one every {strokes.tempo_ms / 1000:g} s, {paced})"
