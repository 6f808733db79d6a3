"""Leak-free evaluation of the stack: the fault-filtered split and a nested 10-fold CV.

Hyperparameters are always chosen on the data a model is trained on (artist-blocked folds
inside it), never on the clips it is scored on; with ``search=False`` the given, already chosen
hyperparameters are used instead, which reproduces an earlier run exactly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from genre_desktop.core.model.recipe import BASE_MODELS, SEED, artist_blocked_folds, base_pipeline, calibrated_model
from genre_desktop.core.metrics import classification_metrics
from genre_desktop.core.training_data import TrainingData
from genre_desktop.core.tuning import tune

log = logging.getLogger(__name__)

CV_FOLDS = 10
Params = dict[str, dict[str, Any]]


@dataclass
class Evaluation:
    """Probabilities on held-out clips (rows follow ``y``) and what produced them."""

    y: np.ndarray
    genres: tuple[str, ...]
    calibrated: np.ndarray
    uncalibrated: np.ndarray
    base_predictions: dict[str, np.ndarray]
    params: list[Params] = field(default_factory=list)  # one per training set (fold)
    tuning: list[dict[str, Any]] = field(default_factory=list)
    temperatures: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def metrics(self) -> dict[str, Any]:
        calibrated = classification_metrics(self.calibrated, self.y, self.genres)
        uncalibrated = classification_metrics(self.uncalibrated, self.y, self.genres)
        calibrated["ece_before_calibration"] = uncalibrated["ece"]
        calibrated["base_models"] = {
            name: _label_metrics(predicted, self.y, self.genres)
            for name, predicted in self.base_predictions.items()
        }
        return calibrated


def _label_metrics(predicted: np.ndarray, y: np.ndarray, genres) -> dict[str, float]:
    from sklearn.metrics import f1_score

    return {
        "accuracy": round(float(np.mean(predicted == y)), 4),
        "macro_f1": round(float(f1_score(y, predicted, labels=list(genres), average="macro")), 4),
    }


def temperature_of(model) -> float:
    """The fitted temperature (probabilities = softmax(logits / T))."""
    calibrator = model.calibrated_classifiers_[0].calibrators[0]
    return 1.0 / float(calibrator.beta_)  # scikit-learn stores the inverse temperature


def fit_and_score(
    train: TrainingData,
    test: TrainingData,
    params: Params | None,
    seed: int = SEED,
    n_jobs: int | None = 2,
) -> tuple[Any, dict[str, Any], np.ndarray, np.ndarray, dict[str, np.ndarray], Params]:
    """Tune on ``train`` when no params are given, fit the calibrated stack, score ``test``."""
    tuning: dict[str, Any] = {}
    if params is None:
        params, tuning = tune(train, seed=seed, n_jobs=n_jobs)
    model = calibrated_model(params, train.feature_names, seed=seed, n_jobs=n_jobs).fit(train.X, train.y)
    if tuple(model.classes_) != train.genres:
        raise RuntimeError("model classes differ from the training genres")
    calibrated = model.predict_proba(test.X)
    uncalibrated = model.calibrated_classifiers_[0].estimator.predict_proba(test.X)
    bases = {}
    for name in BASE_MODELS:
        alone = base_pipeline(name, params[name], train.feature_names, seed).fit(train.X, train.y)
        bases[name] = alone.predict(test.X)
    return model, tuning, calibrated, uncalibrated, bases, params


def evaluate_split(
    train: TrainingData, test: TrainingData, params: Params | None, seed: int = SEED, n_jobs=2
) -> tuple[Evaluation, Any]:
    """Train on one set (e.g. fault-filtered train+valid), score another (its test split)."""
    started = time.perf_counter()
    model, tuning, cal, uncal, bases, params = fit_and_score(train, test, params, seed, n_jobs)
    evaluation = Evaluation(
        test.y, train.genres, cal, uncal, bases, [params], [tuning], [temperature_of(model)]
    )
    evaluation.seconds = time.perf_counter() - started
    return evaluation, model


def nested_cross_validation(
    data: TrainingData,
    fold_params: list[Params] | None,
    seed: int = SEED,
    n_jobs=2,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Stratified 10-fold CV; each fold tunes on its own 90% (or reuses ``fold_params[k]``)."""
    started = time.perf_counter()
    genres = data.genres
    n = len(data.y)
    calibrated = np.zeros((n, len(genres)))
    uncalibrated = np.zeros((n, len(genres)))
    bases = {name: np.empty(n, dtype=data.y.dtype) for name in BASE_MODELS}
    evaluation = Evaluation(data.y, genres, calibrated, uncalibrated, bases)
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed)
    for k, (train_idx, test_idx) in enumerate(folds.split(data.X, data.y)):
        given = fold_params[k] if fold_params is not None else None
        train, test = data.subset(train_idx), data.subset(test_idx)
        model, tuning, cal, uncal, base, params = fit_and_score(train, test, given, seed, n_jobs)
        calibrated[test_idx], uncalibrated[test_idx] = cal, uncal
        for name in BASE_MODELS:
            bases[name][test_idx] = base[name]
        evaluation.params.append(params)
        evaluation.tuning.append(tuning)
        evaluation.temperatures.append(temperature_of(model))
        accuracy = float(np.mean(data.y[test_idx] == np.asarray(genres)[cal.argmax(1)]))
        message = f"CV fold {k + 1}/{CV_FOLDS}: accuracy {accuracy:.3f}"
        log.info(message)
        if progress:
            progress(message)
    evaluation.seconds = time.perf_counter() - started
    return evaluation


def out_of_fold_probabilities(data: TrainingData, params: Params, seed: int = SEED, n_jobs=2) -> np.ndarray:
    """Calibrated probabilities for every training clip from a model that never saw its
    artist block (artist-blocked folds): what the threshold and the electronic rule are read
    off, so neither is chosen on the test split."""
    return cross_val_predict(
        calibrated_model(params, data.feature_names, seed=seed, n_jobs=1), data.X, data.y,
        cv=artist_blocked_folds(5), method="predict_proba", n_jobs=n_jobs)
