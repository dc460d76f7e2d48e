"""The errors a user can act on: one base class, caught once by the CLI and printed as one line."""

from __future__ import annotations

# Exit status for anything the user gave us that we cannot use (click uses 2 for usage errors too).
EXIT_BAD_INPUT = 2


class VoiceguideError(Exception):
    """A failure the user can fix; its message says what, where, and what to do."""

    exit_code = EXIT_BAD_INPUT


class RoutineError(VoiceguideError):
    """A routine file that cannot be read, parsed or validated."""


class NarrationError(VoiceguideError):
    """A narration template that fails: undefined variable, bad syntax, forbidden access."""


class FittingError(VoiceguideError):
    """A routine that cannot be fitted to the asked length."""


class EngineError(VoiceguideError):
    """A speech engine that is missing, fails, or lacks the asked voice."""


class MissingToolError(VoiceguideError):
    """A system program (ffmpeg, espeak-ng) that is not installed."""


class DeliveryError(VoiceguideError):
    """A session that cannot be exported, pushed or shared (missing file, folder, adb, port)."""


class VoiceStoreError(VoiceguideError):
    """A voice that cannot be fetched, checked, installed or removed (network, catalogue, disk)."""
