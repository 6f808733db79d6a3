"""Fixtures for the personal model: the real bundled model, GTZAN feature rows, and real SQLite
libraries whose stored windows are those rows (as a scan of the clips would leave them).

The user's own genre in these tests is "dub": every reggae track of the library is labelled so,
which leaves the bundled model's "reggae" without anchors, as for a genre it does not know.
Reggae rows kept out of the library are the unseen tracks of that genre. GTZAN numbers a genre's
clips roughly artist by artist, so the library takes PER_GENRE clips spread evenly over each
genre's clip numbers: its tracks of a genre come from many artists, as a user's corrections would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.core.model.classifier import GenreClassifier
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.training_data import TrainingData, load_model_table
from genre_desktop.library.reclassify import reclassify
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import set_labels

NEW_GENRE = "dub"
SOURCE_GENRE = "reggae"
PER_GENRE = 25  # tracks of each genre in the library
STRIDE = 3  # other fixtures take every 3rd clip of a genre: many artists
WINDOWS = 3


@pytest.fixture(scope="session")
def bundled() -> GenreClassifier:
    return GenreClassifier.load()


@pytest.fixture(scope="session")
def csv_data(gtzan_dir) -> TrainingData:
    return load_model_table(gtzan_dir)


@pytest.fixture(scope="session")
def without_reggae(csv_data, bundled) -> GenreClassifier:
    """The bundled recipe and hyperparameters refit without reggae (~15 s): for it, the user's
    'dub' is a genre it does not know, and no reggae clip is one of its training examples."""
    from threadpoolctl import threadpool_limits

    from genre_desktop.core.model.recipe import calibrated_model
    from genre_desktop.core.training import _tuples

    part = csv_data.subset(csv_data.y != SOURCE_GENRE)
    with threadpool_limits(1):
        model = calibrated_model(_tuples(bundled.card["hyperparameters"]), csv_data.feature_names,
                                 n_jobs=1).fit(part.X, part.y)
    card = dict(bundled.card, genres=[str(g) for g in model.classes_], model_version="without-reggae")
    return GenreClassifier(model, card, bundled.tagger)


@dataclass
class Library:
    db_path: Path
    writer: LibraryWriter
    genres: dict[int, str]  # track id -> GTZAN genre of its row
    held_out: np.ndarray  # rows of reggae clips not in the library

    def ids(self, genre: str) -> list[int]:
        return [tid for tid, g in self.genres.items() if g == genre]

    def label(self, ids, genre: str | None) -> None:
        self.writer.call(lambda conn: set_labels(conn, list(ids), genre))


def windows_of(row: np.ndarray, names, rng) -> np.ndarray:
    """Three windows of one clip: its row with 2% noise per window (tempo kept)."""
    noisy = row * (1 + rng.normal(0, 0.02, (WINDOWS, len(row))))
    noisy[:, names.index("tempo")] = row[names.index("tempo")]
    return noisy


def fill(writer: LibraryWriter, data: TrainingData, rows: list[int], seed: int = 0) -> dict[int, str]:
    rng = np.random.default_rng(seed)
    genres = {}

    def insert(conn):
        now = time.time()
        for track_id, row in enumerate(rows, start=1):
            genres[track_id] = str(data.y[row])
            conn.execute(
                "INSERT INTO tracks(id, path, size, mtime_ns, fingerprint, title, artist, status, added_at, scanned_at) "
                "VALUES (?, ?, 1, 1, ?, ?, ?, 'ok', ?, ?)",
                (track_id, f"/music/{data.filenames[row]}", f"fp{track_id}", data.filenames[row],
                 f"Artist {track_id % 13}", now, now))
            conn.executemany("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (?, ?, ?, ?, ?, ?)", [
                (track_id, k, 30.0 * k, 30.0 * k + 30, w.tobytes(), MODEL_RECIPE_VERSION)
                for k, w in enumerate(windows_of(data.X[row], list(data.feature_names), rng))])

    writer.call(insert)
    return genres


@pytest.fixture
def library(tmp_path, csv_data, bundled) -> Iterator[Library]:
    """PER_GENRE clips of each genre, classified by the bundled model; nothing labelled yet."""
    rows = []
    held = []
    for genre in csv_data.genres:
        of_genre = np.flatnonzero(csv_data.y == genre)
        chosen = of_genre[np.linspace(0, len(of_genre) - 1, PER_GENRE).round().astype(int)]
        rows += chosen.tolist()
        if genre == SOURCE_GENRE:
            held = np.setdiff1d(of_genre, chosen).tolist()
    writer = LibraryWriter(tmp_path / "library.sqlite3")
    genres = fill(writer, csv_data, rows)
    list(reclassify(bundled, writer, MODEL_RECIPE_VERSION))
    yield Library(tmp_path / "library.sqlite3", writer, genres, np.array(held))
    writer.close()


@pytest.fixture
def personal_dir(tmp_path) -> Path:
    return tmp_path / "personal_model"
