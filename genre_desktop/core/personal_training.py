"""Fitting the personal model from the user's corrections, plus anchors from their own library.

The examples (corrections and anchors) come from core/personal_examples.py.

The model: multinomial logistic regression (strongly regularised, C=REGULARIZATION_C) in the
bundled model's scaled feature space, temperature-scaled on its held-out predictions (strong
regularisation makes it under-confident, which would blur every blended answer). Weights: every
track of a genre counts the same, whatever its number of windows; each of the user's genres
weighs 1 in total (its corrections, and its anchors where it keeps them: core/personal_examples.py),
so three corrections of a new genre count as much as hundreds of anchors of an old one; a genre known only from anchors (every other genre) weighs ANCHOR_GENRE_WEIGHT times its
anchor count relative to the largest (a genre the bundled model only imagines in this library
yields few sure tracks), times the trust below. The anchor threshold and these weights were
chosen on the benchmark's held-out genres: they trade accuracy on the user's new genres for the
genres the user never touched, which should lose at most 2 points. Once the user's own genres
took no anchors, ANCHOR_GENRE_WEIGHT 1.2 cost the untouched genres 3.0 / 3.3 points at K = 3 / 5;
1.4 cost 1.8 / 1.9 and 1.6 cost 0.5 / 1.0, for 4-8 points on libraries of the user's genres.

Trust: in a library of the user's genres alone, every anchor of another genre is the bundled
model hearing the user's music wrongly, so the other genres' weight is scaled by a trust factor
from core/other_genres.py's estimate of their share of the library
(personal_examples.other_genres_in_library): none below the bottom of OTHER_GENRES_RAMP, full from
its top, in proportion between, and never below MIN_OTHER_WEIGHT while a corrected genre has fewer
than SURE_ESTIMATE_TRACKS tracks (the estimate reads below the ramp for up to 1 library in 6
where a fifth is other genres). The ramp sits low because the estimate reads low: libraries of
the user's genres read 0.05-0.08 at the 95th percentile, a fifth of other genres 0.11-0.18 on
average. On the benchmark's users (3 new + 2 known genres; 1 new + 3 known), against the previous
estimate (adjusted classify-and-count, ramp 0.25-0.45): libraries of the user's genres went from
0.569 / 0.723 / 0.738 to 0.685 / 0.698 / 0.729 at K = 3 / 5 / 10 (0.683 / 0.645 / 0.796 to
0.697 / 0.702 / 0.771), the untouched genres of libraries holding every genre moved by
+1.9 / +1.0 / +3.4 points (-0.9 / +0.7 / +3.6 before; +4.6 / +5.7 / +5.8 both times), and where
the other genres are a fifth of the library by -4.1 / -3.2 / -3.8 instead of -13.4 / -10.1 /
-11.2 (+1.4 / -1.3 / +0.9 instead of -7.2 / -13.0 / -2.2). With full trust everywhere those
fifth-other libraries lose 0.0 / 1.0 / 3.1 points (3 new + 2 known): what is left at K = 10 is
how few sure calls a minority genre has, not the estimate.

Cross-validation over folds of whole tracks calibrates the model and chooses the blend weight
(core/personal_validation.py); the card reports how the blended classifier does on the user's
own labels.

Public API: fit, fit_weights, FittedPersonal, PersonalTrainingError.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from genre_desktop.core import personal_validation as validation
from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.personal_examples import (
    ANCHOR_CONFIDENCE, ANCHORS_PER_GENRE, OWN_EXAMPLES_ENOUGH, Examples, other_genres_in_library,
)
from genre_desktop.core.personal_validation import (  # noqa: F401  (public API)
    BLEND_WEIGHTS,
    MIN_TRACKS_PER_GENRE,
    NOT_ENOUGH,
)

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier

REGULARIZATION_C = 0.03
ANCHOR_GENRE_WEIGHT = 1.6  # a genre known only from anchors, at most, against 1 for a user's genre
OTHER_GENRES_RAMP = (0.04, 0.12)  # the other genres' share estimate from which their anchors count, and in full
MIN_OTHER_WEIGHT = 0.25  # they keep at least this share of their weight...
SURE_ESTIMATE_TRACKS = 10  # ...until every corrected genre has this many tracks


class PersonalTrainingError(ValueError):
    """The examples cannot make a model; str(e) says why in plain words."""


@dataclass(frozen=True)
class FittedPersonal:
    genres: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    weight: float
    card: dict[str, Any]  # everything but the file names and sha256 (personal_model.save adds them)


def fit(bundled: "GenreClassifier", corrections: Examples, anchors: Examples,
        cancel: CancelToken | None = None) -> FittedPersonal:
    """Cross-validate, calibrate, choose the blend weight, fit on everything (module docstring)."""
    # One BLAS thread: on a busy 2-core machine more threads made a 0.2 s fit take 10 s.
    with threadpool_limits(1):
        return _fit(bundled, corrections, anchors, cancel)


def _fit(bundled: "GenreClassifier", corrections: Examples, anchors: Examples,
         cancel: CancelToken | None) -> FittedPersonal:
    started = time.perf_counter()
    if len(corrections) == 0:
        raise PersonalTrainingError("there are no corrected tracks with analysed audio to learn from")
    plain = bundled.bundled_only()
    users = set(map(str, np.unique(corrections.genres)))
    taught = {g for g, count in corrections.per_genre().items() if count["tracks"] >= OWN_EXAMPLES_ENOUGH}
    anchors = anchors.without_genres(taught)  # see core/personal_examples.py
    every = corrections.concat(anchors)
    if len(np.unique(every.genres)) < 2:
        raise PersonalTrainingError("learning needs tracks of at least two genres (your corrections, "
                                    "or tracks the bundled model is sure of)")
    scaled = plain.scale(every.features)
    bundled_probs = plain.predict_proba(every.features)
    other_share = other_genres_in_library(plain, corrections, anchors)
    trust = _other_genres_trust(other_share, corrections)
    classes = tuple(str(g) for g in np.unique(every.genres))
    folds = validation.track_folds(every.genres, every.tracks)
    n_folds = int(folds.max()) + 1 if len(folds) else 0
    oof = np.zeros((len(every), len(classes)))
    for fold in range(n_folds):
        if cancel is not None:
            cancel.check()
        held = folds == fold
        coef, intercept, fold_classes = fit_weights(scaled[~held], every.genres[~held], every.tracks[~held], users,
                                                    trust)
        oof[np.ix_(held, [classes.index(c) for c in fold_classes])] = validation.softmax(scaled[held] @ coef.T + intercept)
    held_out = validation.HeldOut(oof, classes, bundled_probs, plain.genres,
                                  every.genres, every.tracks, n_folds)
    temperature = 1.0
    if n_folds >= 2:
        temperature = validation.best_temperature(held_out, _example_weights(every.genres, every.tracks, users, trust))
        held_out = held_out.sharpened(temperature)
    is_correction = np.arange(len(every)) < len(corrections)
    weight, scores = validation.choose_weight(held_out, is_correction)
    if cancel is not None:
        cancel.check()
    coef, intercept, final_classes = fit_weights(scaled, every.genres, every.tracks, users, trust)
    coef, intercept = coef / temperature, intercept / temperature
    cv = validation.cross_validation(held_out, is_correction, weight, corrections.per_genre())
    card = {
        "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fitted_at_unix": time.time(),
        "bundled_model_version": plain.version,
        "feature_recipe_version": MODEL_RECIPE_VERSION,
        "user_genres": sorted(set(corrections.genres.tolist()), key=str.lower),
        "new_genres": sorted({g for g in corrections.genres.tolist() if g not in plain.genres}, key=str.lower),
        "examples": corrections.per_genre(),
        "corrected_tracks": corrections.track_count,
        "anchors": {"tracks": anchors.track_count, "min_confidence": ANCHOR_CONFIDENCE,
                    "max_per_genre": ANCHORS_PER_GENRE,
                    "other_genres_in_library": None if other_share is None else round(other_share, 3),
                    "other_genres_weight_factor": round(trust, 3),
                    "other_genres_weight_floor": _trust_floor(corrections),
                    "per_genre": {g: c["tracks"] for g, c in anchors.per_genre().items()}},
        "method": {"classifier": "multinomial logistic regression", "C": REGULARIZATION_C,
                   "temperature": round(temperature, 4),
                   "features": "the bundled model's scaled features (log variances, GTZAN scaler)",
                   "class_weight": "balanced per genre, then per track"},
        "blend": {"weight": weight, "candidates": scores,
                  "rule": "new genres: the personal probability as it is; bundled genres: "
                          "(1 - weight) * bundled + weight * personal, scaled to the rest",
                  "chosen_by": f"class-balanced accuracy on your corrections over {n_folds} folds of whole tracks"
                               if n_folds else "default (too few tracks to cross-validate)"},
        "cross_validation": cv,
        "min_tracks_per_genre": MIN_TRACKS_PER_GENRE,
        "fit_seconds": round(time.perf_counter() - started, 3),
    }
    return FittedPersonal(final_classes, coef, intercept, weight, card)


# --- pieces -----------------------------------------------------------------------------------

def _trust_floor(corrections: Examples) -> float:
    fewest = min(c["tracks"] for c in corrections.per_genre().values())
    return MIN_OTHER_WEIGHT if fewest < SURE_ESTIMATE_TRACKS else 0.0


def _other_genres_trust(share: float | None, corrections: Examples) -> float:
    """How much the other genres' anchors weigh (1: in full; module docstring). None: nothing to
    estimate, so in full."""
    if share is None:
        return 1.0
    low, high = OTHER_GENRES_RAMP
    return max(_trust_floor(corrections), min(1.0, max(0.0, (share - low) / (high - low))))


def _example_weights(genres: np.ndarray, tracks: np.ndarray, user_genres: set[str],
                     trust: float = 1.0) -> np.ndarray:
    """Every track of a genre weighs the same, whatever its number of windows. A genre of the
    user's weighs 1 in total; a genre known only from anchors weighs its anchor count over the
    largest such count: a genre that really is in the library yields many sure tracks, one the
    bundled model only imagines (the user's music heard as it) yields few. Mean weight 1."""
    _, track_index, windows_per_track = np.unique(tracks, return_inverse=True, return_counts=True)
    tracks_per_genre = {str(g): len(np.unique(tracks[genres == g])) for g in np.unique(genres)}
    total = _genre_weights(tracks_per_genre, user_genres, trust)
    per_track = np.array([total[g] / tracks_per_genre[g] for g in genres.tolist()])
    weights = per_track / windows_per_track[track_index]
    return weights * len(weights) / weights.sum()


def _genre_weights(tracks_per_genre: dict[str, int], user_genres: set[str], trust: float = 1.0) -> dict[str, float]:
    anchor_only = [n for g, n in tracks_per_genre.items() if g not in user_genres]
    largest = max(anchor_only, default=1)
    return {g: 1.0 if g in user_genres else trust * ANCHOR_GENRE_WEIGHT * n / largest
            for g, n in tracks_per_genre.items()}


def fit_weights(scaled: np.ndarray, genres: np.ndarray, tracks: np.ndarray, user_genres: set[str] | None = None,
                trust: float = 1.0) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The logistic regression alone, on scaled features: (coef, intercept, classes).
    user_genres: the corrected genres (None: every genre is one of the user's); trust scales the
    weight of the other genres (module docstring)."""
    from sklearn.linear_model import LogisticRegression

    classes = tuple(str(g) for g in np.unique(genres))
    if len(classes) == 1:  # a fold may hold one genre only: it then predicts that genre
        return np.zeros((1, scaled.shape[1])), np.zeros(1), classes
    model = LogisticRegression(C=REGULARIZATION_C, max_iter=5000)
    users = set(map(str, np.unique(genres))) if user_genres is None else user_genres
    model.fit(scaled, genres, sample_weight=_example_weights(genres, tracks, users, trust))
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: make it a softmax pair
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef, intercept, tuple(str(c) for c in model.classes_)
