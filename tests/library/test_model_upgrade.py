"""A library analysed by the first model (57 features a window, schema 3) meets model v2: its
tracks are analysed again, keeping their old prediction until the new one is stored, and
corrections, playlists and the tag journal are untouched."""

from __future__ import annotations

from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION, RECIPE_VERSION
from genre_desktop.library.db import connect
from genre_desktop.library.migrations import latest_version
from genre_desktop.library.scan_store import count_outdated
from genre_desktop.library.scanner import scan
from genre_desktop.library.writer import LibraryWriter
from tests.library.scan_helpers import scan as scan_now
from tests.library.v1_library import V1_MODEL, make_v1_library


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
        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sql)]

        assert rows("SELECT * FROM labels ORDER BY id") == before["labels"]
        assert rows("SELECT id, name, rules FROM playlists") == before["playlists"]
        assert rows("SELECT * FROM playlist_tracks ORDER BY position") == before["playlist_tracks"]
        assert rows("SELECT * FROM tag_batches") == before["tag_batches"]
        first = before["ids"][0]
        assert tuple(conn.execute("SELECT genre, genre_source FROM tracks WHERE id = ?", (first,)).fetchone()) == ("lo-fi", "you")
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
