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
