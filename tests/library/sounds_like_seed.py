"""Seeded library rows for the Sounds-like tests: real GTZAN feature and tag rows per window,
embeddings drawn near one centre per genre (the published data has no embeddings)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.training_data import load_model_table
from genre_desktop.library.writes import refresh_derived

GENRES = ("blues", "jazz", "metal")


@pytest.fixture(scope="module")
def clip_rows(gtzan_dir):
    table = load_model_table(gtzan_dir)
    return {g: table.X[table.y == g][:8] for g in GENRES}


def seed(conn, clip_rows, ids, *, windows=2, recipe=MODEL_RECIPE_VERSION, seed_=0, root="/music"):
    """Tracks `ids`: artist = id % 4, genre in turn; each window a real clip's features+tags row
    and an embedding near its genre's centre."""
    rng = np.random.default_rng(seed_)
    centres = {g: np.eye(200, dtype=np.float32)[i] for i, g in enumerate(GENRES)}
    now = time.time()
    for tid in ids:
        genre = GENRES[tid % 3]
        conn.execute(
            """INSERT INTO tracks(id, path, size, mtime_ns, title, artist, added_at, scanned_at)
               VALUES (?, ?, 1, 1, ?, ?, ?, ?)""",
            (tid, f"{root}/{tid}.flac", f"Track {tid}", f"Artist {tid % 4}", now, now))
        conn.execute("""INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,
                        window_probabilities, predicted_at) VALUES (?, 'm', ?, 0.9, '{}', '[]', ?)""",
                     (tid, genre, now))
        for w in range(windows):
            row = clip_rows[genre][(tid + w) % 8]
            features = row if recipe == MODEL_RECIPE_VERSION else row[:57]
            embedding = centres[genre] + 0.05 * rng.normal(size=200).astype(np.float32)
            conn.execute(
                """INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version, embedding)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (tid, w, 30.0 * w, 30.0 * w + 30, np.asarray(features, np.float64).tobytes(), recipe,
                 embedding.tobytes() if recipe == MODEL_RECIPE_VERSION else None))
    refresh_derived(conn, list(ids))
