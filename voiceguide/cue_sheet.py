"""The cue sheet: a session's plan as a table to read before rendering (``voiceguide show``)."""

from __future__ import annotations

from voiceguide.durations import format_clock
from voiceguide.narration import Chapter, Cue, Script, Strokes
from voiceguide.narration.speech_time import cautious_speech_ms


def cue_sheet(script: Script, rate_wpm: int) -> str:
    """One row per cue: when, in which step, what kind, what is said; plus the rows that explain
    the plan (the lead-in, a step that grew to hold its strokes, the strokes themselves)."""
    lines = [f"{script.title}: {format_clock(script.total_ms)}, {len(script.chapters)} steps", ""]
    lines.append(_row("time", "step", "cue", "said"))
    if script.lead_in_ms:
        lines.append(
            _row(
                0, "Lead-in", "lead-in", f"(quiet for {script.lead_in_ms / 1000:g} s; a soft tone as it ends)"
            )
        )
    step_shown = -1
    for cue in script.cues:
        chapter = script.chapters[cue.step_index]
        if cue.step_index != step_shown and chapter.grown_from_ms is not None:
            lines.append(_row(chapter.start_ms, chapter.title, "length", _grown_text(chapter)))
        step_shown = cue.step_index
        lines.append(_row(cue.at_ms, chapter.title, cue.kind, cue.text))
        if cue.strokes:
            lines.append(
                _row(_first_beat_ms(cue, rate_wpm), chapter.title, "strokes", _strokes_text(cue.strokes))
            )
    return "\n".join(lines)


def _grown_text(chapter: Chapter) -> str:
    length = format_clock(chapter.end_ms - chapter.start_ms)
    share = format_clock(chapter.grown_from_ms or 0)
    return f"({length}: grown from its share of {share} to hold what it says)"


def _row(at: int | str, step: str, kind: str, said: str) -> str:
    time = format_clock(at) if isinstance(at, int) else at
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
