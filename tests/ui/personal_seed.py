"""A library of real analysed tracks without decoding audio: each GTZAN clip's row of
features_30_sec.csv becomes a stored window, and the bundled model classifies them for real."""

from __future__ import annotations

import csv
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from genre_desktop.core.feature_schema import FEATURE_NAMES, RECIPE_VERSION
from genre_desktop.library.writer import LibraryWriter

FEATURES_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "gtzan" / "features_30_sec.csv"


def feature_rows(per_genre: int, csv_path: Path = FEATURES_CSV) -> list[tuple[str, str, np.ndarray]]:
    """(clip name, GTZAN genre, 57 features) for the first per_genre clips of each genre."""
    by_genre: dict[str, list[tuple[str, str, np.ndarray]]] = defaultdict(list)
    with open(csv_path, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            genre = record["label"]
            if len(by_genre[genre]) < per_genre:
                features = np.array([float(record[name]) for name in FEATURE_NAMES], dtype=np.float64)
                by_genre[genre].append((record["filename"], genre, features))
    return [row for genre in sorted(by_genre) for row in by_genre[genre]]


def insert_tracks(conn: sqlite3.Connection, rows: list[tuple[str, str, np.ndarray]],
                  folder: str = "/music") -> dict[int, str]:
    """One track per clip with its features as one stored 30 s window. Returns id -> true genre."""
    now = time.time()
    truth: dict[int, str] = {}
    for n, (name, genre, features) in enumerate(rows, start=1):
        stem = name.rsplit(".", 1)[0]
        conn.execute(
            """INSERT INTO tracks(id, path, size, mtime_ns, fingerprint, duration, title, artist, album,
                                  added_at, scanned_at, codec, samplerate, channels)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (n, f"{folder}/{genre}/{stem}.flac", 1000 + n, n, f"fp-{stem}", 30.0, stem,
             f"Artist {n % 17}", f"Album {n % 9}", now, now, "flac", 22050, 1))
        conn.execute("INSERT INTO windows VALUES (?,?,?,?,?,?)",
                     (n, 0, 0.0, 30.0, features.tobytes(), RECIPE_VERSION))
        truth[n] = genre
    return truth


def seed_real_features(writer: LibraryWriter, per_genre: int = 12) -> dict[int, str]:
    """Insert the tracks, then classify them with the bundled model as a scan would."""
    from genre_desktop.core.classifier import GenreClassifier
    from genre_desktop.library.reclassify import reclassify
    from genre_desktop.library.writes import set_model_info

    rows = feature_rows(per_genre)
    truth = writer.call(lambda conn: insert_tracks(conn, rows))
    classifier = GenreClassifier.load()
    writer.call(lambda conn: set_model_info(conn, classifier.version, classifier.genres,
                                            classifier.recommended_threshold))
    for _progress in reclassify(classifier, writer, RECIPE_VERSION):
        pass
    return truth
