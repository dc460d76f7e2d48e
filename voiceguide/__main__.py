"""``python -m voiceguide`` and the ``voiceguide`` command both start here.

The command line is imported inside ``main``, not at the top: speech worker processes are started
with "spawn", which re-imports the script that launched the parent. Importing only this small
module keeps each worker from loading the whole CLI (about 0.2 s per worker, on the critical path
of a render's first clips).
"""

import atexit
import gc


def main() -> None:
    # Registered first, so it runs after every other exit handler: the files are written and
    # closed by then. Python's last garbage collection then skips the objects the command made,
    # leaving them to the kernel, which saves about 0.05 s of every command. Objects alive at exit
    # may go without their finalizers, which Python never promised to run at exit anyway.
    atexit.register(gc.freeze)
    from voiceguide.cli import main as run_command_line

    run_command_line()


if __name__ == "__main__":
    main()
