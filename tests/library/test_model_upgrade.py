"""A library analysed by the first model (57 features a window, schema 3) meets model v2: its
tracks are analysed again, keeping their old prediction until the new one is stored, and
corrections, playlists and the tag journal are untouched."""

from __future__ import annotations

import sqlite3

import numpy as np

from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION, RECIPE_VERSION
from genre_desktop.library.db import connect
from genre_desktop.library.migrations import latest_version
from genre_desktop.library.scan_store import count_outdated
from genre_desktop.library.scanner import scan
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import save_playlist, set_labels
from tests.library.scan_helpers import scan as scan_now

V1_MODEL = "genre-stack-27c476ed373d"


def make_v1_library(db, music) -> dict:
    """Scan with today's code, then rewrite the file as the first model left it: schema 3, no
    embedding column, 57 features a window under the old recipe, predictions of the old model.
    A correction, a playlist and a tag-write journal entry are added as a user's would be."""
    scan_now(db, music)
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


def test_v1_library_is_analysed_again_and_keeps_what_the_user_made(db_path, music):
    before = make_v1_library(db_path, music)
    n = len(before["ids"])
    with LibraryWriter(db_path) as writer:  # opening migrates the schema, nothing else
        assert writer.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == latest_version()
        assert writer.call(lambda c: count_outdated(c, MODEL_RECIPE_VERSION)) == n

    report = scan_now(db_path, music)
    assert report.updated == n and report.added == 0 and not report.failed

    conn = connect(db_path, readonly=True)
    try:
        assert count_outdated(conn, MODEL_RECIPE_VERSION) == 0
        for blob, recipe, embedding in conn.execute("SELECT features, recipe_version, embedding FROM windows"):
            assert recipe == MODEL_RECIPE_VERSION and len(blob) == 107 * 8 and len(embedding) == 200 * 4
        versions = {r[0] for r in conn.execute("SELECT model_version FROM predictions")}
        assert len(versions) == 1 and V1_MODEL not in versions
        assert conn.execute("SELECT * FROM labels ORDER BY id").fetchall() == before["labels"]
        assert conn.execute("SELECT id, name, rules FROM playlists").fetchall() == before["playlists"]
        assert conn.execute("SELECT * FROM playlist_tracks ORDER BY position").fetchall() == before["playlist_tracks"]
        assert conn.execute("SELECT * FROM tag_batches").fetchall() == before["tag_batches"]
        first = before["ids"][0]
        assert conn.execute("SELECT genre, genre_source FROM tracks WHERE id = ?", (first,)).fetchone() == ("lo-fi", "you")
    finally:
        conn.close()


def test_cancelled_upgrade_keeps_old_predictions_and_resumes(db_path, music):
    before = make_v1_library(db_path, music)
    cancel = CancelToken()
    with LibraryWriter(db_path) as writer:
        steps = scan([music], writer=writer, jobs=1, cancel=cancel)
        for progress in steps:
            if progress.finished_ids:  # one batch of new analyses is stored: stop there
                cancel.cancel()
    conn = connect(db_path, readonly=True)
    try:
        left = count_outdated(conn, MODEL_RECIPE_VERSION)
        # Whatever was not analysed again still shows the old model's answer, not nothing.
        old = conn.execute(
            """SELECT COUNT(*) FROM predictions AS p JOIN windows AS w ON w.track_id = p.track_id
               WHERE w.idx = 0 AND w.recipe_version = ? AND p.model_version = ?""",
            (RECIPE_VERSION, V1_MODEL)).fetchone()[0]
        assert old == left
        assert left < len(before["ids"])
    finally:
        conn.close()
    scan_now(db_path, music)
    conn = connect(db_path, readonly=True)
    try:
        assert count_outdated(conn, MODEL_RECIPE_VERSION) == 0
    finally:
        conn.close()


def test_scan_without_a_model_stores_audio_features_for_a_later_scan(db_path, music):
    scan_now(db_path, music, use_model=False)
    conn = connect(db_path, readonly=True)
    try:
        recipes = {r[0] for r in conn.execute("SELECT recipe_version FROM windows")}
        assert recipes == {RECIPE_VERSION}
        assert count_outdated(conn, MODEL_RECIPE_VERSION) == conn.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
    finally:
        conn.close()
    report = scan_now(db_path, music)
    assert report.updated > 0 and not report.failed
