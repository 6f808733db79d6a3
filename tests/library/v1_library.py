"""A library as the first model (57 features a window, schema 3) left it, made from real music."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from genre_desktop.core.feature_schema import RECIPE_VERSION
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import save_playlist, set_labels
from tests.library.scan_helpers import scan

V1_MODEL = "genre-stack-27c476ed373d"


def make_v1_library(db: Path, music: Path) -> dict:
    """Scan with today's code, then rewrite the file as the first model left it: schema 3, no
    embedding column, 57 features a window under the old recipe, predictions of the old model.
    A correction, a playlist and a tag-write journal entry are added as a user's would be."""
    scan(db, music)
    with LibraryWriter(db) as writer:
        ids = writer.call(lambda c: [r[0] for r in c.execute("SELECT id FROM tracks ORDER BY id")])
        writer.call(lambda c: set_labels(c, ids[:1], "lo-fi"))
        writer.call(lambda c: save_playlist(c, "Evening", {"genres": ["jazz"]}, ids[1:3]))
        writer.call(lambda c: c.execute(
            "INSERT INTO tag_batches(id, created_at, options) VALUES (7, 1.0, '{}')"))
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT track_id, idx, features FROM windows").fetchall()
    for track_id, idx, blob in rows:
        audio_only = np.frombuffer(blob, dtype=np.float64)[:57].tobytes()
        conn.execute("UPDATE windows SET features = ?, recipe_version = ? WHERE track_id = ? AND idx = ?",
                     (audio_only, RECIPE_VERSION, track_id, idx))
    conn.execute("UPDATE predictions SET model_version = ?", (V1_MODEL,))
    conn.execute("ALTER TABLE windows DROP COLUMN embedding")
    conn.execute("DROP TABLE sound_tags")  # later formats' tables go too
    conn.execute("DELETE FROM meta WHERE key = 'sound_tags_thresholds'")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    before = {
        "labels": conn.execute("SELECT * FROM labels ORDER BY id").fetchall(),
        "playlists": conn.execute("SELECT id, name, rules FROM playlists").fetchall(),
        "playlist_tracks": conn.execute("SELECT * FROM playlist_tracks ORDER BY position").fetchall(),
        "tag_batches": conn.execute("SELECT * FROM tag_batches").fetchall(),
        "ids": ids,
    }
    conn.close()
    return before
