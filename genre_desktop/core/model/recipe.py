"""The recipe of the bundled genre model: feature transform, base models, stack, calibration.

Two feature families feed the stack: the 57 GTZAN audio features and the music tagger's 50
tag probabilities. Each family has its own k-NN, SVM and MLP (the tags a logistic regression
too); a logistic regression over the seven models' outputs decides, and temperature scaling
calibrates it.

Everything a pickled model refers to lives here (or in scikit-learn), so this module must stay
importable under this name for as long as a bundled model uses it. No Qt, no matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

SEED = 20240601
# The mean of a waveform (HPSS harmonic/percussive parts) is its DC offset: ~0 and set by the
# recording chain, not the music. Comparing artist-blocked folds, dropping them helped slightly.
DC_OFFSET_FEATURES = ("harmony_mean", "perceptr_mean")
# Variances span many orders of magnitude and are heavy-tailed; their log is close to normal.
LOG_FLOOR = 1e-12
# Beat trackers often land on half or double the tempo (a 13 ms shift of a GTZAN clip turned
# 172 BPM into 89), so the model sees only the tempo's position within its octave, as a point
# on a circle (cos, sin of 2*pi*log2(bpm / 70)): blind to octave errors, no jump at the octave
# boundary, and 1.4 points better than raw BPM on artist-blocked folds.
TEMPO_FEATURE = "tempo"
TEMPO_OCTAVE_BASE = 70.0

TAG_PREFIX = "tag:"  # tag probability columns (feature_schema.TAG_FEATURE_NAMES)
AUDIO_BASES = ("knn", "svm", "mlp")
TAG_BASES = ("tags_knn", "tags_svm", "tags_mlp", "tags_lr")
BASE_MODELS = AUDIO_BASES + TAG_BASES
# GTZAN numbers each genre's clips roughly artist by artist; see ContiguousBlockKFold.
ARTIST_BLOCK = 20


class ContiguousBlockKFold(StratifiedGroupKFold):
    """Stratified folds of whole runs of consecutive same-genre rows.

    Training rows come in clip-number order, and a run of consecutive GTZAN clips mostly shares
    an artist, so these folds approximate artist-disjoint ones, which random folds are not: they
    flatter models that memorise an artist's sound (k-NN above all). Tuning picks
    hyperparameters, and the calibration its temperature, on these folds, so both are set for
    artists the model has not heard. Needs only y and the row order, so it survives
    the cloning and subsetting inside scikit-learn's meta-estimators.
    """

    def __init__(self, n_splits: int = 5, block: int = ARTIST_BLOCK, random_state: int = SEED):
        super().__init__(n_splits=n_splits, shuffle=True, random_state=random_state)
        self.block = block

    def split(self, X, y=None, groups=None):
        y = np.asarray(y)
        seen: dict[object, int] = {}
        runs = []
        for label in y.tolist():
            rank = seen.get(label, 0)
            seen[label] = rank + 1
            runs.append(f"{label}:{rank // self.block}")
        return super().split(X, y, groups=np.array(runs))


class FeatureTransform(TransformerMixin, BaseEstimator):
    """log of every ``*_var`` column (floored), no DC offsets, tempo as a point on the octave circle.

    Output columns: the kept inputs in order, the tempo as its cosine followed by its sine
    (see transformed_names).
    """

    def __init__(self, feature_names: Sequence[str] = ()):
        self.feature_names = feature_names

    def fit(self, X, y=None):
        names = list(self.feature_names)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(names):
            raise ValueError(f"expected {len(names)} feature columns, got shape {X.shape}")
        self.log_columns_ = np.array([i for i, n in enumerate(names) if n.endswith("_var")])
        self.tempo_column_ = names.index(TEMPO_FEATURE) if TEMPO_FEATURE in names else None
        self.kept_columns_ = np.array(
            [i for i, n in enumerate(names) if n not in DC_OFFSET_FEATURES]
        )
        self.n_features_in_ = len(names)
        return self

    def transform(self, X):
        X = np.array(X, dtype=np.float64, copy=True)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} feature columns, got shape {X.shape}")
        X[:, self.log_columns_] = np.log(np.maximum(X[:, self.log_columns_], LOG_FLOOR))
        if self.tempo_column_ is None:
            return X[:, self.kept_columns_]
        bpm = np.maximum(X[:, self.tempo_column_], 1.0)  # silence has tempo 0
        angle = 2.0 * np.pi * np.log2(bpm / TEMPO_OCTAVE_BASE)
        X[:, self.tempo_column_] = np.cos(angle)
        kept = X[:, self.kept_columns_]
        after = int(np.searchsorted(self.kept_columns_, self.tempo_column_)) + 1
        return np.hstack([kept[:, :after], np.sin(angle)[:, None], kept[:, after:]])


def transformed_names(feature_names: Sequence[str]) -> list[str]:
    """Column names of FeatureTransform's output: the kept inputs, the tempo's sine after its
    cosine, so each feature family stays one contiguous block."""
    names = []
    for name in feature_names:
        if name in DC_OFFSET_FEATURES:
            continue
        names.append(f"{name}_cos" if name == TEMPO_FEATURE else name)
        if name == TEMPO_FEATURE:
            names.append(f"{name}_sin")
    return names


def family_columns(feature_names: Sequence[str], base: str) -> tuple[int, ...]:
    """The transformed columns a base model reads: tag probabilities for the tags_* models,
    the audio features for the others."""
    wants_tags = base in TAG_BASES
    return tuple(i for i, name in enumerate(transformed_names(feature_names))
                 if name.startswith(TAG_PREFIX) == wants_tags)


class Columns(TransformerMixin, BaseEstimator):
    """Selects one feature family's columns (a base model of the stack sees only its own)."""

    def __init__(self, columns: Sequence[int] = ()):
        self.columns = columns

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return np.asarray(X)[:, list(self.columns)]


