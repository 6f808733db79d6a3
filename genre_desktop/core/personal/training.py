"""Fitting the personal model from the user's corrections (core/personal/model.py says what it is).

Its examples: the bundled model's own training examples (model.recipe.reference_examples: one row
per GTZAN clip, in the bundled model's scaled space) and every analysed window of every corrected
track. Each corrected track weighs CORRECTION_WEIGHT training examples, shared by its windows.
Because every genre the user never corrected keeps its training examples, the model needs no
estimate of what the library holds; because its answer counts only within REACH of the user's
examples (the local evidence), it cannot take over tracks far from anything the user taught.

CORRECTION_WEIGHT, REACH and REGULARIZATION_C were chosen on benchmarks/bench_personalize.py's
tuning pool (the fault-filtered train split, halved by artist: a variant of the bundled model fit
on one half without two genres, the user's library from the other), never on the test split: of
weights 5/10/20, reaches 0.5-0.9 and C 0.03/0.1 (18 users per cell), the one with the best accuracy
on libraries of the user's genres at K = 3 (0.68; 0.83 at K = 10) among those that kept the genres
the user never touched within 2 points in every library mix and K (at worst -1.5). Stronger
settings gained up to 4 points on the user's genres and cost the others up to 4.3. The card states
them.

Cross-validation over folds of whole corrected tracks (core/personal/validation.py) reports how the
blended classifier does on the user's own labels, against the bundled model alone.

Public API: fit, fit_weights, PersonalTrainingError, MIN_TRACKS_PER_GENRE, NOT_ENOUGH.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from genre_desktop.core.personal import validation
from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.personal.examples import Examples
from genre_desktop.core.personal.model import PersonalModel
from genre_desktop.core.personal.validation import MIN_TRACKS_PER_GENRE, NOT_ENOUGH  # noqa: F401  (public API)

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier

CORRECTION_WEIGHT = 5.0  # one corrected track counts as this many bundled training examples
REACH = 0.6  # local evidence is full within REACH x the distance to the training examples
REGULARIZATION_C = 0.1


class PersonalTrainingError(ValueError):
    """The examples cannot make a model; str(e) says why in plain words."""


def fit(bundled: "GenreClassifier", corrections: Examples, cancel: CancelToken | None = None) -> PersonalModel:
    """Cross-validate, then fit on everything (module docstring). The card has no version yet:
    core/personal/model.save gives it one."""
    # One BLAS thread: on a busy 2-core machine more threads made a 0.2 s fit take 10 s.
    with threadpool_limits(1):
        return _fit(bundled.bundled_only(), corrections, cancel)


def _fit(plain: "GenreClassifier", corrections: Examples, cancel: CancelToken | None) -> PersonalModel:
    started = time.perf_counter()
    if len(corrections) == 0:
        raise PersonalTrainingError("there are no corrected tracks with analysed audio to learn from")
    reference, reference_genres = plain.reference_examples()
    scaled = plain.scale(corrections.features)
    taught = tuple(sorted(set(map(str, corrections.genres)), key=str.lower))

    def fitted_on(mask: np.ndarray) -> PersonalModel:
        coef, intercept, classes = fit_weights(reference, reference_genres, scaled[mask],
                                               corrections.genres[mask], corrections.tracks[mask])
        return PersonalModel(classes, coef, intercept, tuple(sorted(set(map(str, corrections.genres[mask])))),
                             scaled[mask].astype(np.float32), REACH, {})

    cv = validation.cross_validation(plain, corrections, scaled, fitted_on, cancel)
    if cancel is not None:
        cancel.check()
    model = fitted_on(np.ones(len(corrections), bool))
    card = {
        "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fitted_at_unix": time.time(),
        "bundled_model_version": plain.version,
        "feature_recipe_version": MODEL_RECIPE_VERSION,
        "user_genres": list(taught),
        "new_genres": [g for g in taught if g not in plain.bundled_genres],
        "examples": corrections.per_genre(),
        "corrected_tracks": corrections.track_count,
        "method": {
            "classifier": "multinomial logistic regression refit on the bundled model's training examples "
                          "plus your corrections", "C": REGULARIZATION_C,
            "correction_weight": CORRECTION_WEIGHT, "reference_examples": int(len(reference)),
            "features": "the bundled model's scaled features",
            "local_evidence": f"full where one of your corrected tracks is within {REACH:g} x a track's distance "
                              "to the bundled model's training examples, none from twice that",
            "rule": "only the genres you corrected can gain or lose; the others keep the bundled "
                    "model's proportions",
        },
        "cross_validation": cv,
        "min_tracks_per_genre": MIN_TRACKS_PER_GENRE,
        "fit_seconds": round(time.perf_counter() - started, 3),
    }
    return PersonalModel(model.genres, model.coef, model.intercept, taught, model.examples, REACH, card)


def fit_weights(reference: np.ndarray, reference_genres: np.ndarray, scaled: np.ndarray, genres: np.ndarray,
                tracks: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The logistic regression on the training examples plus the corrected windows (scaled):
    (coef, intercept, classes)."""
    from sklearn.linear_model import LogisticRegression

    _, track_index, windows_per_track = np.unique(tracks, return_inverse=True, return_counts=True)
    weights = np.r_[np.ones(len(reference)), CORRECTION_WEIGHT / windows_per_track[track_index]]
    X = np.vstack([reference, scaled])
    y = np.r_[np.asarray(reference_genres, dtype=str), np.asarray(genres, dtype=str)]
    model = LogisticRegression(C=REGULARIZATION_C, max_iter=5000).fit(X, y, sample_weight=weights)
    return model.coef_, model.intercept_, tuple(str(c) for c in model.classes_)
