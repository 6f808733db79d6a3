"""More like this and Sounds like: speed of the similarity index, and how good the shown tags are.

    python benchmarks/bench_similar.py [--tracks 100000] [--db-tracks 100000] [--json]

Speed (synthetic 200-value embeddings in clusters, 4 tracks per artist, 10 genres), side by side
in one run, median of repeated calls:
- a query (10 nearest) over --tracks tracks: the index (one matrix product over unit vectors,
  partial sort) next to a full sort of every distance; also with at most 2 per artist and with
  same-genre only;
- adding 1,000 tracks: SimilarityIndex.add next to building the index again from scratch; and
  SimilarTracks.sync picking up 1,000 newly scanned tracks in a real SQLite library of
  --db-tracks tracks (one tagger window each), next to reading every track's vector again.

Tags: precision of the shown genre-like tags against GTZAN's labels, and coverage, on the
fault-filtered TEST clips (the thresholds were fitted on TRAIN only). How near tracks of a genre
are to each other: benchmarks/bench_similar_quality.py.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GTZAN = ROOT.parent / "shared" / "data" / "gtzan"

from genre_desktop.core.feature_schema import FEATURE_NAMES, MODEL_RECIPE_VERSION  # noqa: E402
from genre_desktop.core.sounds_like.similarity import SimilarityIndex, unit_rows  # noqa: E402
from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS  # noqa: E402
from genre_desktop.core.sounds_like.thresholds import tag_quality  # noqa: E402
from genre_desktop.core.training_data import load_model_table  # noqa: E402

from benchmarks.bench_similar_quality import split_parts  # noqa: E402

DIM, K = 200, 10


# -- speed ------------------------------------------------------------------------------------

def synthetic(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(500, DIM)).astype(np.float32)
    vectors = centres[rng.integers(0, 500, n)] + 0.7 * rng.normal(size=(n, DIM)).astype(np.float32)
    artists = [f"artist {i // 4}" for i in range(n)]
    genres = [f"genre {i % 10}" for i in range(n)]
    return vectors, artists, genres


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


def full_sort_query(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    distances = 1.0 - unit_rows(matrix) @ unit_rows(query)[0]  # normalising every time, as naive code does
    return np.argsort(distances)[:K]


def speed(n: int, db_tracks: int) -> dict:
    vectors, artists, genres = synthetic(n + 1000)
    index = SimilarityIndex(DIM)
    index.add(list(range(n)), vectors[:n], artists[:n], genres[:n])
    queries = vectors[np.random.default_rng(1).integers(0, n, 20)]
    q = iter(np.resize(queries, (1000, DIM)))
    result = {
        "tracks": n,
        "query_ms": median_ms(lambda: index.query(next(q), K), 30),
        "query_full_sort_ms": median_ms(lambda: full_sort_query(vectors[:n], next(q)), 30),
        "query_per_artist_2_ms": median_ms(lambda: index.query(next(q), K, per_artist=2), 30),
        "query_same_genre_ms": median_ms(lambda: index.query(next(q), K, genres=["genre 3"]), 30),
    }
    ids_new = list(range(n, n + 1000))

    def add_1000():
        index.remove(ids_new)
        index.add(ids_new, vectors[n:], artists[n:], genres[n:])

    def rebuild():
        fresh = SimilarityIndex(DIM)
        fresh.add(list(range(n + 1000)), vectors, artists, genres)

    result["add_1000_ms"] = median_ms(add_1000, 5)
    result["rebuild_with_1000_ms"] = median_ms(rebuild, 3)
    result.update(sync_speed(db_tracks, vectors))
    return result


def sync_speed(n: int, vectors: np.ndarray) -> dict:
    from genre_desktop.library.db import connect
    from genre_desktop.library.sounds_like import SimilarTracks
    from genre_desktop.library.writer import LibraryWriter

    rng = np.random.default_rng(2)
    features = rng.random((64, len(FEATURE_NAMES) + 50))

    def insert(conn: sqlite3.Connection, ids: range) -> None:
        now = time.time()
        conn.executemany(
            "INSERT INTO tracks(id, path, size, mtime_ns, artist, added_at, scanned_at) VALUES (?,?,1,1,?,?,?)",
            [(i, f"/music/{i}.flac", f"artist {i // 4}", now, now) for i in ids])
        conn.executemany(
            """INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version, embedding)
               VALUES (?, 0, 0, 30, ?, ?, ?)""",
            [(i, features[i % 64].tobytes(), MODEL_RECIPE_VERSION,
              vectors[i % len(vectors)].astype(np.float32).tobytes()) for i in ids])

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "library.sqlite3"
        with LibraryWriter(db) as writer:
            start = time.perf_counter()
            for first in range(1, n + 1, 10_000):
                writer.call(lambda c, f=first: insert(c, range(f, min(f + 10_000, n + 1))))
            build_s = time.perf_counter() - start
            conn = connect(db, readonly=True)
            tracks = SimilarTracks()
            start = time.perf_counter()
            tracks.sync(conn)
            first_sync = time.perf_counter() - start
            writer.call(lambda c: insert(c, range(n + 1, n + 1001)))  # a scan adds 1,000 tracks
            start = time.perf_counter()
            read = tracks.sync(conn)
            incremental = time.perf_counter() - start
            conn.close()
    assert read == 1000
    return {"db_tracks": n, "db_build_s": build_s, "sync_1000_new_ms": 1000 * incremental,
            "sync_everything_ms": 1000 * first_sync}


# -- tags -------------------------------------------------------------------------------------

def tags_quality() -> dict:
    table = load_model_table(GTZAN)
    parts = split_parts(table.filenames.tolist())
    tag_cols = slice(len(FEATURE_NAMES), None)
    test, train = table.subset(parts == "test"), table.subset(parts == "train")
    return {"tags_test": tag_quality(test.X[:, tag_cols], test.y, THRESHOLDS),
            "tags_train": tag_quality(train.X[:, tag_cols], train.y, THRESHOLDS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--db-tracks", type=int, default=100_000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {} if args.skip_speed else {"speed": speed(args.tracks, args.db_tracks)}
    result["quality"] = tags_quality()
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
