"""The journal of genre tags written into music files (tables tag_batches and tag_writes).

Each file of a batch has a row that moves through these states:
  planned  -> pending (its old bytes are stored; the file is about to be replaced) -> written
  planned  -> failed / abandoned (skipped, cancelled, or interrupted before the file was touched)
  written  -> undoing -> undone, or -> changed (the file no longer is what was written)
A row is 'pending' or 'undoing' only while its file is being swapped. When a run is killed
there, `reconcile` settles the row by the file's sha256: it equals the old or the new version,
because the swap is atomic. The tracks row follows every write and undo (size, mtime_ns,
fingerprint, tag_genre), so the next scan sees an unchanged file.

The SQL functions take the writer's connection (LibraryWriter runs each in one transaction);
`reconcile` and `sync_to_disk` take the writer itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from genre_desktop.audio.file_bytes import file_sha256
from genre_desktop.audio.tag_write import PreparedFile, TagWriteError, locked, remove_temp, temps_of
from genre_desktop.audio.tags import read_tags
from genre_desktop.library.db import path_param
from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.tag_records import BatchSummary
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import refresh_derived

log = logging.getLogger(__name__)

LIVE_STATES = "('written', 'pending', 'undoing')"  # SQL: rows whose file may hold what a batch wrote
UNDONE_STATES = "('undone', 'changed')"


@dataclass(frozen=True)
class FileFacts:
    """What the library records about a file after it was written or restored."""
    size: int
    mtime_ns: int
    fingerprint: str
    tag_genre: str | None


@dataclass(frozen=True)
class UndoEntry:
    id: int
    path: str
    track_id: int | None
    track_path: str | None  # where the library now finds the track (it may have moved)
    same_head: int
    same_tail: int
    old_middle: bytes
    old_sha256: str
    new_sha256: str
    old_mtime_ns: int | None


def file_facts(path: str) -> FileFacts:
    st = os.stat(path)
    return FileFacts(st.st_size, st.st_mtime_ns, fingerprint(path), read_tags(path).genre)


def temp_tag(writer: LibraryWriter, row_id: int, kind: str) -> str:
    """What names the temporary files of one journal row ('w' a write, 'u' an undo): the row
    and the library, since two libraries number their rows alike and may share a folder."""
    library = hashlib.blake2b(os.fsencode(os.path.realpath(writer.db_path)), digest_size=4).hexdigest()
    return f"{library}-{row_id}{kind}"


# --- batches ----------------------------------------------------------------------------------

def create_batch(
    conn: sqlite3.Connection, options: dict[str, Any], files: Sequence[tuple[int | None, str, Sequence[str]]],
) -> tuple[int, list[int]]:
    """A batch with one 'planned' row per (track_id, path, new genres). The old genre is
    recorded when the file is read, just before it is written."""
    now = time.time()
    batch_id = conn.execute(
        "INSERT INTO tag_batches(created_at, options) VALUES (?, ?) RETURNING id",
        (now, json.dumps(options)),
    ).fetchone()[0]
    row_ids = [
        conn.execute(
            """INSERT INTO tag_writes(batch_id, track_id, path, new_genre, state, updated_at)
               VALUES (?, ?, CAST(? AS TEXT), ?, 'planned', ?) RETURNING id""",
            (batch_id, track_id, path_param(path), json.dumps(list(new)), now),
        ).fetchone()[0]
        for track_id, path, new in files
    ]
    return int(batch_id), [int(r) for r in row_ids]


def set_state(conn: sqlite3.Connection, row_ids: int | Sequence[int], state: str, note: str | None = None) -> None:
    """Move rows to `state`; rows that never changed their file drop their stored bytes."""
    drop_bytes = state in ("failed", "abandoned")
    ids = [row_ids] if isinstance(row_ids, int) else list(row_ids)
    conn.execute(
        f"""UPDATE tag_writes SET state = ?, note = ?, updated_at = ?
            {", old_middle = NULL" if drop_bytes else ""} WHERE id IN (SELECT value FROM json_each(?))""",
        (state, note, time.time(), json.dumps(ids)),
    )


def mark_pending(conn: sqlite3.Connection, row_id: int, prepared: PreparedFile) -> None:
    """Store the old bytes before the file is replaced."""
    conn.execute(
        """UPDATE tag_writes SET state = 'pending', old_genre = ?, new_genre = ?, old_size = ?,
               old_mtime_ns = ?, old_sha256 = ?, new_size = ?, new_sha256 = ?, same_head = ?,
               same_tail = ?, old_middle = ?, updated_at = ? WHERE id = ?""",
        (
            json.dumps(list(prepared.old_genres)), json.dumps(list(prepared.new_genres)),
            prepared.before.size, prepared.before.mtime_ns, prepared.old_sha256, prepared.new_size,
            prepared.new_sha256, prepared.same_head, prepared.same_tail, prepared.old_middle,
            time.time(), row_id,
        ),
    )


def mark_written(conn: sqlite3.Connection, row_id: int, path: str, facts: FileFacts) -> None:
    now = time.time()
    conn.execute(
        """UPDATE tag_writes SET state = 'written', note = NULL, new_mtime_ns = ?, written_at = ?,
               updated_at = ? WHERE id = ?""",
        (facts.mtime_ns, now, now, row_id),
    )
    _update_track(conn, row_id, path, facts)


def mark_undone(conn: sqlite3.Connection, row_id: int, path: str, facts: FileFacts) -> None:
    now = time.time()
    conn.execute(
        """UPDATE tag_writes SET state = 'undone', note = NULL, undone_at = ?, updated_at = ?,
               old_middle = NULL WHERE id = ?""",  # the old bytes are back in the file
        (now, now, row_id),
    )
    _update_track(conn, row_id, path, facts)


def _update_track(conn: sqlite3.Connection, row_id: int, path: str, facts: FileFacts) -> None:
    """The library's record of the file, as a scan would write it, so a rescan skips it."""
    row = conn.execute("SELECT track_id FROM tag_writes WHERE id = ?", (row_id,)).fetchone()
    if row is None or row[0] is None:
        return
    updated = conn.execute(
        """UPDATE tracks SET size = ?, mtime_ns = ?, fingerprint = ?, tag_genre = ?
           WHERE id = ? AND path = CAST(? AS TEXT)""",
        (facts.size, facts.mtime_ns, facts.fingerprint, facts.tag_genre, row[0], path_param(path)),
    ).rowcount
    if updated:
        # Corrections find their track again by fingerprint (e.g. after its folder is removed
        # and added back), and rewriting the tag changed it: they follow the file's new bytes.
        conn.execute("UPDATE labels SET fingerprint = ? WHERE track_id = ?", (facts.fingerprint, row[0]))
        refresh_derived(conn, [row[0]])


