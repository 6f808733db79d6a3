"""Track tags and embeddings read from the stored windows, and the index kept in step with a real
library file. The rows are seeded: real GTZAN feature and tag rows, embeddings drawn per genre."""

from __future__ import annotations

import numpy as np
import pytest

from genre_desktop.core.feature_schema import RECIPE_VERSION
from genre_desktop.library.db import connect
from genre_desktop.library.sounds_like import NotAnalysedError, SimilarTracks, track_vectors
from genre_desktop.library.writes import refresh_derived
from tests.library.sounds_like_seed import clip_rows, seed  # noqa: F401  (clip_rows: fixture)

def test_track_vectors_are_window_means(db_path, writer, clip_rows):
    writer.call(lambda conn: seed(conn, clip_rows, [1, 2, 3], windows=3))
    writer.call(lambda conn: seed(conn, clip_rows, [4], recipe=RECIPE_VERSION))
    conn = connect(db_path, readonly=True)
    try:
        vectors = track_vectors(conn)
        one = track_vectors(conn, [2])
        windows = conn.execute("SELECT features, embedding FROM windows WHERE track_id = 2").fetchall()
    finally:
        conn.close()
    assert vectors.ids == [1, 2, 3]  # track 4 predates the tagger
    tags = np.mean([np.frombuffer(f, np.float64)[57:] for f, _ in windows], axis=0)
    emb = np.mean([np.frombuffer(e, np.float32) for _, e in windows], axis=0)
    assert one.ids == [2]
    assert np.allclose(one.tags[0], tags) and np.allclose(vectors.tags[1], tags)
    assert np.allclose(one.embeddings[0], emb, atol=1e-6)


def test_sync_is_incremental_and_follows_the_library(db_path, writer, clip_rows):
    writer.call(lambda conn: seed(conn, clip_rows, range(1, 31)))
    tracks = SimilarTracks()
    conn = connect(db_path, readonly=True)
    try:
        assert tracks.sync(conn) == 30
        assert tracks.sync(conn) == 0  # nothing changed: nothing is read again
        near = tracks.similar([3], 10)
        assert len(near) == 10 and 3 not in [n.track_id for n in near]
        assert all(tracks.track_info(n.track_id)[1] == "blues" for n in near[:9])  # id % 3 == 0: blues
        capped = tracks.similar([3], 9, per_artist=2)
        artists = [tracks.track_info(n.track_id)[0] for n in capped]
        assert max(artists.count(a) for a in set(artists)) <= 2

        writer.call(lambda c: seed(c, clip_rows, range(31, 41), seed_=1))  # a scan adds tracks
        writer.call(lambda c: c.execute("UPDATE tracks SET status = 'missing' WHERE id = 6"))
        writer.call(lambda c: c.execute(
            "INSERT INTO labels(track_id, genre, source, created_at) VALUES (9, 'jazz', 'you', 0)"))
        writer.call(lambda c: refresh_derived(c, [9]))
        assert tracks.sync(conn) == 10
        assert len(tracks.index) == 39 and 6 not in tracks.index
        same = tracks.similar([3], 40, same_genre=True)
        ids = [n.track_id for n in same]
        assert 9 not in ids and 6 not in ids and 33 in ids
        assert all(tracks.track_info(t)[1] == "blues" for t in ids)
        with pytest.raises(NotAnalysedError):
            tracks.similar([6])
    finally:
        conn.close()


def test_stored_tags_search_and_column(db_path, writer, clip_rows):
    from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
    from genre_desktop.core.sounds_like.tags import shown_tags
    from genre_desktop.library.repository import LibraryReader
    from genre_desktop.library.sounds_like import refresh_sound_tags

    writer.call(lambda conn: seed(conn, clip_rows, range(1, 13)))
    writer.call(lambda conn: seed(conn, clip_rows, [13], recipe=RECIPE_VERSION))
    assert writer.call(refresh_sound_tags) == 12  # a library analysed before the table existed
    assert writer.call(refresh_sound_tags) == 0  # same thresholds: nothing to redo
    conn = connect(db_path, readonly=True)
    try:
        vectors = track_vectors(conn)
        expected = {tid: shown_tags(t, THRESHOLDS, per_group=None) for tid, t in zip(vectors.ids, vectors.tags)}
        stored = {}
        for tid, tag, p in conn.execute("SELECT track_id, tag, probability FROM sound_tags"):
            stored.setdefault(tid, {})[tag] = p
        assert set(stored) <= set(expected) and 13 not in stored
        for tid, tags in expected.items():
            assert {t.key: pytest.approx(t.probability) for t in tags} == stored.get(tid, {})
        reader = LibraryReader(conn)
        key = max((t.key for tags in expected.values() for t in tags),
                  key=lambda k: sum(k in {t.key for t in tags} for tags in expected.values()))
        having = sorted(tid for tid, tags in expected.items() if key in {t.key for t in tags})
        assert 0 < len(having) < 12
        assert sorted(reader.track_ids(search=f"tag:{key}")) == having
        assert sorted(reader.track_ids(search=f"TAG:{key.upper()} Track")) == having  # with text
        assert reader.track_ids(search="tag:polka") == []
        rows = reader.rows(having)
        for tid in having:
            top = [t.name for t in expected[tid][:3]]
            assert rows[tid].sounds_like == ", ".join(top)
        assert reader.rows([13])[13].sounds_like == ""
        by_tag = reader.track_ids(sort="sounds_like")
        assert sorted(by_tag) == list(range(1, 14))
    finally:
        conn.close()
