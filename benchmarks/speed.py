"""Speed of the personal model, for bench_personalize.py: fitting, learning, re-predicting.

A real SQLite library (LibraryWriter) of 10,000 analysed tracks, three stored windows each: the
rows of features_30_sec.csv, each used for ten tracks with 2% noise per window (stored features
are all that learning and re-predicting read; nothing is decoded). Measured in this process:
- fit time (cross-validation and final fit) for 10, 100 and 1,000 corrected tracks;
- learn(): the whole thing as the app runs it (collect, fit, save, re-predict 10k);
- re-predicting all 10k tracks for "Use bundled model only" and back;
- the review queue over the 10k tracks.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

TRACKS = 10_000
WINDOWS = 3
NEW_GENRE = "electronic"  # the user's name for the CSV's disco tracks: a genre the model lacks


def build_library(db_path: Path, data, tracks: int = TRACKS, seed: int = 0) -> list[str]:
    """Tracks straight into SQL, as a scan would leave them (without predictions yet)."""
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.library.writer import LibraryWriter

    rng = np.random.default_rng(seed)
    genres = []

    def insert(conn):
        now = time.time()
        for i in range(tracks):
            row = i % len(data.y)
            genres.append(str(data.y[row]))
            conn.execute(
                "INSERT INTO tracks(id, path, size, mtime_ns, title, artist, status, added_at, scanned_at) "
                "VALUES (?, ?, 1, 1, ?, ?, 'ok', ?, ?)",
                (i + 1, f"/music/{data.y[row]}/{i:05d}.mp3", f"Track {i}", f"Artist {i % 300}", now, now))
            noisy = data.X[row] * (1 + rng.normal(0, 0.02, (WINDOWS, data.X.shape[1])))
            noisy[:, data.feature_names.index("tempo")] = data.X[row, data.feature_names.index("tempo")]
            conn.executemany("INSERT INTO windows(track_id, idx, start_s, end_s, features, recipe_version) VALUES (?, ?, ?, ?, ?, ?)",
                             [(i + 1, k, 30.0 * k, 30.0 * k + 30, noisy[k].tobytes(), MODEL_RECIPE_VERSION)
                              for k in range(WINDOWS)])

    with LibraryWriter(db_path) as writer:
        writer.call(insert)
    return genres



def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - started, 3)


def speed_report(data, cache: Path) -> dict:
    from genre_desktop.core.personal import examples as px, training as pt
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
    from genre_desktop.core.cancel import drain
    from genre_desktop.library import personalize
    from genre_desktop.library.db import connect
    from genre_desktop.library.reclassify import reclassify
    from genre_desktop.library.review import review_queue
    from genre_desktop.library.writer import LibraryWriter
    from genre_desktop.library.writes import set_labels

    report: dict = {"tracks": TRACKS, "windows_per_track": WINDOWS, "load_average_before": os.getloadavg()[0]}
    bundled, report["load_bundled_model_seconds"] = _timed(GenreClassifier.load)
    with tempfile.TemporaryDirectory(dir=cache) as folder:
        db_path = Path(folder) / "library.sqlite3"
        genres, report["build_library_seconds"] = _timed(lambda: build_library(db_path, data))
        with LibraryWriter(db_path) as writer:
            _, report["first_prediction_10k_seconds"] = _timed(lambda: list(reclassify(bundled, writer, MODEL_RECIPE_VERSION)))
            conn = connect(db_path, readonly=True)
            windows = personalize.unlabelled_windows(conn, MODEL_RECIPE_VERSION)
            fits = {}
            for n in (10, 100, 1000):
                corrected = list(range(0, TRACKS, TRACKS // n))[:n]
                examples = px.Examples.from_tracks(
                    (tid + 1, NEW_GENRE if genres[tid] == "disco" else genres[tid], windows[tid + 1]) for tid in corrected)
                fitted, seconds = _timed(lambda: pt.fit(bundled, examples))
                fits[str(n)] = {"seconds": seconds, "windows": len(examples)}
            report["fit"] = fits
            labelled = [t + 1 for t in range(0, TRACKS, 10)][:1000]
            for genre in sorted(set(genres)):
                ids = [t for t in labelled if genres[t - 1] == genre]
                writer.call(lambda c, ids=ids, g=genre: set_labels(c, ids, NEW_GENRE if g == "disco" else g))
            personal_dir = Path(folder) / "personal_model"
            summary, report["learn_1000_corrections_10k_library_seconds"] = _timed(
                lambda: drain(personalize.learn(writer, bundled, personal_dir, MODEL_RECIPE_VERSION)))
            report["learn_repredict_seconds"] = summary.repredict_seconds
            report["learn_summary"] = {"changed": summary.changed, "decided_by_personal": summary.decided_by_personal,
                                       "cv_accuracy": summary.cv_accuracy,
                                       "untouched_changed": summary.untouched_changed}
            joined = GenreClassifier.load(personal_dir=personal_dir)
            outcome, report["repredict_10k_bundled_only_seconds"] = _timed(
                lambda: drain(personalize.repredict(writer, bundled, MODEL_RECIPE_VERSION)))
            report["repredicted_bundled_only"] = outcome.repredicted
            outcome, report["repredict_10k_personal_seconds"] = _timed(
                lambda: drain(personalize.repredict(writer, joined, MODEL_RECIPE_VERSION)))
            report["repredicted_personal"] = outcome.repredicted
            queue, report["review_queue_10k_seconds"] = _timed(lambda: review_queue(conn, joined, MODEL_RECIPE_VERSION, 50))
            report["review_queue_kinds"] = sorted({item.kind for item in queue})
            conn.close()
    report["load_average_after"] = os.getloadavg()[0]
    return report
