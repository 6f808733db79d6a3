"""The --db option of the commands that work on an existing library, and finding that library."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: `genre-desktop --db X label ...` (the global flag) must not be reset to None.
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="DB",
                        help="library database (default: the one the app uses)")


def library_path(args: argparse.Namespace) -> Path:
    """The library file the command works on; LibraryError when there is none yet."""
    from genre_desktop.library.db import LibraryError
    from genre_desktop.paths import AppPaths

    db = getattr(args, "db", None)
    path = Path(db) if db else AppPaths.default().library_db
    if not path.is_file():
        raise LibraryError(f"no library at {path}: scan a folder first (genre-desktop scan)")
    return path
