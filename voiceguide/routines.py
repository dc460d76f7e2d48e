"""Finding routines: by name among the user's own and the built-in ones, or as a file by path."""

from __future__ import annotations

import os
import stat
from importlib import resources
from pathlib import Path

import platformdirs

from voiceguide.errors import RoutineError
from voiceguide.routine import Routine, parse_pronunciations, parse_routine

# Routine files are a few kilobytes; refusing big ones keeps a stray binary from being parsed.
MAX_FILE_BYTES = 1_000_000


def load_routine_file(path: Path) -> Routine:
    return parse_routine(read_routine_bytes(path), str(path))


def read_routine_bytes(path: Path) -> bytes:
    """The file's bytes, read only if it is a regular file and at most its size cap plus one byte
    (a FIFO or /dev/zero named as a routine must neither hang nor fill memory)."""
    try:
        # Non-blocking: opening a FIFO with no writer would otherwise wait for one.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise RoutineError(f"{path}: no such routine file") from None
    except IsADirectoryError:
        raise RoutineError(f"{path}: is a folder, not a routine file") from None
    except OSError as error:
        raise RoutineError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            raise RoutineError(f"{path}: is a folder, not a routine file")
        if not stat.S_ISREG(mode):
            raise RoutineError(f"{path}: not a regular file; give the path of a .yaml routine file")
        text = os.read(handle, MAX_FILE_BYTES + 1)
    except OSError as error:
        raise RoutineError(f"{path}: cannot read it ({error.strerror})") from None
    finally:
        os.close(handle)
    if len(text) > MAX_FILE_BYTES:
        raise RoutineError(f"{path}: too large for a routine file (1 MB max)")
    return text


def builtin_names() -> list[str]:
    """The names of the routines that ship with voiceguide, sorted."""
    folder = resources.files("voiceguide") / "routines"
    return sorted(item.name.removesuffix(".yaml") for item in folder.iterdir() if item.name.endswith(".yaml"))


def user_routines_dir() -> Path:
    """Where a user's own routines live to be found by name (``~/.config/voiceguide/routines``)."""
    return Path(platformdirs.user_config_dir("voiceguide")) / "routines"


def user_pronunciations_file() -> Path:
    """The user's own pronunciations, for every routine (``~/.config/voiceguide/pronunciations.yaml``)."""
    return Path(platformdirs.user_config_dir("voiceguide")) / "pronunciations.yaml"


def user_pronunciations() -> dict[str, str]:
    """The user's pronunciation entries; none when there is no such file."""
    path = user_pronunciations_file()
    return parse_pronunciations(read_routine_bytes(path), str(path)) if path.exists() else {}


def user_routine_names() -> list[str]:
    folder = user_routines_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_builtin(name: str, language: str | None = None) -> Routine:
    """A built-in routine, in ``language`` when it has been written in it (``routines/fr/``)."""
    folder = resources.files("voiceguide") / "routines"
    translated = folder / (language or "") / f"{name}.yaml"
    if language and translated.is_file():
        return parse_routine(translated.read_bytes(), f"built-in routine {language}/{name}")
    return parse_routine((folder / f"{name}.yaml").read_bytes(), f"built-in routine {name}")


def load_routine(name_or_path: str, language: str | None = None) -> Routine:
    """A routine by name (the user's own first, then the built-ins, in ``language`` if written in
    it), or a routine file by path."""
    if name_or_path in user_routine_names():
        return load_routine_file(user_routines_dir() / f"{name_or_path}.yaml")
    if name_or_path in builtin_names():
        return load_builtin(name_or_path, language)
    path = Path(name_or_path).expanduser()
    if path.exists() or path.suffix in {".yaml", ".yml"} or "/" in name_or_path:
        return load_routine_file(path)
    known = ", ".join(sorted({*builtin_names(), *user_routine_names()}))
    raise RoutineError(
        f'"{name_or_path}" is neither a routine name ({known}) nor a routine file; '
        "give a name from `voiceguide list` or a path to a .yaml file"
    )
