"""A small analysed library written straight into SQL (no audio), for tests of views and dialogs."""

from __future__ import annotations

import json
import random
import sqlite3
import time

import numpy as np

from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.library.sounds_like import store_sound_tags
from genre_desktop.library.writes import refresh_derived, set_model_info

GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")
MODEL_VERSION = "test-model-1"
THRESHOLD = 0.45


def seed_library(conn: sqlite3.Connection, n: int = 40, seed: int = 3, paths: list[str] | None = None) -> None:
    """n tracks (genre i % 10) with a prediction over three windows each, plus one problem file.
    Runs inside the writer's transaction: LibraryWriter.call(seed_library)."""
    rng = random.Random(seed)
    now = time.time()
    set_model_info(conn, MODEL_VERSION, GENRES, THRESHOLD)
    for i in range(1, n + 1):
        genre = GENRES[i % 10]
        confidence = 0.25 + rng.random() * 0.7
        path = paths[i - 1] if paths else f"/music/{genre}/track{i:03d}.flac"
        conn.execute(
            """INSERT INTO tracks(id, path, size, mtime_ns, fingerprint, duration, title, artist, album, year,
                                  tag_genre, added_at, scanned_at, codec, samplerate, channels)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (i, path, 1000 + i, i, f"fp{i}", 150.0 + i, f"{genre.title()} Song {i}", f"Artist {i % 7}",
             f"Album {i % 5}", 1990 + i % 20, genre.title() if i % 3 else None, now, now, "flac", 44100, 2))
        probabilities = np.array([rng.random() ** 4 for _ in GENRES])
        probabilities[i % 10] = 0.0
        probabilities = probabilities / probabilities.sum() * (1 - confidence)
        probabilities[i % 10] = confidence
        track_probs = dict(zip(GENRES, probabilities.round(4).tolist()))
        windows = []
        for k, start in enumerate((10.0, 60.0, 110.0)):
            wp = np.array([rng.random() ** 3 for _ in GENRES])
            wp[i % 10] += 1.5 * rng.random()
            wp /= wp.sum()
            window_probs = dict(zip(GENRES, wp.round(4).tolist()))
            windows.append({"start": start, "end": start + 30, "genre": max(window_probs, key=window_probs.get),
                            "probabilities": window_probs})
            conn.execute("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (?, ?, ?, ?, ?, ?)",
                         (i, k, start, start + 30, np.full(57, float(i % 10)).tobytes(), "test"))
        conn.execute("INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,"
                     " window_probabilities, predicted_at) VALUES (?,?,?,?,?,?,?)",
                     (i, MODEL_VERSION, max(track_probs, key=track_probs.get), max(track_probs.values()),
                      json.dumps(track_probs), json.dumps(windows), now))
    conn.execute("INSERT INTO problems VALUES ('/music/broken.mp3', 'not an audio file', 1, 1, ?)", (now,))
    refresh_derived(conn)


MIXED_TAGS = ("Alt. Rock", "Alternative Rock", "Electro Rock", "Hip-Hop", "Rap", "Chillwave")


def seed_mixed_tags(conn: sqlite3.Connection, track_ids=range(1, 13), guess: str = "jazz",
                    confidence: float = 0.3) -> None:
    """Give tracks tag genres spelled many ways, and an unsure model whose best guess is `guess`
    (so each shows its file tag). Run after seed_library, inside the writer's transaction."""
    others = [g for g in GENRES if g != guess]
    probabilities = {guess: confidence, **{g: (1 - confidence) / len(others) for g in others}}
    for k, track_id in enumerate(track_ids):
        conn.execute("UPDATE tracks SET tag_genre = ? WHERE id = ?", (MIXED_TAGS[k % len(MIXED_TAGS)], track_id))
        conn.execute("UPDATE predictions SET genre = ?, confidence = ?, probabilities = ? WHERE track_id = ?",
                     (guess, confidence, json.dumps(probabilities), track_id))
    refresh_derived(conn)


OLD_RECIPE_TRACK = 40  # keeps the seed's old-recipe windows


def add_tagger_windows(conn, table) -> None:
    """Tagger windows for seed_library's tracks 1-39: real GTZAN feature and tag rows of the
    track's genre, embeddings near one centre per genre; track 40 keeps its old-recipe windows."""
    rng = np.random.default_rng(5)
    conn.execute("DELETE FROM windows WHERE track_id < ?", (OLD_RECIPE_TRACK,))
    for tid in range(1, OLD_RECIPE_TRACK):
        genre = GENRES[tid % 10]
        rows = table.X[table.y == genre]
        centre = np.eye(200, dtype=np.float32)[tid % 10]
        for k in range(3):
            embedding = centre + 0.1 * rng.normal(size=200).astype(np.float32)
            conn.execute(
                """INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version, embedding)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (tid, k, 30.0 * k, 30.0 * k + 30, rows[(tid + k) % len(rows)].tobytes(),
                 MODEL_RECIPE_VERSION, embedding.tobytes()))
    store_sound_tags(conn, range(1, OLD_RECIPE_TRACK))  # as a scan does
