"""Train the bundled genre model, evaluate it without leaks, write it with its card and plots.

Steps: tune on fault-filtered train+valid (artist-blocked folds) -> score the fault-filtered test
split -> nested 10-fold CV over all clips -> refit the chosen model on all clips -> card.
"""

from __future__ import annotations

import json
import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from threadpoolctl import threadpool_limits

from genre_desktop.core import features, model_card
from genre_desktop.core.evaluation import Params, evaluate_split, nested_cross_validation
from genre_desktop.core.genre_model import SEED, calibrated_model
from genre_desktop.core.metrics import coverage_table, top_class
from genre_desktop.core.training_card import build_card, choose_threshold, write_plots
from genre_desktop.core.training_data import TrainingData, load_features_csv, load_split

log = logging.getLogger(__name__)


@dataclass
class TrainOptions:
    features_csv: Path
    splits_dir: Path
    out_dir: Path
    search: bool = True  # False: reuse the hyperparameters recorded in ``params_card``
    cross_validate: bool = True
    params_card: Path | None = None
    seed: int = SEED
    n_jobs: int = 2
    command: str = ""


def _params_from_card(path: Path) -> tuple[Params, list[Params] | None]:
    card = json.loads(Path(path).read_text(encoding="utf-8"))
    chosen = card["hyperparameters"]
    folds = (card.get("cv10") or {}).get("fold_hyperparameters")
    return _tuples(chosen), [_tuples(p) for p in folds] if folds else None


def _tuples(params: Params) -> Params:
    """JSON turns tuples into lists; MLP layer sizes must be tuples again to refit identically."""
    fixed = {part: dict(values) for part, values in params.items()}
    if "hidden_layer_sizes" in fixed.get("mlp", {}):
        fixed["mlp"]["hidden_layer_sizes"] = tuple(fixed["mlp"]["hidden_layer_sizes"])
    return fixed


def train(options: TrainOptions, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every step; returns the card that was written next to the model."""
    say = progress or (lambda message: log.info(message))
    started = time.perf_counter()
    data = load_features_csv(options.features_csv)
    splits = {name: load_split(options.splits_dir, name) for name in ("train", "valid", "test")}
    development = data.subset(data.mask_for(splits["train"] | splits["valid"]))
    test = data.subset(data.mask_for(splits["test"]))
    say(f"{len(data.y)} clips; fault-filtered train+valid {len(development.y)}, test {len(test.y)}")

    params: Params | None = None
    fold_params: list[Params] | None = None
    if not options.search:
        # Read before anything is written: --out may hold the very card being reproduced.
        source = options.params_card or options.out_dir / model_card.CARD_FILE
        params, fold_params = _params_from_card(Path(source))
        say(f"hyperparameters taken from {source}: no search")

    # One BLAS thread per process: on a shared 2-core machine threads only fight (and an MLP
    # fit ran 20x slower); it also keeps floating-point sums, hence the card, reproducible.
    with threadpool_limits(1):
        say("fault-filtered split: tuning on train+valid, scoring test ...")
        split_eval, _ = evaluate_split(development, test, params, options.seed, options.n_jobs)
        chosen = split_eval.params[0]
        say(f"fault-filtered test accuracy {split_eval.metrics()['accuracy']:.3f}")
        cv_eval = None
        if options.cross_validate:
            say("nested 10-fold cross-validation ...")
            cv_eval = nested_cross_validation(data, fold_params, options.seed, options.n_jobs, say)
        say("fitting the bundled model on all clips ...")
        final = calibrated_model(chosen, data.feature_names, options.seed, options.n_jobs).fit(data.X, data.y)

    options.out_dir.mkdir(parents=True, exist_ok=True)
    model_path = options.out_dir / model_card.MODEL_FILE
    joblib.dump(final, model_path, compress=3)
    sha256 = model_card.sha256_file(model_path)

    test_metrics = split_eval.metrics()
    coverage = coverage_table(split_eval.calibrated, test.y, data.genres)
    threshold, reasoning = choose_threshold(coverage)
    bundled_check = _bundled_check(final, test, data.genres)
    card = build_card(
        genres=data.genres,
        feature_names=data.feature_names,
        sha256=sha256,
        chosen=chosen,
        split_eval=split_eval,
        cv_eval=cv_eval,
        coverage=coverage,
        threshold=threshold,
        reasoning=reasoning,
        bundled_check=bundled_check,
        options=options,
    )
    card["training_seconds"] = round(time.perf_counter() - started, 1)
    card["environment"] = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "joblib_version": joblib.__version__,
        "python_version": platform.python_version(),
    }
    card["sklearn_version"] = sklearn.__version__
    card["numpy_version"] = np.__version__
    card["feature_recipe_version"] = features.RECIPE_VERSION
    card["plots"] = write_plots(options.out_dir, card, split_eval, cv_eval, test.y, data.y)
    model_card.write_card(options.out_dir, card)
    say(
        f"wrote {model_path} ({sha256[:12]}); test accuracy {test_metrics['accuracy']:.3f}, "
        f"threshold {threshold:.2f}; {card['training_seconds']:.0f} s"
    )
    return card


def _bundled_check(model, test: TrainingData, genres: tuple[str, ...]) -> dict[str, Any]:
    """Numbers the bundled model itself gives on the CSV rows of the test split.

    These clips are part of its training data, so this is NOT a measure of generalisation; it
    lets a test reproduce the shipped file's behaviour from the CSV.
    """
    probabilities = model.predict_proba(test.X)
    predicted, confidence = top_class(probabilities, genres)
    return {
        "fault_filtered_test_accuracy": round(float(np.mean(predicted == test.y)), 6),
        "mean_confidence": round(float(confidence.mean()), 6),
        "note": "bundled model (trained on all 1000 clips, these included) on the test split's CSV "
                "rows: a reproducibility check, not an estimate of accuracy",
    }
