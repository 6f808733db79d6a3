"""What the user can do about a file that could not be analysed: try it again, or ignore it.
Each `fn(conn, paths)` runs through LibraryWriter."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from genre_desktop.library.db import path_param


def retry_problems(conn: sqlite3.Connection, paths: Sequence[str]) -> None:
    """Forget why these files failed, so that the next scan analyses them again even though
    they did not change (a codec installed since, a file that was locked)."""
    conn.executemany("DELETE FROM problems WHERE path = CAST(? AS TEXT)", [(path_param(p),) for p in paths])


def set_problems_ignored(conn: sqlite3.Connection, paths: Sequence[str] | None, ignored: bool) -> None:
    """Hide these problems from the list (or show them again); None: every problem."""
    if paths is None:
        conn.execute("UPDATE problems SET ignored = ?", (int(ignored),))
        return
    conn.executemany("UPDATE problems SET ignored = ? WHERE path = CAST(? AS TEXT)",
                     [(int(ignored), path_param(p)) for p in paths])