def close_batch_if_undone(conn: sqlite3.Connection, batch_id: int) -> bool:
    live = conn.execute(
        f"SELECT count(*) FROM tag_writes WHERE batch_id = ? AND state IN {LIVE_STATES}", (batch_id,)
    ).fetchone()[0]
    if live:
        return False
    conn.execute("UPDATE tag_batches SET undone_at = ? WHERE id = ? AND undone_at IS NULL", (time.time(), batch_id))
    return True


# --- reading ----------------------------------------------------------------------------------

def last_batch(conn: sqlite3.Connection, include_undone: bool = False) -> BatchSummary | None:
    """The batch undo_last_batch would undo: the newest with files still written. With
    include_undone, the newest batch that wrote anything, undone or not."""
    wrote = f"w.state IN {LIVE_STATES}" + (f" OR w.state IN {UNDONE_STATES}" if include_undone else "")
    row = conn.execute(
        f"""SELECT b.id, b.created_at, b.undone_at,
                   (SELECT count(*) FROM tag_writes AS w WHERE w.batch_id = b.id
                      AND w.state IN {LIVE_STATES}) AS files
            FROM tag_batches AS b
            WHERE EXISTS (SELECT 1 FROM tag_writes AS w WHERE w.batch_id = b.id AND ({wrote}))
            ORDER BY b.id DESC LIMIT 1"""
    ).fetchone()
    if row is None:
        return None
    return BatchSummary(int(row[0]), float(row[1]), int(row[3]), row[2] is not None or row[3] == 0)


