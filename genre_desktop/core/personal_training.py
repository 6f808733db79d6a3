"""Fitting the personal model from the user's corrections, plus anchors from their own library.

Examples (no Qt, no database: the library layer collects them):
- corrections: every analysed window of every track the user labelled, grouped by track;
- anchors: unlabelled tracks of the same library that the bundled model alone leans to (track
  confidence >= ANCHOR_CONFIDENCE), labelled with the bundled genre, at most ANCHORS_PER_GENRE of
  the surest per genre. A model fit on corrections alone knows only the user's genres and claims
  every track for one of them: with genres held out of GTZAN that cost 50-60 points on the genres
  the user never corrected (benchmarks/bench_personalize.py). Anchors show it what the bundled
  genres sound like in this very collection.

The model: multinomial logistic regression (strongly regularised, C=REGULARIZATION_C) in the
bundled model's scaled feature space, temperature-scaled on its held-out predictions (strong
regularisation makes it under-confident, which would blur every blended answer). Weights: every track of a genre counts the same, whatever
its number of windows; each of the user's genres weighs 1 in total, so three corrections of a new
genre count as much as hundreds of anchors of an old one; a genre known only from anchors weighs
ANCHOR_GENRE_WEIGHT times its anchor count relative to the largest (a genre the bundled model only
imagines in this library yields few sure tracks). The anchor threshold and these weights were
chosen on the benchmark's held-out genres: they trade accuracy on the user's new genres for the
genres the user never touched, which should lose at most ~2 points; ANCHOR_GENRE_WEIGHT 1.0
instead of 1.2 lost 1-2 points there for 4-8 more on the new genres.

Anchors can also mislead: in a library that holds only the user's genres, every anchor of another
genre is the bundled model's mistake (a new genre heard as an old one). genuine_anchor_share
estimates how many of the sure calls of the other genres are right, by comparing how often the
library is surely called another genre with how often the user's corrected tracks are (taken
DOUBT_Z standard errors lower: with 3 corrections per genre the rate is noisy, and an unlucky draw
dropped real genres, costing the untouched genres 4-10 points). Below FULL_TRUST_SHARE the other
genres' weight shrinks in proportion, to 0 when the corrections explain every such call. Chosen on
simulated users of other held-out genres than the benchmark's, then measured on the benchmark
(csv-test, 6 draws x 3): all-touched library 0.39/0.45/0.50 -> 0.42/0.51/0.65 (K = 3/5/10), mixed
library unchanged (0.51/0.55/0.58; untouched genres -1.1/-0.8/-1.3 points). Without the doubt
margin the all-touched library reached 0.57/0.62/0.72, but the mixed one's untouched genres lost 7
points at K = 3. The margin is costly where the user's music is rarely called another genre: a
library of dub (GTZAN reggae) and rock with 40 corrections of each keeps 0.87 of the weight.
Weighting each genre by the share of its calls the user kept, or a higher anchor
threshold (0.8), cost the untouched genres 7-30 points: a library that really holds a genre is
told apart only by how many of its tracks are called so.

Cross-validation over folds of whole tracks calibrates the model and chooses the blend weight
(core/personal_validation.py); the card reports how the blended classifier does on the user's
own labels.

Public API: Examples, select_anchors, window_batches, fit, fit_weights, genuine_anchor_share,
FittedPersonal, PersonalTrainingError.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from genre_desktop.core import personal_validation as validation
from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.feature_schema import RECIPE_VERSION
from genre_desktop.core.personal_validation import (  # noqa: F401  (public API)
    BLEND_WEIGHTS,
    MIN_TRACKS_PER_GENRE,
    NOT_ENOUGH,
)

if TYPE_CHECKING:
    from genre_desktop.core.classifier import GenreClassifier

ANCHOR_CONFIDENCE = 0.35
ANCHORS_PER_GENRE = 250
BATCH_WINDOWS = 20000
REGULARIZATION_C = 0.03
ANCHOR_GENRE_WEIGHT = 1.2  # a genre known only from anchors, at most, against 1 for a user's genre
DOUBT_Z = 1.5  # f_user is taken 1.5 standard errors lower: few corrections must not drop real genres
FULL_TRUST_SHARE = 0.4  # estimated share of genuine anchors from which other genres' anchors weigh in full


class PersonalTrainingError(ValueError):
    """The examples cannot make a model; str(e) says why in plain words."""


@dataclass(frozen=True)
class Examples:
    """Window features with a genre each, grouped by track."""

    features: np.ndarray  # (n_windows, n_features) raw features, FEATURE_NAMES order
    genres: np.ndarray  # (n_windows,) genre names
    tracks: np.ndarray  # (n_windows,) track ids (the groups)
    # anchors only: tracks looked at, and per bundled genre how many it was sure of (before the cap)
    scanned: int = 0
    sure_calls: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_tracks(cls, items: Iterable[tuple[int, str, np.ndarray]]) -> "Examples":
        """(track id, genre, (n_windows, n_features) features) per track."""
        rows, genres, tracks = [], [], []
        for track_id, genre, features in items:
            block = np.atleast_2d(np.asarray(features, dtype=np.float64))
            rows.append(block)
            genres += [genre] * len(block)
            tracks += [int(track_id)] * len(block)
        if not rows:
            return cls(np.zeros((0, 0)), np.array([], dtype=str), np.array([], dtype=np.int64))
        return cls(np.vstack(rows), np.array(genres, dtype=str), np.array(tracks, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.genres)

    @property
    def track_count(self) -> int:
        return len(np.unique(self.tracks))

    def per_genre(self) -> dict[str, dict[str, int]]:
        """{genre: {"tracks": n, "windows": m}}, most tracks first."""
        counts = {}
        for genre in np.unique(self.genres):
            mask = self.genres == genre
            counts[str(genre)] = {"tracks": len(np.unique(self.tracks[mask])), "windows": int(mask.sum())}
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1]["tracks"], kv[0].lower())))


@dataclass(frozen=True)
class FittedPersonal:
    genres: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    weight: float
    card: dict[str, Any]  # everything but the file names and sha256 (personal_model.save adds them)


def select_anchors(bundled: "GenreClassifier",
                   unlabelled: Mapping[int, np.ndarray] | Iterable[Mapping[int, np.ndarray]],
                   cancel: CancelToken | None = None) -> Examples:
    """Unlabelled tracks (track id -> window features, or an iterable of such chunks, so that a
    large library is read piece by piece) the bundled model alone leans to; only the kept
    tracks' features stay in memory."""
    with threadpool_limits(1):
        return _select_anchors(bundled.bundled_only(), unlabelled, cancel)


