"""Cross-validation of the personal model: folds of whole tracks, calibration, the blend weight,
and the accuracy the card reports.

- Folds are stratified and made of whole tracks: a track's windows are never split between
  training and test, and anchors take part like corrections.
- Calibration: the temperature (of TEMPERATURES) that minimises the held-out log-loss, weighted
  like training. The model is strongly regularised, hence under-confident, which would blur every
  blended answer.
- Blend weight: the one of BLEND_WEIGHTS whose blend (core/personal_model.py) gets the best
  held-out accuracy on the corrected tracks, recall per genre averaged. Anchors take no part:
  their labels are the bundled model's own calls, so scoring on them favours the bundled model
  (on the benchmark's libraries of the user's genres it chose 0.15-0.3 for 6 users in 8 at
  K = 3). Scored on the corrections alone, those libraries gained 0.9 / 4.1 / 0.0 points at
  K = 3 / 5 / 10, mixed libraries 0.7 / 0.9 / 2.5, and the untouched genres moved by
  0.0 / -0.2 / +3.6 points where they had moved by -0.5 / -1.0 / +0.5.
- The card: the blended classifier's accuracy on the user's own labels (and the bundled model's on
  the same tracks), per genre, or NOT_ENOUGH for a genre with fewer than MIN_TRACKS_PER_GENRE
  corrected tracks.

Public API: HeldOut, track_folds, softmax, best_temperature, choose_weight, cross_validation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from genre_desktop.core.other_genres import track_means
from genre_desktop.core.model.blend import blend

CV_FOLDS = 5
MIN_TRACKS_PER_GENRE = 2
NOT_ENOUGH = "not enough examples"
BLEND_WEIGHTS = (0.15, 0.3, 0.5, 0.7, 0.85, 1.0)
DEFAULT_WEIGHT = 0.5  # when there are too few tracks to cross-validate
TEMPERATURES = tuple(np.geomspace(0.1, 2.0, 31))
SEED = 20240601


@dataclass(frozen=True)
class HeldOut:
    """Out-of-fold predictions, one row per window, and what scoring a blend needs."""

    personal: np.ndarray  # (n_windows, len(classes))
    classes: tuple[str, ...]
    bundled: np.ndarray  # (n_windows, len(bundled_genres)): the bundled model alone
    bundled_genres: tuple[str, ...]
    genres: np.ndarray  # (n_windows,) the true genre
    tracks: np.ndarray  # (n_windows,) track ids
    folds: int

    def sharpened(self, temperature: float) -> "HeldOut":
        return replace(self, personal=sharpen(self.personal, temperature))


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


def softmax(logits: np.ndarray) -> np.ndarray:
    top = logits.max(axis=1, keepdims=True)
    odds = np.exp(logits - np.where(np.isfinite(top), top, 0.0))
    return odds / np.maximum(odds.sum(axis=1, keepdims=True), 1e-300)


def sharpen(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T); a genre absent from a fold's training stays impossible."""
    logits = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logits[probs <= 0] = -np.inf
    return softmax(logits)


def best_temperature(held: HeldOut, weights: np.ndarray) -> float:
    truth = np.array([held.classes.index(str(g)) for g in held.genres])
    best, best_loss = 1.0, np.inf
    for temperature in TEMPERATURES:
        p = sharpen(held.personal, temperature)[np.arange(len(truth)), truth]
        loss = float(-(weights * np.log(np.clip(p, 1e-12, 1.0))).sum())
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def choose_weight(held: HeldOut, scored: np.ndarray) -> tuple[float, dict[str, float]]:
    """(weight, {weight: score}); scored: the windows to score on (the corrections')."""
    if held.folds < 2 or not scored.any():
        return DEFAULT_WEIGHT, {}
    scores = {}
    for weight in BLEND_WEIGHTS:
        _, predicted, truth = _blended_tracks(held, scored, weight)
        scores[f"{weight:g}"] = round(_balanced_accuracy(predicted, truth), 4)
    best = max(BLEND_WEIGHTS, key=lambda w: (scores[f"{w:g}"], -abs(w - DEFAULT_WEIGHT)))
    return float(best), scores


def cross_validation(held: HeldOut, is_correction: np.ndarray, weight: float,
                     per_genre: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The card's accuracy on the user's labels; per_genre: corrected tracks and windows."""
    report = {genre: dict(count) for genre, count in per_genre.items()}
    counted = np.zeros(len(held.genres), bool)
    for genre, count in report.items():
        enough = held.folds >= 2 and count["tracks"] >= MIN_TRACKS_PER_GENRE
        count["accuracy"] = None if enough else NOT_ENOUGH
        if enough:
            counted |= is_correction & (held.genres == genre)
    result: dict[str, Any] = {"folds": held.folds if counted.any() else None, "tracks": 0,
                              "accuracy": None, "bundled_accuracy": None, "per_genre": report}
    if not counted.any():
        return result
    ids, predicted, truth = _blended_tracks(held, counted, weight)
    _, bundled_tracks = _track_means(held.bundled[counted], held.tracks[counted])
    bundled_predicted = np.array(held.bundled_genres)[bundled_tracks.argmax(axis=1)]
    for genre in np.unique(truth):
        report[str(genre)]["accuracy"] = round(float(np.mean(predicted[truth == genre] == genre)), 4)
    result.update(tracks=len(ids), accuracy=round(float(np.mean(predicted == truth)), 4),
                  bundled_accuracy=round(float(np.mean(bundled_predicted == truth)), 4))
    return result


def _track_means(window_probs: np.ndarray, tracks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean window distribution per track -> (track ids, (n_tracks, n_genres))."""
    return np.unique(tracks), track_means(window_probs, tracks)


def _blended_tracks(held: HeldOut, mask: np.ndarray, weight: float):
    """(track ids, predicted genre, true genre) of the blend on the masked windows."""
    genres, mixed = blend(held.bundled[mask], held.bundled_genres, held.personal[mask], held.classes, weight)
    ids, tracks = _track_means(mixed, held.tracks[mask])
    truth = {int(t): str(g) for t, g in zip(held.tracks[mask], held.genres[mask])}
    predicted = np.array(genres)[tracks.argmax(axis=1)]
    return ids, predicted, np.array([truth[int(t)] for t in ids])


def _balanced_accuracy(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([np.mean(predicted[truth == g] == g) for g in np.unique(truth)]))
