"""Opening the library database: WAL, foreign keys, a busy timeout, and migrations.

File paths are stored exactly as the file system spells them. On POSIX a file name may be
any bytes, not only UTF-8; Python shows such names as str with surrogate escapes (PEP 383),
which sqlite3 refuses to bind. So paths are bound as their raw bytes through
`CAST(? AS TEXT)` (see `path_param`), and every connection decodes text with
'surrogateescape'. A stored path therefore round-trips to the same str that os.scandir gave,
and opening it works. Use `printable()` to show such a path in a widget or a log.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from genre_desktop.library.migrations import (
    MIGRATIONS,
    LibraryError,
    SchemaTooNewError,
    check_not_newer,
    latest_version,
    migrate,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

__all__ = ["connect", "path_param", "printable", "LibraryError", "SchemaTooNewError"]


def _decode_text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def path_param(path: str | os.PathLike[str]) -> bytes:
    """A path as a query parameter; the SQL must read it as CAST(? AS TEXT)."""
    return os.fsencode(os.fspath(path))


def printable(path: str) -> str:
    """A path safe to display: undecodable bytes become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def connect(
    path: str | os.PathLike[str],
    readonly: bool = False,
    *,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open (and if needed create and migrate) the library at `path`.

    The connection is in autocommit mode: callers that write wrap their statements in
    BEGIN IMMEDIATE … COMMIT (LibraryWriter does this). Rows are sqlite3.Row.
    A library written by a newer app raises SchemaTooNewError and is not modified.
    SQLite is built thread-safe here, so by default the connection may be handed between
    threads (never used by two at once).
    """
    db_file = Path(path)
    where = str(db_file)
    if readonly:
        if not db_file.is_file():
            raise LibraryError(f"No library database at {where}")
        uri = f"{db_file.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=check_same_thread,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    else:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            db_file, isolation_level=None, check_same_thread=check_same_thread,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    try:
        conn.text_factory = _decode_text
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Refuse a newer (or foreign) file before any pragma below writes to it.
        version = check_not_newer(conn, where, latest_version(MIGRATIONS))
        conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            if version < latest_version(MIGRATIONS):
                raise LibraryError(
                    f"{where} uses an older library format ({version}); open it once "
                    "read-write to upgrade it"
                )
        else:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("Library %s could not switch to WAL (mode %s)", where, mode)
            # With WAL, NORMAL keeps the file consistent after a crash and is much faster.
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, where)
        conn.row_factory = sqlite3.Row
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LibraryError(f"{where} cannot be used as a library: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn
