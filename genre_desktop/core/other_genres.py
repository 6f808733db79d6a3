"""How much of a library is music of genres the user never corrected.

The personal model learns the other genres from anchors, the library's tracks the bundled model
is sure of. That protects them where the library really holds them, and misleads where it holds
only the user's genres: there every sure call of another genre is the bundled model hearing the
user's music wrongly (pop heard as disco). Telling the two libraries apart decides how much those
anchors may weigh (core/personal_training.py).

The estimate is adjusted classify-and-count: a logistic regression learns to tell the user's
corrected tracks from the bundled model's own training examples of the other genres
(genre_model.reference_examples), in the bundled model's scaled space. The mean probability it
gives the library's tracks, q, mixes the rate at which it calls the user's held-out tracks
"other" (false positives) and the rate for held-out reference examples (true positives):
q = fpr + share * (tpr - fpr). Scored on held-out tracks, the corrections' own noise is counted
in fpr, so a library of the user's genres comes out near 0 even from three corrections a genre.

Two estimates come out of it, differing only in the false-positive rate:
- held_out: fpr as above. Measured on simulated users (GTZAN's fault-filtered test split, genres
  held out of a variant of the bundled model, benchmarks/bench_personalize.py), libraries of the
  user's genres only gave 0.01-0.07 on average; libraries where half the music was of other
  genres gave 0.36-0.52 with 3 corrections a genre and 0.57-0.69 with 10 (true share 0.53-0.69).
  With 3 corrections a genre it is noisy: it read 0.00 for at least 1 such library in 20.
- blended: fpr as 0.368 x the resubstitution rate + 0.632 x the held-out one (Efron's .632 rule:
  the held-out rate is that of a model fit on fewer corrections, so it reads high, and the
  resubstitution rate reads low). It reads high where the held-out one reads low: 0.05-0.21 on
  libraries of the user's genres (1 in 20 above 0.44 at K = 3), 0.58-0.73 where half is other
  genres, whose lowest twentieth stayed above 0.33 at every K.
core/personal_training.py uses both.

Public API: other_genres_share, ShareEstimate, track_means, SHARE_C, MAX_FOLDS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

SHARE_C = 0.03  # strong regularisation: a handful of corrections against hundreds of references
MAX_FOLDS = 20  # held-out scoring of the corrections: leave-one-out up to 20 tracks, then 20 folds
REFERENCE_FOLDS = 5
SEED = 20240601
RESUBSTITUTION_SHARE = 0.368  # of the blended false-positive rate (module docstring)


@dataclass(frozen=True)
class ShareEstimate:
    held_out: float
    blended: float


def track_means(rows: np.ndarray, tracks: np.ndarray) -> np.ndarray:
    """Mean row (window) per track, in the order of np.unique(tracks)."""
    ids, inverse = np.unique(tracks, return_inverse=True)
    sums = np.zeros((len(ids), rows.shape[1]))
    np.add.at(sums, inverse, rows)
    return sums / np.bincount(inverse)[:, None]


def other_genres_share(reference: np.ndarray, reference_genres: np.ndarray, user_genres: Iterable[str],
                       corrected: np.ndarray, corrected_genres: np.ndarray, library: np.ndarray) -> ShareEstimate | None:
    """Estimated share (0..1) of ``library`` tracks that belong to none of ``user_genres``.

    reference: the bundled model's training examples (scaled) and their genres; corrected: one
    scaled mean per corrected track and its genre; library: one scaled mean per unlabelled
    track. None when there is nothing to compare (no library, no corrections, or the bundled
    model knows no genre besides the user's)."""
    others = reference[~np.isin(reference_genres, list(user_genres))]
    if len(library) == 0 or len(corrected) < 2 or len(others) < REFERENCE_FOLDS:
        return None
    X = np.vstack([corrected, others])
    y = np.r_[np.zeros(len(corrected)), np.ones(len(others))]
    never = np.full(len(others), -1)
    fpr = _held_out_mean(X, y, np.r_[_folds(corrected_genres, min(MAX_FOLDS, len(corrected))), never])
    dealt = np.random.default_rng(SEED).permutation(len(others)) % REFERENCE_FOLDS
    tpr = _held_out_mean(X, y, np.r_[np.full(len(corrected), -1), dealt])
    if tpr - fpr < 0.05:  # the corrections look like the other genres: no basis for an estimate
        return None
    everything = _classifier().fit(X, y)
    q = float(everything.predict_proba(library)[:, 1].mean())
    resubstituted = float(everything.predict_proba(corrected)[:, 1].mean())
    blended_fpr = RESUBSTITUTION_SHARE * resubstituted + (1 - RESUBSTITUTION_SHARE) * fpr
    return ShareEstimate(_adjusted(q, fpr, tpr), _adjusted(q, blended_fpr, tpr))


def _adjusted(q: float, fpr: float, tpr: float) -> float:
    return float(np.clip((q - fpr) / max(tpr - fpr, 1e-6), 0.0, 1.0))


def _classifier() -> LogisticRegression:
    return LogisticRegression(C=SHARE_C, class_weight="balanced", max_iter=2000)


def _folds(genres: np.ndarray, n_folds: int) -> np.ndarray:
    """Fold per corrected track, dealt out genre by genre so that a fold mixes genres."""
    order = np.argsort(genres, kind="stable")
    folds = np.empty(len(genres), dtype=int)
    folds[order] = np.arange(len(genres)) % n_folds
    return folds


def _held_out_mean(X: np.ndarray, y: np.ndarray, folds: np.ndarray) -> float:
    """Mean P(other) of the rows with a fold (>= 0), each scored by a model fit without its fold."""
    scores = []
    for fold in np.unique(folds[folds >= 0]):
        held = folds == fold
        scores.append(_classifier().fit(X[~held], y[~held]).predict_proba(X[held])[:, 1])
    return float(np.concatenate(scores).mean())