def undo_rows(conn: sqlite3.Connection, batch_id: int) -> list[int]:
    cursor = conn.execute(
        "SELECT id FROM tag_writes WHERE batch_id = ? AND state = 'written' ORDER BY id", (batch_id,)
    )
    return [int(r[0]) for r in cursor]


def undo_entry(conn: sqlite3.Connection, row_id: int) -> UndoEntry:
    r = conn.execute(
        """SELECT w.id, w.path, w.track_id, t.path, w.same_head, w.same_tail, w.old_middle,
                  w.old_sha256, w.new_sha256, w.old_mtime_ns
           FROM tag_writes AS w LEFT JOIN tracks AS t ON t.id = w.track_id WHERE w.id = ?""",
        (row_id,),
    ).fetchone()
    return UndoEntry(int(r[0]), r[1], r[2], r[3], int(r[4]), int(r[5]), bytes(r[6]), r[7], r[8], r[9])


# --- crash recovery ---------------------------------------------------------------------------

def sync_to_disk(writer: LibraryWriter) -> None:
    """Flush the library's write-ahead log to disk. The library commits with synchronous=NORMAL,
    which survives the app being killed but not a power cut; the old bytes of a file about to
    be replaced must survive both."""
    try:
        with open(f"{writer.db_path}-wal", "r+b") as wal:
            os.fsync(wal.fileno())
    except FileNotFoundError:
        pass  # not in WAL mode: SQLite synced the database file itself
    except OSError as exc:
        log.warning("Could not flush the library journal to disk: %s", exc)


def reconcile(writer: LibraryWriter) -> int:
    """Settle the rows a killed run left 'planned', 'pending' or 'undoing', by what their file
    holds now, and remove their temporary files. Returns how many rows were settled."""
    rows = writer.call(lambda c: c.execute(
        """SELECT id, path, state, old_sha256, new_sha256 FROM tag_writes
           WHERE state IN ('planned', 'pending', 'undoing') ORDER BY id"""
    ).fetchall())
    settled = 0
    for row_id, path, _, old_sha, new_sha in rows:
        with contextlib.ExitStack() as stack:
            with contextlib.suppress(TagWriteError):  # a folder that is gone has nothing to lock
                stack.enter_context(locked(path))
            # Under the folder's lock: another run of this library may have finished the row.
            state = writer.call(lambda c, row_id=row_id: c.execute(
                "SELECT state FROM tag_writes WHERE id = ?", (row_id,)).fetchone()[0])
            if state not in ("planned", "pending", "undoing"):
                continue
            for kind in "wu":
                for temp in temps_of(path, temp_tag(writer, row_id, kind)):
                    remove_temp(temp)
            outcome, note = _settled_state(path, state, old_sha, new_sha)
            facts = file_facts(path) if outcome in ("written", "undone") and note is None else None
            writer.call(lambda c, row_id=row_id, path=path, outcome=outcome, note=note, facts=facts:
                        _record(c, row_id, path, outcome, note, facts))
            settled += 1
    if settled:
        log.info("Settled %d interrupted tag writes", settled)
    return settled


def _settled_state(path: str, state: str, old_sha: str | None, new_sha: str | None) -> tuple[str, str | None]:
    """(the row's state, a note) judged by the file: the swap is atomic, so an interrupted
    row's file is its old or its new version unless something else changed it."""
    if state == "planned":
        return "abandoned", "interrupted before this file"
    try:
        found = file_sha256(path)
    except OSError:
        return "changed", "the file is gone"
    if found == new_sha:
        return ("written", "an undo was interrupted") if state == "undoing" else ("written", None)
    if found == old_sha:
        return ("abandoned", "interrupted before the file was replaced") if state == "pending" else ("undone", None)
    return "changed", "the file was changed by something else"


def _record(conn: sqlite3.Connection, row_id: int, path: str, state: str, note: str | None,
            facts: FileFacts | None) -> None:
    """A settled row; when its file did change, the library's record follows it."""
    if facts is None:
        set_state(conn, row_id, state, note)
    elif state == "written":
        mark_written(conn, row_id, path, facts)
    else:
        mark_undone(conn, row_id, path, facts)
