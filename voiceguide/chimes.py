"""The sounds that mark time: which there are, and each brought to its loudness under the voice."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from voiceguide.assets import asset_path
from voiceguide.errors import VoiceguideError
from voiceguide.loudness import max_momentary_lufs
from voiceguide.sounds import float_frames, load_sound

# name: what it sounds like (for --help). Each is chime-NAME.wav, made by scripts/make_assets.py.
CHIME_SOUNDS = {
    "bell": "a soft bell",
    "bowl": "a singing bowl, low and long",
    "wood": "a wood block, short and dry",
}
DEFAULT_CHIME = "bell"
END_CHIME_ASSET = "chime-end.wav"
LEAD_IN_TONE_ASSET = "chime-lead-in.wav"
BELL_ASSET = "chime-bell.wav"
TICK_ASSET = "tick.wav"
# How loud a chime's strike is heard (its loudest 400 ms): clearly there, 4 LU under the voice.
CHIME_LUFS = -20.0
# The lead-in's tone and the bells inside steps only mark time: softer than a step's chime.
SOFT_LUFS = -26.0
# A stroke's tick is a click of a few tens of milliseconds: measured over 400 ms it reads low, so
# this level is heard about as loud as the soft bells, well under the voice.
TICK_LUFS = -32.0
# A chime is loudest at its strikes, all within its first two seconds; measuring only those
# keeps the measure quick (it runs at the start of every render).
STRIKES_WITHIN_S = 2
# Bells closer than this are a metronome, not a reminder of time passing.
SHORTEST_BELL_EVERY_MS = 5000
# A sound of the user's own rings at most this long (faded out), so it cannot cover a step.
LONGEST_CHIME_MS = 10_000


@dataclass(frozen=True)
class ChimeSound:
    path: Path
    duration_ms: int
    gain_db: float = 0.0
    """What brings the sound to the chimes' loudness."""


@dataclass(frozen=True)
class Chimes:
    """The sounds that mark time: at each step's start, the session's end, the lead-in's end, soft
    bells every ``bell_every_ms`` inside steps, and ticks on counted strokes. Any may be left out."""

    step: ChimeSound | None
    end: ChimeSound | None
    lead_in: ChimeSound | None = None
    bell: ChimeSound | None = None
    bell_every_ms: int = 0
    tick: ChimeSound | None = None
    """On each beat of counted strokes (when they are not counted aloud)."""


def load_chimes(
    step_chime: str | None, *, lead_in: bool = False, bell_every_ms: int = 0, tick: bool = False
) -> Chimes | None:
    """The chimes of a session: ``step_chime`` is a name from ``CHIME_SOUNDS``, the path of a
    sound file of the user's, or None for no step and end chimes; ``tick`` paces counted strokes."""
    if 0 < bell_every_ms < SHORTEST_BELL_EVERY_MS:
        raise VoiceguideError(f"--bell-every {bell_every_ms / 1000:g}s is too often; give 5s or more")
    if step_chime is None and not lead_in and not bell_every_ms and not tick:
        return None
    return Chimes(
        step=_step_chime(step_chime) if step_chime else None,
        end=_levelled(asset_path(END_CHIME_ASSET), CHIME_LUFS) if step_chime else None,
        lead_in=_levelled(asset_path(LEAD_IN_TONE_ASSET), SOFT_LUFS) if lead_in else None,
        bell=_levelled(asset_path(BELL_ASSET), SOFT_LUFS) if bell_every_ms else None,
        bell_every_ms=bell_every_ms,
        tick=_levelled(asset_path(TICK_ASSET), TICK_LUFS) if tick else None,
    )


def _step_chime(name_or_path: str) -> ChimeSound:
    if name_or_path in CHIME_SOUNDS:
        return _levelled(asset_path(f"chime-{name_or_path}.wav"), CHIME_LUFS)
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        names = ", ".join(CHIME_SOUNDS)
        raise VoiceguideError(f"--chime {name_or_path}: not a chime ({names}) nor a sound file that exists")
    return _levelled(path, CHIME_LUFS)


def _levelled(path: Path, lufs: float) -> ChimeSound:
    """The sound with the gain that brings its strike to ``lufs``."""
    sound = load_sound(path)
    strikes = float_frames(sound[: STRIKES_WITHIN_S * 1000])
    loudness = max_momentary_lufs(strikes, sound.frame_rate)
    if not math.isfinite(loudness):
        raise VoiceguideError(f"{path}: the sound is silent; choose another chime")
    return ChimeSound(path, min(len(sound), LONGEST_CHIME_MS), lufs - loudness)