def preprocessing(feature_names: Sequence[str]) -> list[tuple[str, Any]]:
    return [("features", FeatureTransform(tuple(feature_names))), ("scale", StandardScaler())]


def base_estimator(name: str, params: dict[str, Any], seed: int = SEED):
    """One base model with its hyperparameters (keys without the 'name__' prefix)."""
    kind = name.removeprefix("tags_")
    if kind == "knn":
        return KNeighborsClassifier(**params)
    if kind == "svm":
        # The stack reads SVC's decision_function: no Platt scaling (and its hidden CV) needed.
        return SVC(kernel="rbf", **params)
    if kind == "mlp":
        return MLPClassifier(max_iter=2000, random_state=seed, **params)
    if kind == "lr":
        return LogisticRegression(max_iter=5000, **params)
    raise ValueError(f"unknown base model {name!r}")


def _member(name: str, params: dict[str, Any], feature_names: Sequence[str], seed: int) -> Pipeline:
    return Pipeline([("columns", Columns(family_columns(feature_names, name))),
                     (name, base_estimator(name, params, seed))])


def base_pipeline(name: str, params: dict[str, Any], feature_names: Sequence[str], seed: int = SEED):
    """A base model alone, with the same preprocessing (tuning and the card's comparison)."""
    return Pipeline(preprocessing(feature_names) + _member(name, params, feature_names, seed).steps)


def stack_pipeline(
    params: dict[str, dict[str, Any]], feature_names: Sequence[str], seed: int = SEED
) -> Pipeline:
    """Scaling first, then each base model on its own family's columns; the meta-learner sees
    only the base models' outputs.

    The meta-learner learns from out-of-fold outputs of unshuffled stratified folds: rows come
    in clip-number order, so each fold is a contiguous run of every genre, mostly artists the
    other folds lack. Shuffled folds let an artist sit on both sides, and the meta-learner then
    trusted the audio models, which memorise artists, far more than they deserve on new ones
    (0.720 against 0.728 on artist-blocked folds of the training split; no test data was used).
    """
    bases = [name for name in BASE_MODELS if name in params]
    stack = StackingClassifier(
        estimators=[(name, _member(name, params[name], feature_names, seed)) for name in bases],
        final_estimator=LogisticRegression(max_iter=5000, **params["meta"]),
        passthrough=False,
        cv=StratifiedKFold(5),
    )
    return Pipeline(preprocessing(feature_names) + [("stack", stack)])


def calibrated_model(
    params: dict[str, dict[str, Any]],
    feature_names: Sequence[str],
    seed: int = SEED,
    n_jobs: int | None = None,
) -> CalibratedClassifierCV:
    """Temperature scaling fit on out-of-fold predictions of artist-blocked folds.

    Blocked folds see new artists, as real libraries do, so the temperature learns how much
    confidence drops off the training artists; one parameter, and the argmax is unchanged.
    """
    return CalibratedClassifierCV(
        stack_pipeline(params, feature_names, seed),
        method="temperature",
        cv=ContiguousBlockKFold(5, random_state=seed + 1),
        ensemble=False,
        n_jobs=n_jobs,
    )


def fitted_preprocessing(model: Any) -> Pipeline:
    """The fitted feature transform + scaler inside a model made by ``calibrated_model``.

    Maps raw window features to the scaled space the bundled model was trained in (log
    variances, tempo on the octave circle, z-scores with the GTZAN training statistics), so a
    second model can learn in the same space.
    """
    try:
        pipeline = model.calibrated_classifiers_[0].estimator
        steps = pipeline[:-1]
    except (AttributeError, IndexError, TypeError) as exc:
        raise ValueError(f"not a calibrated genre pipeline: {exc}") from None
    if [name for name, _ in steps.steps] != ["features", "scale"]:
        raise ValueError(f"unexpected preprocessing steps {[name for name, _ in steps.steps]}")
    return steps


def reference_examples(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """(scaled features, genre names) of the examples a model made by ``calibrated_model`` was
    trained on: its two k-NN members keep them (audio and tag columns, in the scaled space
    ``fitted_preprocessing`` maps to). They let the personal model compare a user's music with
    what each bundled genre sounds like. (``_fit_X``/``_y`` are scikit-learn's own attributes;
    the version is pinned and a test checks them against the scaled training table.)"""
    try:
        stack = model.calibrated_classifiers_[0].estimator[-1]
        members = [stack.named_estimators_[name] for name in ("knn", "tags_knn")]
        knns = [member[-1] for member in members]
        features = np.hstack([np.asarray(knn._fit_X, dtype=np.float64) for knn in knns])
        labels = np.asarray(knns[0]._y)
    except (AttributeError, IndexError, KeyError, TypeError) as exc:
        raise ValueError(f"not a calibrated genre stack with k-NN members: {exc}") from None
    encoded = np.asarray(knns[0].classes_)[labels]  # the stack's labels: positions in model.classes_
    return features, np.asarray(model.classes_)[np.asarray(stack.classes_)[encoded]].astype(str)
