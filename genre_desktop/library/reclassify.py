"""Classifying stored features again: tracks scanned without a model, or after the model changed.

No audio is decoded: the features of every analysed window are in the library. Predictions are
made in one predict_proba call per chunk of tracks (per-track calls cost ~20x more in
scikit-learn overhead, which matters when a new model meets a library of 100,000 tracks).
Labels are never touched; derived genres are recomputed as predictions are stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.types import TrackPrediction, Window, WindowPrediction
from genre_desktop.library import scan_store
from genre_desktop.library.writer import LibraryWriter

if TYPE_CHECKING:
    from genre_desktop.core.classifier import GenreClassifier

CHUNK = 500


def predict_many(
    classifier: "GenreClassifier", stored: dict[int, tuple[list[Window], np.ndarray]]
) -> list[tuple[int, TrackPrediction]]:
    """What classifier.predict_track gives for each track, with one predict_proba call."""
    from genre_desktop.core.classifier import aggregate_windows

    if not stored:
        return []
    ids = list(stored)
    X = np.vstack([stored[i][1] for i in ids])
    # A classifier joined by a personal model also says which model decided; one without
    # predict_windows (only genres, version, recommended_threshold, predict_proba) is a bundled one.
    if hasattr(classifier, "predict_windows"):
        per_window, bundled = classifier.predict_windows(X)
    else:
        per_window = bundled = classifier.predict_proba(X)
    genres = classifier.genres
    results = []
    row = 0
    for track_id in ids:
        windows = stored[track_id][0]
        block = per_window[row:row + len(windows)]
        bundled_track = aggregate_windows(bundled[row:row + len(windows)])
        row += len(windows)
        track = aggregate_windows(block)
        best = int(np.argmax(track))
        results.append((track_id, TrackPrediction(
            genre=genres[best],
            confidence=float(track[best]),
            probabilities=dict(zip(genres, map(float, track))),
            windows=[
                WindowPrediction(w, genres[int(np.argmax(p))], dict(zip(genres, map(float, p))))
                for w, p in zip(windows, block)
            ],
            uncertain=bool(track[best] < classifier.recommended_threshold),
            model_version=classifier.version,
            decided_by=(classifier.decided_by(track, bundled_track)
                        if hasattr(classifier, "decided_by") else "model"),
        )))
    return results


def reclassify(
    classifier: "GenreClassifier", writer: LibraryWriter, recipe_version: str,
    cancel: CancelToken | None = None,
) -> Iterator[tuple[int, int, list[int]]]:
    """Predict every track whose stored features lack a prediction from this model version.
    Yields (done, total, track ids just written) after each chunk."""
    ids = writer.call(lambda c: scan_store.tracks_needing_prediction(c, classifier.version, recipe_version))
    for start in range(0, len(ids), CHUNK):
        if cancel is not None and cancel.cancelled:
            return
        chunk = ids[start:start + CHUNK]
        stored = writer.call(lambda c: scan_store.load_features(c, chunk))
        predictions = predict_many(classifier, stored)
        writer.call(lambda c: scan_store.store_predictions(c, predictions))
        yield start + len(chunk), len(ids), [tid for tid, _ in predictions]
