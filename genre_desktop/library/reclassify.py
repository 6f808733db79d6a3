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
from genre_desktop.core.types import TrackPrediction, Window
from genre_desktop.library import scan_store
from genre_desktop.library.writer import LibraryWriter

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier

CHUNK = 500


def predict_many(
    classifier: "GenreClassifier", stored: dict[int, tuple[list[Window], np.ndarray]]
) -> list[tuple[int, TrackPrediction]]:
    """What classifier.predict_track gives for each track, with one predict_proba call."""
    ids = list(stored)
    return list(zip(ids, classifier.predict_tracks([stored[i] for i in ids])))


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
