"""``voiceguide cache``: where spoken clips and decoded music are kept, how much room they take,
and clearing them."""

from __future__ import annotations

import click

from voiceguide.caches import DEFAULT_CAP_BYTES, cache_usage, clear
from voiceguide.files import user_cache_dir


@click.command()
@click.option("--clear", "clear_all", is_flag=True,
              help="Delete every cached clip and decoded track (they are made again as needed).")  # fmt: skip
def cache(clear_all: bool) -> None:
    """Show the caches (spoken clips, decoded music): where they are and how big.

    They are kept under 1 GB, the least recently used going first; a render running now keeps
    what it uses. --clear empties them.

    \b
    Examples:
      voiceguide cache
      voiceguide cache --clear
    """
    root = user_cache_dir()
    if clear_all:
        freed = clear(root)
        click.echo(f"cleared {_size(freed)}", err=True)
    for folder in cache_usage(root):
        click.echo(
            f"{folder.name:<6} {_size(folder.size_bytes):>9}  {folder.entries:>6} entries  {folder.path}"
        )
    click.echo(f"kept under {_size(DEFAULT_CAP_BYTES)}, the least recently used going first", err=True)


def _size(size_bytes: int) -> str:
    if size_bytes >= 1_000_000_000:
        return f"{size_bytes / 1_000_000_000:.1f} GB"
    return f"{size_bytes / 1_000_000:.1f} MB"
