"""Sounds like and More like this on a library scanned from real music with the bundled model:
the scan stores each track's tags, `similar` and `tag:` search read them back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import shown_tags
from genre_desktop.library.db import connect
from genre_desktop.library.repository import LibraryReader
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.sounds_like import SimilarTracks, track_vectors
from tests.corpus import make_demo_library

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GENRES = ["classical", "hiphop", "metal", "reggae"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    root = tmp_path_factory.mktemp("sounds-like")
    paths = make_demo_library(root / "Music", n_per_genre=3, genres=GENRES)
    db = root / "library.sqlite3"
    report = scan_folders(db, [root / "Music"], jobs=2)
    assert not report.failed, report.failed
    return db, paths


def test_the_scan_stores_every_tracks_tags_and_embedding(scanned):
    db, paths = scanned
    conn = connect(db, readonly=True)
    try:
        vectors = track_vectors(conn)
        assert len(vectors.ids) == len(paths)
        assert np.isfinite(vectors.embeddings).all() and (np.linalg.norm(vectors.embeddings, axis=1) > 0).all()
        stored: dict[int, set[str]] = {}
        for tid, tag in conn.execute("SELECT track_id, tag FROM sound_tags"):
            stored.setdefault(tid, set()).add(tag)
        for tid, tags in zip(vectors.ids, vectors.tags):
            assert stored.get(tid, set()) == {t.key for t in shown_tags(tags, THRESHOLDS, per_group=None)}
        assert sum(bool(s) for s in stored.values()) >= len(paths) * 0.8  # most tracks show a tag
        reader = LibraryReader(conn)
        key = max({k for s in stored.values() for k in s}, key=lambda k: sum(k in s for s in stored.values()))
        assert sorted(reader.track_ids(search=f"tag:{key}")) == sorted(t for t, s in stored.items() if key in s)
    finally:
        conn.close()


def test_nearest_tracks_by_the_real_embedding_share_the_genre(scanned):
    db, _paths = scanned
    conn = connect(db, readonly=True)
    try:
        tracks = SimilarTracks()
        tracks.sync(conn)
        genre_of = {tid: tag for tid, tag in conn.execute("SELECT id, tag_genre FROM tracks")}
    finally:
        conn.close()
    same = [genre_of[tracks.similar([tid], 1)[0].track_id] == genre_of[tid] for tid in genre_of]
    assert np.mean(same) >= 0.75  # chance: 2 of the 11 others, 0.18


def test_similar_command_on_a_scanned_file(scanned):
    db, paths = scanned
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "genre_desktop", "similar", str(paths[0]), "--db", str(db),
                           "--limit", "5", "--same-genre", "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    conn = connect(db, readonly=True)
    genre = conn.execute("SELECT genre FROM tracks WHERE path = ?", (str(paths[0]),)).fetchone()[0]
    same_genre = conn.execute("SELECT COUNT(*) FROM tracks WHERE genre = ?", (genre,)).fetchone()[0]
    conn.close()
    assert len(items) == min(5, same_genre - 1)
    assert all(i["genre"] == genre and i["path"] != str(paths[0]) for i in items)
    assert [i["distance"] for i in items] == sorted(i["distance"] for i in items)
