"""Cross-validation of the personal model on the user's own labels, for its card.

Folds are stratified and made of whole tracks: a track's windows are never split between
training and test. Each fold's model is fitted without the fold's corrections and judged on them
as the app would answer (core/model/blend.py: its answer counts near the other corrections only),
against the bundled model alone on the same tracks. A genre with fewer than MIN_TRACKS_PER_GENRE
corrected tracks is reported as NOT_ENOUGH.

Public API: track_folds, cross_validation, track_means, CV_FOLDS, MIN_TRACKS_PER_GENRE, NOT_ENOUGH.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.model.blend import blend

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier
    from genre_desktop.core.personal.examples import Examples
    from genre_desktop.core.personal.model import PersonalModel

CV_FOLDS = 5
MIN_TRACKS_PER_GENRE = 2
NOT_ENOUGH = "not enough examples"
SEED = 20240601


def track_folds(genres: np.ndarray, tracks: np.ndarray) -> np.ndarray:
    """Fold number per window (-1: too few tracks for two folds): whole tracks, dealt out genre
    by genre."""
    if len(genres) == 0:
        return np.zeros(0, dtype=int)
    rng = np.random.default_rng(SEED)
    per_genre = {str(g): np.unique(tracks[genres == g]) for g in np.unique(genres)}
    n_folds = min(CV_FOLDS, max(len(t) for t in per_genre.values()))
    if n_folds < 2:
        return np.full(len(genres), -1)
    fold_of: dict[tuple[str, int], int] = {}
    offset = 0
    for genre, genre_tracks in per_genre.items():
        for rank, track in enumerate(rng.permutation(genre_tracks)):
            fold_of[(genre, int(track))] = (rank + offset) % n_folds
        offset += len(genre_tracks)  # genres with few tracks do not all land in fold 0
    return np.array([fold_of[(str(g), int(t))] for g, t in zip(genres, tracks)])


def track_means(rows: np.ndarray, tracks: np.ndarray) -> np.ndarray:
    """Mean row (window) per track, in the order of np.unique(tracks)."""
    ids, inverse = np.unique(tracks, return_inverse=True)
    sums = np.zeros((len(ids), rows.shape[1]))
    np.add.at(sums, inverse, rows)
    return sums / np.bincount(inverse)[:, None]


def cross_validation(plain: "GenreClassifier", corrections: "Examples", scaled: np.ndarray,
                     fitted_on: Callable[[np.ndarray], "PersonalModel"],
                     cancel: CancelToken | None = None) -> dict[str, Any]:
    """The card's accuracy on the user's labels. fitted_on(mask) fits on the masked windows."""
    report: dict[str, Any] = {g: dict(c) for g, c in corrections.per_genre().items()}
    folds = track_folds(corrections.genres, corrections.tracks)
    n_folds = int(folds.max()) + 1 if len(folds) else 0
    counted = np.array([n_folds >= 2 and report[str(g)]["tracks"] >= MIN_TRACKS_PER_GENRE
                        for g in corrections.genres], dtype=bool)
    for genre, count in report.items():
        count["accuracy"] = None if counted[corrections.genres == genre].any() else NOT_ENOUGH
    result: dict[str, Any] = {"folds": n_folds if counted.any() else None, "tracks": 0,
                              "accuracy": None, "bundled_accuracy": None, "per_genre": report}
    if not counted.any():
        return result
    reference, _ = plain.reference_examples()
    bundled = plain.predict_proba(corrections.features)
    truth, predicted, bundled_predicted = [], [], []
    for fold in range(n_folds):
        if cancel is not None:
            cancel.check()
        held = (folds == fold) & counted
        if not held.any():
            continue
        model = fitted_on(folds != fold)
        genres, mixed = blend(bundled[held], plain.bundled_genres, model.predict_scaled(scaled[held]),
                              model.genres, model.taught, model.evidence(scaled[held], reference))
        ids = np.unique(corrections.tracks[held])
        genre_of = {int(t): str(g) for t, g in zip(corrections.tracks[held], corrections.genres[held])}
        truth += [genre_of[int(t)] for t in ids]
        predicted += [genres[i] for i in track_means(mixed, corrections.tracks[held]).argmax(axis=1)]
        bundled_predicted += [plain.bundled_genres[i]
                              for i in track_means(bundled[held], corrections.tracks[held]).argmax(axis=1)]
    truth_a, predicted_a = np.array(truth), np.array(predicted)
    for genre in np.unique(truth_a):
        report[str(genre)]["accuracy"] = round(float(np.mean(predicted_a[truth_a == genre] == genre)), 4)
    result.update(tracks=len(truth), accuracy=round(float(np.mean(predicted_a == truth_a)), 4),
                  bundled_accuracy=round(float(np.mean(np.array(bundled_predicted) == truth_a)), 4))
    return result
