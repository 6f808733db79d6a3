"""Saved playlists after their first save: rename, edit, duplicate, and new contents when the
library changes (smart playlists). Each `fn(conn, ...)` runs through LibraryWriter."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any


class PlaylistNameTaken(ValueError):
    """Another playlist already has this name."""


def _check_name(conn: sqlite3.Connection, name: str, playlist_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValueError("A playlist needs a name.")
    taken = conn.execute("SELECT id FROM playlists WHERE name = ? AND id IS NOT ?", (name, playlist_id)).fetchone()
    if taken is not None:
        raise PlaylistNameTaken(f"There is already a playlist called “{name}”.")
    return name


def set_playlist_tracks(conn: sqlite3.Connection, playlist_id: int, track_ids: Sequence[int]) -> bool:
    """Replace the playlist's tracks; False (and nothing written) when they are the same."""
    current = [r[0] for r in conn.execute(
        "SELECT track_id FROM playlist_tracks WHERE playlist_id = ? ORDER BY position", (playlist_id,))]
    if current == list(track_ids):
        return False
    conn.execute("DELETE FROM playlist_tracks WHERE playlist_id = ?", (playlist_id,))
    conn.executemany("INSERT INTO playlist_tracks(playlist_id, position, track_id) VALUES (?, ?, ?)",
                     [(playlist_id, pos, tid) for pos, tid in enumerate(track_ids)])
    conn.execute("UPDATE playlists SET updated_at = ? WHERE id = ?", (time.time(), playlist_id))
    return True


def rename_playlist(conn: sqlite3.Connection, playlist_id: int, name: str) -> str:
    name = _check_name(conn, name, playlist_id)
    conn.execute("UPDATE playlists SET name = ?, updated_at = ? WHERE id = ?", (name, time.time(), playlist_id))
    return name


def update_playlist(conn: sqlite3.Connection, playlist_id: int, name: str, rules: dict[str, Any],
                    track_ids: Sequence[int]) -> int:
    """New name, rules and tracks for a saved playlist (its id stays)."""
    name = _check_name(conn, name, playlist_id)
    conn.execute("UPDATE playlists SET name = ?, rules = ?, updated_at = ? WHERE id = ?",
                 (name, json.dumps(rules, default=str), time.time(), playlist_id))
    set_playlist_tracks(conn, playlist_id, track_ids)
    return playlist_id


def duplicate_playlist(conn: sqlite3.Connection, playlist_id: int) -> int:
    """A copy named "<name> (copy)" (or copy 2, 3, …) with the same rules and tracks."""
    name, rules = conn.execute("SELECT name, rules FROM playlists WHERE id = ?", (playlist_id,)).fetchone()
    names = {r[0] for r in conn.execute("SELECT name FROM playlists")}
    copy, n = f"{name} (copy)", 2
    while copy in names:
        copy, n = f"{name} (copy {n})", n + 1
    now = time.time()
    new_id = conn.execute("INSERT INTO playlists(name, rules, created_at, updated_at) VALUES (?, ?, ?, ?)",
                          (copy, rules, now, now)).lastrowid
    conn.execute("""INSERT INTO playlist_tracks(playlist_id, position, track_id)
                    SELECT ?, position, track_id FROM playlist_tracks WHERE playlist_id = ?""",
                 (new_id, playlist_id))
    return int(new_id)
