"""One file, one track: several names of one file (symbolic links, hard links) in the library's
folders are recognised by device and inode. One name is the track; the others are recorded as
its aliases (table `aliases`), so the file is analysed once and its genre written once.

Which name is the track: a name that is not a symbolic link, else the first in sort order, so
the choice does not change from scan to scan.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Sequence

from genre_desktop.library.db import path_param
from genre_desktop.library.walk import FoundFile
from genre_desktop.library.writes import folder_bounds


def split_aliases(found: Sequence[FoundFile]) -> tuple[list[FoundFile], list[tuple[str, str]]]:
    """(the files to treat as tracks, (alias, the track's path) for every other name)."""
    groups: dict[tuple[int, int], list[FoundFile]] = {}
    for f in found:
        if f.problem is None and f.file_id is not None and f.file_id[1]:  # inode 0: not known here
            groups.setdefault(f.file_id, []).append(f)
    extra: dict[str, str] = {}
    for names in groups.values():
        if len(names) > 1:
            track = min(names, key=lambda f: (os.path.islink(f.path), f.path))
            extra.update((f.path, track.path) for f in names if f is not track)
    return [f for f in found if f.path not in extra], sorted(extra.items())


def record_aliases(conn: sqlite3.Connection, aliases: Iterable[tuple[str, str]], roots: Sequence[str]) -> None:
    """Replace the aliases found under `roots` by this scan's (inside the writer's transaction)."""
    for root in roots:
        low, high = folder_bounds(root)
        conn.execute("DELETE FROM aliases WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)", (low, high))
    now = time.time()
    conn.executemany(
        "INSERT OR REPLACE INTO aliases(path, target, seen_at) VALUES (CAST(? AS TEXT), CAST(? AS TEXT), ?)",
        [(path_param(alias), path_param(target), now) for alias, target in aliases],
    )
