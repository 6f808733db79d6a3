"""A library of real analysed tracks without decoding audio: each GTZAN clip's row of the model
table (features_30_sec.csv plus musicnn's published tags) becomes a stored window, and the
bundled model classifies them for real.
Also the window fixture and helpers the tests of learning from corrections share."""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.training_data import load_model_table
from genre_desktop.library.writer import LibraryWriter
from tests.ui.conftest import wait_until_idle

GTZAN = Path(__file__).resolve().parents[3] / "shared" / "data" / "gtzan"


def feature_rows(per_genre: int, gtzan_dir: Path = GTZAN) -> list[tuple[str, str, np.ndarray]]:
    """(clip name, GTZAN genre, 57 + 50 features) for the first per_genre clips of each genre."""
    table = load_model_table(gtzan_dir)
    by_genre: dict[str, list[tuple[str, str, np.ndarray]]] = defaultdict(list)
    for name, genre, row in zip(table.filenames.tolist(), table.y.tolist(), table.X):
        if len(by_genre[genre]) < per_genre:
            by_genre[genre].append((name, genre, row))
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
        conn.execute("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (?, ?, ?, ?, ?, ?)",
                     (n, 0, 0.0, 30.0, features.tobytes(), MODEL_RECIPE_VERSION))
        truth[n] = genre
    return truth


def seed_real_features(writer: LibraryWriter, per_genre: int = 12) -> dict[int, str]:
    """Insert the tracks, then classify them with the bundled model as a scan would."""
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.library.reclassify import reclassify
    from genre_desktop.library.writes import set_model_info

    rows = feature_rows(per_genre)
    truth = writer.call(lambda conn: insert_tracks(conn, rows))
    classifier = GenreClassifier.load()
    writer.call(lambda conn: set_model_info(conn, classifier.version, classifier.genres,
                                            classifier.recommended_threshold))
    for _progress in reclassify(classifier, writer, MODEL_RECIPE_VERSION):
        pass
    return truth


LEARN_TIMEOUT = 180_000


# -- for the window tests (import real_window into a test module to use it as a fixture) --------

@pytest.fixture
def real_window(qtbot, app_context, main_window):
    """The window over 120 tracks whose stored windows are real GTZAN features."""
    main_window.truth = seed_real_features(app_context.library.writer, per_genre=12)
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    main_window.personal.update_status()
    return main_window


def of_genre(window, genre: str, n: int) -> list[int]:
    return [tid for tid, g in sorted(window.truth.items()) if g == genre][:n]


def db_rows(window, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(window.context.db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def correct(qtbot, window, genre: str, ids: list[int]) -> None:
    window.labels.set_genre(genre, ids)
    qtbot.waitUntil(lambda: all(row[0] == "you" for row in db_rows(
        window, f"SELECT genre_source FROM tracks WHERE id IN ({','.join('?' * len(ids))})", ids)), timeout=10_000)
    wait_until_idle(qtbot, window)


def learn_from_window(qtbot, window):
    """Ctrl+L's action, then the summary dialog once learning is done."""
    qtbot.waitUntil(window.actions.learn.isEnabled, timeout=5000)  # the status follows corrections
    with qtbot.waitSignal(window.context.personal.learned, timeout=LEARN_TIMEOUT):
        window.actions.learn.trigger()
    wait_until_idle(qtbot, window)
    return window.personal.summary_dialog
