"""`genre-desktop similar` in a subprocess on a real library file with seeded rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.library.sounds_like_seed import clip_rows, seed  # noqa: F401  (clip_rows: fixture)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def similar(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "genre_desktop", "similar", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def library(db_path, writer, clip_rows, tmp_path):
    writer.call(lambda conn: seed(conn, clip_rows, range(1, 25), root=str(tmp_path)))
    return db_path, tmp_path


def test_similar_lists_the_nearest_tracks_as_json(library):
    db, root = library
    done = similar(str(root / "3.flac"), "--db", str(db), "--limit", "5", "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) == 5
    assert {"path", "distance", "genre", "artist", "title"} <= set(items[0])
    assert str(root / "3.flac") not in [i["path"] for i in items]
    distances = [i["distance"] for i in items]
    assert distances == sorted(distances) and 0 <= distances[0] < 0.5
    assert all(i["genre"] == "blues" for i in items)  # seeded near the blues centre


def test_same_genre_and_per_artist(library):
    db, root = library
    done = similar(str(root / "4.flac"), "--db", str(db), "--limit", "30", "--same-genre",
                   "--per-artist", "1", "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert items and all(i["genre"] == "jazz" for i in items)
    artists = [i["artist"] for i in items]
    assert len(artists) == len(set(artists))


def test_errors_say_what_to_do(library, tmp_path):
    db, root = library
    missing = similar(str(root / "nope.flac"), "--db", str(db))
    assert missing.returncode == 1 and "not in the library" in missing.stderr
    no_db = similar(str(root / "3.flac"), "--db", str(tmp_path / "none.sqlite3"))
    assert no_db.returncode == 2 and "scan a folder first" in no_db.stderr
    bad = similar(str(root / "3.flac"), "--db", str(db), "--limit", "0")
    assert bad.returncode == 2 and "at least 1" in bad.stderr
    plain = similar(str(root / "3.flac"), "--db", str(db), "--limit", "2")
    assert plain.returncode == 0 and len(plain.stdout.strip().splitlines()) == 2


def test_playlist_with_tag_rules(library, tmp_path):
    from genre_desktop.library.db import connect
    from genre_desktop.library.sounds_like import track_vectors
    from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
    from genre_desktop.core.sounds_like.tags import shown_tags

    db, root = library
    conn = connect(db, readonly=True)
    vectors = track_vectors(conn)
    genre_of = dict(conn.execute("SELECT id, genre FROM tracks"))
    conn.close()
    shown = {tid: {t.key for t in shown_tags(tags, THRESHOLDS, per_group=None)}
             for tid, tags in zip(vectors.ids, vectors.tags) if genre_of[tid] == "jazz"}
    key = max({k for keys in shown.values() for k in keys},
              key=lambda k: (sum(k in keys for keys in shown.values()) < len(shown),
                             sum(k in keys for keys in shown.values())))
    expected = sorted(tid for tid, keys in shown.items() if key in keys)
    assert 0 < len(expected) < len(shown)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    out = tmp_path / "tagged.m3u8"
    done = subprocess.run([sys.executable, "-m", "genre_desktop", "playlist", "--db", str(db), "--genre", "jazz",
                           "--tag", key, "--no-save", "--out", str(out), "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tracks"] == len(expected)
    listed = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert sorted(int(Path(p).stem) for p in listed) == expected
    bad = subprocess.run([sys.executable, "-m", "genre_desktop", "playlist", "--db", str(db), "--genre", "jazz",
                          "--tag", "polka", "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "not a Sounds-like tag" in bad.stderr
