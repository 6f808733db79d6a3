"""Train the bundled genre model, evaluate it without leaks, write it with its card and plots.

The model reads two feature families, so it trains on the clips that have both: the CSV's 57
features and the tagger's published outputs (fault-filtered train and test; the valid split and
the clips outside the filtered splits have no tagger outputs and are left out).

Steps: tune on fault-filtered train (artist-blocked folds), read the recommended threshold and
the electronic rule off its out-of-fold predictions -> score the fault-filtered test split ->
nested 10-fold CV over all clips with both families -> refit on all of them -> card.
"""

from __future__ import annotations

import json
import logging
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from threadpoolctl import threadpool_limits

from genre_desktop.core import model_card
from genre_desktop.core.evaluation import (
    Params,
    evaluate_split,
    nested_cross_validation,
    out_of_fold_probabilities,
)
from genre_desktop.core.feature_schema import MODEL_RECIPE_VERSION
from genre_desktop.core.metrics import coverage_table, top_class
from genre_desktop.core.model import electronic
from genre_desktop.core.model.recipe import SEED, calibrated_model
from genre_desktop.core.training_card import (
    TAGGER_FILE,
    build_card,
    choose_threshold,
    tagger_entry,
    write_plots,
)
from genre_desktop.core.training_data import (
    TrainingData,
    load_features_csv,
    load_split,
    load_tagger_outputs,
    with_tags,
)
from genre_desktop.paths import models_dir

log = logging.getLogger(__name__)


@dataclass
class TrainOptions:
    features_csv: Path
    splits_dir: Path
    out_dir: Path
    tagger_outputs: Path | None = None  # default: <splits_dir>/../musicnn
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
    table = load_features_csv(options.features_csv)
    tagged = options.tagger_outputs or Path(options.splits_dir).parent / "musicnn"
    data = with_tags(table, load_tagger_outputs(tagged))
    splits = {name: load_split(options.splits_dir, name) for name in ("train", "valid", "test")}
    development = data.subset(data.mask_for(splits["train"] | splits["valid"]))
    test = data.subset(data.mask_for(splits["test"]))
    say(f"{len(data.y)} of {len(table.y)} clips have both feature families; fault-filtered "
        f"train(+valid) {len(development.y)}, test {len(test.y)}")

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
        say("fault-filtered split: tuning on train, scoring test ...")
        split_eval, _ = evaluate_split(development, test, params, options.seed, options.n_jobs)
        chosen = split_eval.params[0]
        say(f"fault-filtered test accuracy {split_eval.metrics()['accuracy']:.3f}")
        say("out-of-fold predictions on train (threshold, electronic rule) ...")
        development_oof = out_of_fold_probabilities(development, chosen, options.seed, options.n_jobs)
        cv_eval = None
        if options.cross_validate:
            say("nested 10-fold cross-validation ...")
            cv_eval = nested_cross_validation(data, fold_params, options.seed, options.n_jobs, say)
        say("fitting the bundled model on all clips ...")
        final = calibrated_model(chosen, data.feature_names, options.seed, options.n_jobs).fit(data.X, data.y)

    options.out_dir.mkdir(parents=True, exist_ok=True)
    _copy_tagger(options.out_dir)
    model_path = options.out_dir / model_card.MODEL_FILE
    joblib.dump(final, model_path, compress=3)
    sha256 = model_card.sha256_file(model_path)

    test_metrics = split_eval.metrics()
    coverage = coverage_table(split_eval.calibrated, test.y, data.genres)
    threshold, reasoning = choose_threshold(coverage_table(development_oof, development.y, data.genres))
    rule = electronic.fit_rule(_tags(data))
    development_rule = electronic.fit_rule(_tags(development))
    electronic_rates = {
        "rule": "the rule fit on train, applied to the fault-filtered test's predictions",
        "fault_filtered_test": round(electronic.named_rate(development_rule, split_eval.calibrated, _tags(test)), 4),
        "train_out_of_fold": round(electronic.named_rate(development_rule, development_oof, _tags(development)), 4),
    }
    bundled_check = _bundled_check(final, test, data.genres, len(data.y))
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
    card["electronic_rule"] = rule.to_card()
    card["electronic_rule"]["gtzan_clips_called_electronic"] = electronic_rates
    if cv_eval is not None:
        electronic_rates["nested_cv_all_clips"] = round(
            electronic.named_rate(rule, cv_eval.calibrated, _tags(data)), 4)
    card["tagger"] = tagger_entry()
    card["training_seconds"] = round(time.perf_counter() - started, 1)
    card["environment"] = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "joblib_version": joblib.__version__,
        "python_version": platform.python_version(),
    }
    card["sklearn_version"] = sklearn.__version__
    card["numpy_version"] = np.__version__
    card["feature_recipe_version"] = MODEL_RECIPE_VERSION
    card["plots"] = write_plots(options.out_dir, card, split_eval, cv_eval, test.y, data.y)
    model_card.write_card(options.out_dir, card)
    say(
        f"wrote {model_path} ({sha256[:12]}); test accuracy {test_metrics['accuracy']:.3f}, "
        f"threshold {threshold:.2f}; {card['training_seconds']:.0f} s"
    )
    return card


def _copy_tagger(out_dir: Path) -> None:
    """A model folder is complete on its own: the tagger file goes beside the model."""
    source, target = models_dir() / TAGGER_FILE, Path(out_dir) / TAGGER_FILE
    if not target.exists() or not target.samefile(source):
        shutil.copyfile(source, target)


def _tags(data: TrainingData) -> np.ndarray:
    return data.X[:, [i for i, n in enumerate(data.feature_names) if n.startswith("tag:")]]


def _bundled_check(model, test: TrainingData, genres: tuple[str, ...], n_clips: int) -> dict[str, Any]:
    """Numbers the bundled model itself gives on the CSV rows of the test split.

    These clips are part of its training data, so this is NOT a measure of generalisation; it
    lets a test reproduce the shipped file's behaviour from the CSV.
    """
    probabilities = model.predict_proba(test.X)
    predicted, confidence = top_class(probabilities, genres)
    return {
        "clips": int(n_clips),
        "fault_filtered_test_accuracy": round(float(np.mean(predicted == test.y)), 6),
        "mean_confidence": round(float(confidence.mean()), 6),
        "note": "bundled model (trained on every clip with both families, these included) on the "
                "test split's rows: a reproducibility check, not an estimate of accuracy",
    }
