"""More like this and Sounds like: speed of the similarity index, and how good it and the tags are.

    python benchmarks/bench_similar.py [--tracks 100000] [--db-tracks 100000] [--skip-audio] [--json]

Speed (synthetic 200-value embeddings in clusters, 4 tracks per artist, 10 genres), side by side
in one run, median of repeated calls:
- a query (10 nearest) over --tracks tracks: the index (one matrix product over unit vectors,
  partial sort) next to a full sort of every distance; also with at most 2 per artist and with
  same-genre only;
- adding 1,000 tracks: SimilarityIndex.add next to building the index again from scratch; and
  SimilarTracks.sync picking up 1,000 newly scanned tracks in a real SQLite library of
  --db-tracks tracks (one tagger window each), next to reading every track's vector again.

Quality, on GTZAN's fault-filtered clips: for each clip, its 10 nearest clips counting only clips
in another part of the split (train/valid/test parts share no artist, so those are other
artists), and the share of them with the clip's genre. The published tags (cosine) and the 57
handcrafted features (z-scored, Euclidean) are measured on every fault-filtered clip that has
published tags (train and test). The tagger's embedding needs audio, so it is measured on the
local clips (../shared/data/gtzan/audio, all three parts) analysed by the app itself
(library.analysis.analyze_file with the bundled model), with the app's tags and the 57 features
of the same clips beside it. Ten clips per genre, mostly one part each, leave few same-genre
clips in other parts: ``*_reachable_share`` is the best share any method could get there. Tags: precision of the shown genre-like tags against the labels and
coverage, on the TEST clips (the thresholds were fitted on TRAIN only).
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
from genre_desktop.core.training_data import load_model_table, load_split  # noqa: E402

DIM, K = 200, 10
PARTS = ("train", "valid", "test")


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


# -- quality ----------------------------------------------------------------------------------

def neighbour_genre_share(X: np.ndarray, genres: np.ndarray, parts: np.ndarray, metric: str) -> float:
    """Mean over clips of the share of its K nearest other-part clips with its genre."""
    if metric == "cosine":
        U = unit_rows(X).astype(np.float64)
        distance = 1.0 - U @ U.T
    else:
        Z = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        distance = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2)
    shares = []
    for i in range(len(X)):
        others = np.flatnonzero(parts != parts[i])
        nearest = others[np.argsort(distance[i, others], kind="stable")[:K]]
        shares.append(float(np.mean(genres[nearest] == genres[i])))
    return float(np.mean(shares))


def split_parts(names: np.ndarray) -> np.ndarray:
    part_of = {clip: part for part in PARTS for clip in load_split(GTZAN / "splits", part)}
    return np.array([part_of.get(name, "") for name in names.tolist()])


def quality(skip_audio: bool) -> dict:
    table = load_model_table(GTZAN)
    parts = split_parts(table.filenames)
    keep = parts != ""
    audio_cols, tag_cols = slice(0, len(FEATURE_NAMES)), slice(len(FEATURE_NAMES), None)
    y, p = table.y[keep], parts[keep]
    out = {
        "all_clips": int(keep.sum()),
        "all_tags_share": neighbour_genre_share(table.X[keep, tag_cols], y, p, "cosine"),
        "all_57_features_share": neighbour_genre_share(table.X[keep, audio_cols], y, p, "euclidean"),
    }
    test = table.subset(parts == "test")
    out["tags_test"] = tag_quality(test.X[:, tag_cols], test.y, THRESHOLDS)
    train = table.subset(parts == "train")
    out["tags_train"] = tag_quality(train.X[:, tag_cols], train.y, THRESHOLDS)
    out["all_reachable_share"] = reachable_share(y, p)
    if not skip_audio:
        out.update(audio_quality())
    return out


def reachable_share(genres: np.ndarray, parts: np.ndarray) -> float:
    """The best share any method could get: a clip with only m < K same-genre clips in other
    parts can have at most m of them among its K neighbours."""
    return float(np.mean([min(K, int(np.sum((genres == g) & (parts != p)))) / K
                          for g, p in zip(genres, parts)]))


def audio_quality() -> dict:
    """The local clips analysed by the app itself: embedding, the app's tags, and the 57 CSV
    features of the same clips."""
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.training_data import load_features_csv
    from genre_desktop.library.analysis import analyze_file

    try:
        classifier = GenreClassifier.load()
    except Exception as exc:  # e.g. a model without its tagger: say so, measure the rest
        return {"embedding_unavailable": str(exc)}
    table = load_features_csv(GTZAN / "features_30_sec.csv")
    parts = split_parts(table.filenames)
    row_of = {name: i for i, name in enumerate(table.filenames.tolist())}
    clips = [c for c in sorted((GTZAN / "audio").glob("*/*.*"))
             if c.stem + ".wav" in row_of and parts[row_of[c.stem + ".wav"]]]
    embeddings, tags, rows = [], [], []
    start = time.perf_counter()
    for clip in clips:
        analysis = analyze_file(clip, classifier)
        embeddings.append(np.asarray(analysis.embeddings, dtype=np.float64).mean(axis=0))
        tags.append(analysis.features[:, len(FEATURE_NAMES):].mean(axis=0))
        rows.append(row_of[clip.stem + ".wav"])
    rows = np.array(rows)
    y, p = table.y[rows], parts[rows]
    return {
        "audio_clips": len(clips), "audio_analysis_s": time.perf_counter() - start,
        "audio_reachable_share": reachable_share(y, p),
        "audio_embedding_share": neighbour_genre_share(np.vstack(embeddings), y, p, "cosine"),
        "audio_tags_share": neighbour_genre_share(np.vstack(tags), y, p, "cosine"),
        "audio_57_features_share": neighbour_genre_share(table.X[rows], y, p, "euclidean"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--db-tracks", type=int, default=100_000)
    parser.add_argument("--skip-audio", action="store_true", help="no embedding quality (needs the tagger)")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {} if args.skip_speed else {"speed": speed(args.tracks, args.db_tracks)}
    result["quality"] = quality(args.skip_audio)
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
