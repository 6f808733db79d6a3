"""Whether a library holds music of genres the user never corrected.

The personal model learns the other genres from anchors, the library's tracks the bundled model
is sure of. That protects them where the library really holds them, and misleads where it holds
only the user's genres: there every sure call of another genre is the bundled model hearing the
user's music wrongly (pop heard as disco). Telling the two libraries apart decides how much those
anchors may weigh (core/personal_training.py).

The estimate is a mixture proportion ("best bin"). A logistic regression learns to tell the
bundled model's own training examples of the other genres (model.recipe.reference_examples) from
the library's tracks and the user's corrected ones, in the bundled model's scaled space; every
row is scored by a model fit without it (FOLDS folds; REPEATS such cross-fits, their estimates
averaged). If a share s of the library is of the other genres, then above any score the library
holds at least s times the share of the reference examples above it; so the smallest ratio of
the two shares, over the scores that leave at least MIN_REFERENCE_SHARE of the reference examples
above, estimates s. It needs no held-out rate of the corrections: with 3 corrections a genre that
rate was the noisy part of the earlier estimate (adjusted classify-and-count), whose 95th
percentile read 0.45-0.56 on libraries of the user's genres at K = 3, and whose 5th percentile read
0.00-0.18 where a fifth of the library was other genres.

Measured on simulated users (GTZAN's fault-filtered test split, genres held out of a variant of
the bundled model, benchmarks/bench_personalize.py's libraries; 24 users per cell, 3 new + 2
known genres and 1 new + 3 known, K = 3 / 5 / 10): libraries of the user's genres alone read 0.00
in the median and 0.05-0.08 at the 95th percentile (at most 0.07-0.21); where a fifth of the
library is other genres, 0.11-0.18 on average, and below 0.04 for 0-17% of users; where half or
more is, 0.27-0.32, and 0.04-0.16 at the least. It reads low, because the library's own
other-genre tracks are among the rows it learns as "not other", so it says whether the other
genres are there rather than how much of the library they are.

Public API: other_genres_share, track_means, SHARE_C, MIN_REFERENCE_SHARE.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.linear_model import LogisticRegression

SHARE_C = 0.03  # strong regularisation: the library is a mixture, the classifier only ranks
FOLDS = 5
REPEATS = 5  # cross-fits with other folds, averaged: one alone moved the untouched genres by up to 7 points
MIN_REFERENCE_SHARE = 0.1  # the highest scores hold too few reference examples for a steady ratio
MAX_LIBRARY_TRACKS = 2000  # a random sample of a larger library: the estimate is a share, and the fit stays fast
SEED = 20240601


def track_means(rows: np.ndarray, tracks: np.ndarray) -> np.ndarray:
    """Mean row (window) per track, in the order of np.unique(tracks)."""
    ids, inverse = np.unique(tracks, return_inverse=True)
    sums = np.zeros((len(ids), rows.shape[1]))
    np.add.at(sums, inverse, rows)
    return sums / np.bincount(inverse)[:, None]


def other_genres_share(reference: np.ndarray, reference_genres: np.ndarray, user_genres: Iterable[str],
                       corrected: np.ndarray, library: np.ndarray) -> float | None:
    """Estimated share (0..1) of ``library`` tracks of none of ``user_genres`` (module docstring:
    it reads low).

    reference: the bundled model's training examples (scaled) and their genres; corrected: one
    scaled mean per corrected track; library: one scaled mean per unlabelled track. None when
    there is nothing to compare (no library, or no reference example of another genre)."""
    others = reference[~np.isin(reference_genres, list(user_genres))]
    if len(library) == 0 or len(others) < FOLDS:
        return None
    rng = np.random.default_rng(SEED)
    if len(library) > MAX_LIBRARY_TRACKS:
        library = library[rng.choice(len(library), MAX_LIBRARY_TRACKS, replace=False)]
    rows = np.vstack([others, library, corrected])
    is_other = np.r_[np.ones(len(others)), np.zeros(len(library) + len(corrected))]
    estimates = []
    for _ in range(REPEATS):
        folds = rng.permutation(len(rows)) % FOLDS
        scores = np.zeros(len(rows))
        for fold in range(FOLDS):
            held = folds == fold
            scores[held] = _classifier().fit(rows[~held], is_other[~held]).predict_proba(rows[held])[:, 1]
        estimates.append(_best_bin(scores[len(others):len(others) + len(library)], scores[:len(others)]))
    return float(np.mean(estimates))


def _best_bin(library_scores: np.ndarray, reference_scores: np.ndarray) -> float:
    """min over thresholds t of P(library >= t) / P(reference >= t) (module docstring)."""
    thresholds = np.sort(reference_scores)[::-1][max(1, int(MIN_REFERENCE_SHARE * len(reference_scores))) - 1:]
    library_above = 1.0 - np.searchsorted(np.sort(library_scores), thresholds, side="left") / len(library_scores)
    reference_above = 1.0 - np.searchsorted(np.sort(reference_scores), thresholds, side="left") / len(reference_scores)
    return float(min(1.0, np.min(library_above / reference_above)))


def _classifier() -> LogisticRegression:
    return LogisticRegression(C=SHARE_C, class_weight="balanced", max_iter=2000)
