"""A library as the first model (57 features a window, schema 3) left it, made from real music."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from genre_desktop.core.feature_schema import RECIPE_VERSION
from genre_desktop.library.migrations import MIGRATIONS, migrate
from tests.library.scan_helpers import scan

V1_MODEL = "genre-stack-27c476ed373d"


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def make_v1_library(db: Path, music: Path) -> dict:
    """A real schema-3 library as the first model left it, made from a scan with today's code:
    the tables of migrations 1-3 only, 57 features a window under the old recipe, predictions of
    the old model. A correction, a playlist and a tag-write journal entry are added as a user's
    would be. Returns what must survive the upgrade."""
    scanned = db.with_name(db.stem + "-today.sqlite3")
    scan(scanned, music)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, migrations=MIGRATIONS[:3])
    conn.execute("ATTACH DATABASE ? AS today", (str(scanned),))
    conn.execute("BEGIN")
    for table in ("folders", "tracks", "windows", "predictions"):
        shared = [c for c in _columns(conn, "main", table) if c in _columns(conn, "today", table)]
        names = ", ".join(shared)
        conn.execute(f"INSERT INTO main.{table}({names}) SELECT {names} FROM today.{table}")
    for track_id, idx, blob in conn.execute("SELECT track_id, idx, features FROM main.windows").fetchall():
        audio_only = np.frombuffer(blob, dtype=np.float64)[:57].tobytes()
        conn.execute("UPDATE main.windows SET features = ?, recipe_version = ? WHERE track_id = ? AND idx = ?",
                      (audio_only, RECIPE_VERSION, track_id, idx))
    conn.execute("UPDATE main.predictions SET model_version = ?", (V1_MODEL,))
    ids = [r[0] for r in conn.execute("SELECT id FROM main.tracks ORDER BY id")]
    conn.execute("""INSERT INTO main.labels(track_id, fingerprint, path, genre, source, created_at)
                    SELECT id, fingerprint, path, 'lo-fi', 'user', 1.0 FROM main.tracks WHERE id = ?""", (ids[0],))
    conn.execute("UPDATE main.tracks SET genre = 'lo-fi', genre_source = 'you', confidence = NULL WHERE id = ?",
                 (ids[0],))
    conn.execute("""INSERT INTO main.playlists(id, name, rules, created_at, updated_at)
                    VALUES (1, 'Evening', '{"genres": ["jazz"]}', 1.0, 1.0)""")
    conn.executemany("INSERT INTO main.playlist_tracks(playlist_id, position, track_id) VALUES (1, ?, ?)",
                     list(enumerate(ids[1:3])))
    conn.execute("INSERT INTO main.tag_batches(id, created_at, options) VALUES (7, 1.0, '{}')")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE today")
    scanned.unlink()

    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in conn.execute(sql)]

    before = {
        "labels": rows("SELECT * FROM labels ORDER BY id"),
        "playlists": rows("SELECT id, name, rules FROM playlists"),
        "playlist_tracks": rows("SELECT * FROM playlist_tracks ORDER BY position"),
        "tag_batches": rows("SELECT * FROM tag_batches"),
        "ids": ids,
    }
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    conn.close()
    return before
