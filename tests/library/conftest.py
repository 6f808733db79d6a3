"""Fixtures for the library tests: a real SQLite file per test and synthetic rows."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import refresh_derived
from tests.library.scan_helpers import build_demo, copy_library

GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory) -> Path:
    """A demo library made once per test module; tests scan a fresh copy of it (`music`)."""
    root = tmp_path_factory.mktemp("demo-source") / "Music"
    build_demo(root)
    return root


@pytest.fixture
def music(demo_source, tmp_path) -> Path:
    return copy_library(demo_source, tmp_path / "Music")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def writer(db_path) -> Iterator[LibraryWriter]:
    w = LibraryWriter(db_path)
    yield w
    w.close()


@pytest.fixture
def reader_conn(db_path, writer) -> Iterator[sqlite3.Connection]:
    conn = connect(db_path, readonly=True)
    yield conn
    conn.close()


def insert_synthetic(conn: sqlite3.Connection, count: int, seed: int = 0) -> None:
    """`count` analysed tracks with predictions and one window each, straight into SQL.

    Runs inside the caller's transaction (e.g. through LibraryWriter.call)."""
    rng = random.Random(seed)
    now = time.time()
    feature_blob = np.arange(57, dtype=np.float64).tobytes()
    tracks, windows, predictions = [], [], []
    for i in range(1, count + 1):
        genre = GENRES[i % len(GENRES)]
        conf = round(rng.random(), 4)
        tracks.append((
            i, f"/music/artist{i % 997}/album{i % 89}/track{i:06d}.mp3", 4_000_000 + i, 1_000 + i,
            f"fp{i:08d}", 120.0 + (i % 300), f"Title {rng.randrange(10**6):06d}",
            f"Artist {i % 997}", f"Album {i % 89}", 1990 + i % 30, GENRES[(i * 7) % 10], now, now,
        ))
        windows.append((i, 0, 0.0, 30.0, feature_blob, "test"))
        probs = {g: (conf if g == genre else (1 - conf) / 9) for g in GENRES}
        predictions.append((i, "m1", genre, conf, json.dumps(probs), "[]", now))
    conn.executemany(
        """INSERT INTO tracks(id, path, size, mtime_ns, fingerprint, duration, title, artist, album,
                              year, tag_genre, added_at, scanned_at)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        tracks,
    )
    conn.executemany("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (?, ?, ?, ?, ?, ?)", windows)
    conn.executemany("INSERT INTO predictions(track_id, model_version, genre, confidence, probabilities,"
                     " window_probabilities, predicted_at) VALUES (?,?,?,?,?,?,?)", predictions)
    refresh_derived(conn)


@pytest.fixture
def synthetic() -> Callable[[sqlite3.Connection, int], None]:
    return insert_synthetic