def window_batches(tracks: Mapping[int, np.ndarray], max_windows: int = BATCH_WINDOWS) -> Iterator[list[int]]:
    """Track ids in order, in batches of about max_windows windows (one predict call each: fast,
    bounded memory, and a cancel is honoured within a second or so)."""
    batch: list[int] = []
    windows = 0
    for track_id in tracks:
        batch.append(track_id)
        windows += len(tracks[track_id])
        if windows >= max_windows:
            yield batch
            batch, windows = [], 0
    if batch:
        yield batch


def _select_anchors(plain: "GenreClassifier", unlabelled, cancel: CancelToken | None) -> Examples:
    chunks = [unlabelled] if isinstance(unlabelled, Mapping) else unlabelled
    surest: dict[str, list[tuple[float, int, np.ndarray]]] = {}  # per genre, a min-heap
    sure_calls: dict[str, int] = {}
    scanned = 0
    for chunk in chunks:
        for batch in window_batches(chunk):
            if cancel is not None:
                cancel.check()
            probs = plain.predict_proba(np.vstack([chunk[t] for t in batch]))
            row = 0
            for track_id in batch:
                n = len(chunk[track_id])
                track = probs[row:row + n].mean(axis=0)
                row += n
                scanned += 1
                best = int(np.argmax(track))
                if track[best] < ANCHOR_CONFIDENCE:
                    continue
                sure_calls[plain.genres[best]] = sure_calls.get(plain.genres[best], 0) + 1
                heap = surest.setdefault(plain.genres[best], [])
                item = (float(track[best]), -int(track_id), chunk[track_id])  # ties: lower id wins
                if len(heap) < ANCHORS_PER_GENRE:
                    heapq.heappush(heap, item)
                elif item[:2] > heap[0][:2]:
                    heapq.heapreplace(heap, item)
    kept = Examples.from_tracks((-neg_id, genre, features) for genre, heap in surest.items()
                                for _, neg_id, features in sorted(heap, key=lambda i: i[:2], reverse=True))
    return replace(kept, scanned=scanned, sure_calls=sure_calls)


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
    every = _concat(corrections, anchors)
    if len(np.unique(every.genres)) < 2:
        raise PersonalTrainingError("learning needs tracks of at least two genres (your corrections, "
                                    "or tracks the bundled model is sure of)")
    scaled = plain.scale(every.features)
    bundled_probs = plain.predict_proba(every.features)
    users = set(map(str, np.unique(corrections.genres)))
    genuine = genuine_anchor_share(bundled_probs[:len(corrections)], plain.genres, corrections, anchors)
    trust = 1.0 if genuine is None else min(1.0, genuine / FULL_TRUST_SHARE)
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
    counts = {str(g): len(np.unique(every.tracks[every.genres == g])) for g in classes}
    weight, scores = validation.choose_weight(held_out, _genre_weights(counts, users, trust))
    if cancel is not None:
        cancel.check()
    coef, intercept, final_classes = fit_weights(scaled, every.genres, every.tracks, users, trust)
    coef, intercept = coef / temperature, intercept / temperature
    is_correction = np.arange(len(every)) < len(corrections)
    cv = validation.cross_validation(held_out, is_correction, weight, corrections.per_genre())
    card = {
        "fitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fitted_at_unix": time.time(),
        "bundled_model_version": plain.version,
        "feature_recipe_version": RECIPE_VERSION,
        "user_genres": sorted(set(corrections.genres.tolist()), key=str.lower),
        "new_genres": sorted({g for g in corrections.genres.tolist() if g not in plain.genres}, key=str.lower),
        "examples": corrections.per_genre(),
        "corrected_tracks": corrections.track_count,
        "anchors": {"tracks": anchors.track_count, "min_confidence": ANCHOR_CONFIDENCE,
                    "max_per_genre": ANCHORS_PER_GENRE,
                    "genuine_share_of_other_genres": None if genuine is None else round(genuine, 3),
                    "other_genres_weight_factor": round(trust, 3),
                    "per_genre": {g: c["tracks"] for g, c in anchors.per_genre().items()}},
        "method": {"classifier": "multinomial logistic regression", "C": REGULARIZATION_C,
                   "temperature": round(temperature, 4),
                   "features": "the bundled model's scaled features (log variances, GTZAN scaler)",
                   "class_weight": "balanced per genre, then per track"},
        "blend": {"weight": weight, "candidates": scores,
                  "rule": "new genres: the personal probability as it is; bundled genres: "
                          "(1 - weight) * bundled + weight * personal, scaled to the rest",
                  "chosen_by": f"class-balanced accuracy over {n_folds} folds of whole tracks"
                               if n_folds else "default (too few tracks to cross-validate)"},
        "cross_validation": cv,
        "min_tracks_per_genre": MIN_TRACKS_PER_GENRE,
        "fit_seconds": round(time.perf_counter() - started, 3),
    }
    return FittedPersonal(final_classes, coef, intercept, weight, card)


