"""Hyperparameter search for the stack, on training data only, over artist-blocked folds.

Each base model is tuned alone (with the stack's preprocessing); then the meta-learner's C is
tuned on the stack's own out-of-fold base outputs. Tuning the whole stack jointly would cost
hundreds of stack fits, too many for a 2-core machine.

The best mean accuracy wins. (The one-standard-error rule, taking the most regularised
candidate within one SE of the best, was tried: it over-regularised and scored worse.)
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_predict
from sklearn.pipeline import Pipeline

from genre_desktop.core.model.recipe import (
    BASE_MODELS,
    SEED,
    artist_blocked_folds,
    base_pipeline,
    stack_pipeline,
)
from genre_desktop.core.training_data import TrainingData

log = logging.getLogger(__name__)

GRIDS: dict[str, dict[str, list[Any]]] = {
    "knn": {"n_neighbors": [5, 10, 20, 40], "p": [1, 2], "weights": ["uniform", "distance"]},
    "svm": {"C": [1.0, 3.0, 10.0, 30.0], "gamma": [0.003, 0.01, 0.03]},
    "mlp": {"hidden_layer_sizes": [(64,), (128,)], "alpha": [0.3, 1.0, 3.0]},
    "tags_knn": {"n_neighbors": [5, 10, 20, 40], "weights": ["uniform", "distance"]},
    "tags_svm": {"C": [0.3, 1.0, 3.0, 10.0], "gamma": [0.003, 0.01, 0.03]},
    "tags_mlp": {"hidden_layer_sizes": [(64,), (128,)], "alpha": [1.0, 3.0, 10.0]},
    "tags_lr": {"C": [0.03, 0.1, 0.3, 1.0]},
    "meta": {"C": [0.01, 0.03, 0.1, 0.3, 1.0]},
}


def _strip(params: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {key.split("__", 1)[1]: value for key, value in params.items() if key.startswith(prefix)}


def _search(estimator, grid, prefix, X, y, splits, n_jobs) -> tuple[dict, dict]:
    search = GridSearchCV(
        estimator,
        {f"{prefix}__{key}": values for key, values in grid.items()},
        cv=splits,
        n_jobs=n_jobs,
        refit=False,  # only the choice is needed; the stack refits everything
    )
    search.fit(X, y)
    chosen = _strip(search.best_params_, f"{prefix}__")
    means = search.cv_results_["mean_test_score"]
    summary = {
        "blocked_cv_accuracy": round(float(search.best_score_), 4),
        "worst_candidate_accuracy": round(float(np.min(means)), 4),
        "candidates": len(means),
    }
    return chosen, summary


def _meta_features(data: TrainingData, params: dict[str, dict[str, Any]], seed: int, n_jobs):
    """What the stack's final estimator sees: the base models' out-of-fold outputs."""
    pipeline = stack_pipeline(params, data.feature_names, seed)
    prep = pipeline[:-1].fit(data.X, data.y)
    Z = prep.transform(data.X)
    stack = pipeline[-1]
    columns = []
    for _name, estimator in stack.estimators:
        # The same choice as the stack's stack_method="auto".
        method = next(m for m in ("predict_proba", "decision_function") if hasattr(estimator, m))
        columns.append(
            cross_val_predict(clone(estimator), Z, data.y, cv=stack.cv, method=method, n_jobs=n_jobs)
        )
    return np.hstack(columns)


def tune(
    data: TrainingData,
    seed: int = SEED,
    n_jobs: int | None = 2,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Chosen hyperparameters per part ("knn", "svm", "mlp", "meta") and a summary per part."""
    splits = list(artist_blocked_folds(5).split(data.X, data.y))
    params: dict[str, dict[str, Any]] = {}
    summary: dict[str, dict[str, Any]] = {}
    for name in BASE_MODELS:
        estimator = base_pipeline(name, {}, data.feature_names, seed)
        params[name], summary[name] = _search(
            estimator, GRIDS[name], name, data.X, data.y, splits, n_jobs
        )
        log.info("tuned %s: %s (%s)", name, params[name], summary[name])
    meta_X = _meta_features(data, {**params, "meta": {}}, seed, n_jobs)
    meta = LogisticRegression(max_iter=5000)
    params["meta"], summary["meta"] = _search(
        Pipeline([("meta", meta)]), GRIDS["meta"], "meta", meta_X, data.y, splits, n_jobs
    )
    log.info("tuned meta: %s (%s)", params["meta"], summary["meta"])
    return params, summary

