"""``python -m voiceguide`` and the ``voiceguide`` command both start here.

The command line is imported inside ``main``, not at the top: speech worker processes are started
with "spawn", which re-imports the script that launched the parent. Importing only this small
module keeps each worker from loading the whole CLI (about 0.2 s per worker, on the critical path
of a render's first clips).
"""


def main() -> None:
    from voiceguide.cli import main as run_command_line

    run_command_line()


if __name__ == "__main__":
    main()
