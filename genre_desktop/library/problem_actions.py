"""What the user can do about a file that could not be analysed: try it again, or ignore it.
Each `fn(conn, paths)` runs through LibraryWriter."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

from genre_desktop.library.db import path_param


def retry_problems(conn: sqlite3.Connection, paths: Sequence[str]) -> None:
    """Forget why these files failed (and that they were ignored), so that the next scan
    analyses them again even though they did not change (a codec installed since, a file that
    was locked)."""
    params = [(path_param(p),) for p in paths]
    conn.executemany("DELETE FROM problems WHERE path = CAST(? AS TEXT)", params)
    conn.executemany("DELETE FROM ignored_problems WHERE path = CAST(? AS TEXT)", params)


def set_problems_ignored(conn: sqlite3.Connection, paths: Sequence[str] | None, ignored: bool) -> None:
    """Hide these problems from the list (or show them again); None: every problem."""
    if paths is None:
        if ignored:
            conn.execute("INSERT OR IGNORE INTO ignored_problems(path, ignored_at) "
                         "SELECT path, ? FROM problems", (time.time(),))
        else:
            conn.execute("DELETE FROM ignored_problems")
        return
    if ignored:
        conn.executemany("INSERT OR IGNORE INTO ignored_problems(path, ignored_at) VALUES (CAST(? AS TEXT), ?)",
                         [(path_param(p), time.time()) for p in paths])
    else:
        conn.executemany("DELETE FROM ignored_problems WHERE path = CAST(? AS TEXT)",
                         [(path_param(p),) for p in paths])