# --- pieces -----------------------------------------------------------------------------------

def _concat(a: Examples, b: Examples) -> Examples:
    if len(b) == 0:
        return a
    return Examples(np.vstack([a.features, b.features]), np.concatenate([a.genres, b.genres]),
                    np.concatenate([a.tracks, b.tracks]))


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


def genuine_anchor_share(bundled_probs: np.ndarray, bundled_genres, corrections: Examples,
                         anchors: Examples) -> float | None:
    """Estimated share of the library's sure calls of genres the user never corrected that are
    right (None: nothing to estimate). bundled_probs: the bundled model's, per correction window.
    The corrections show how often the user's own music is surely called another genre (f_user,
    averaged over the user's genres); the library, how often any unlabelled track is (f_library).
    If a share s of the library is the user's genres and other genres are called as themselves,
    f_library = s * f_user + (1 - s), so the genuine share is (1 - s) / f_library."""
    user_genres = set(corrections.genres.tolist())
    sure_other = sum(n for g, n in anchors.sure_calls.items() if g not in user_genres)
    if anchors.scanned == 0 or sure_other == 0:
        return None
    f_library = sure_other / anchors.scanned
    called_other: dict[str, list[bool]] = {}
    for track in np.unique(corrections.tracks):
        rows = corrections.tracks == track
        mean = bundled_probs[rows].mean(axis=0)
        best = int(np.argmax(mean))
        surely_other = mean[best] >= ANCHOR_CONFIDENCE and str(bundled_genres[best]) not in user_genres
        called_other.setdefault(str(corrections.genres[rows][0]), []).append(bool(surely_other))
    f_user = float(np.mean([np.mean(v) for v in called_other.values()]))
    f_user -= DOUBT_Z * np.sqrt(f_user * (1 - f_user) / sum(len(v) for v in called_other.values()))
    other_share = max(0.0, f_library - f_user) / max(1.0 - f_user, 1e-9)
    return float(min(1.0, other_share / f_library))


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
