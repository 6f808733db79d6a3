"""The bundled model and its card: checked before unpickling, consistent, and reproducible
from the CSV."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
import sklearn

from genre_desktop.core.feature_schema import MODEL_FEATURE_NAMES, MODEL_RECIPE_VERSION
from genre_desktop.core.model.recipe import BASE_MODELS, STACK_BASES
from genre_desktop.core.model_card import CARD_FILE, MODEL_FILE, model_version, sha256_file
from genre_desktop.core.training_data import load_model_table, load_split
from genre_desktop.paths import models_dir


@pytest.fixture(scope="module")
def card() -> dict:
    return json.loads((models_dir() / CARD_FILE).read_text())


@pytest.fixture(scope="module")
def data(gtzan_dir):
    return load_model_table(gtzan_dir)


def test_sha256_matches_before_unpickling(card):
    # Checked here on the bytes alone; only then does anything unpickle the file.
    assert sha256_file(models_dir() / MODEL_FILE) == card["sha256"]
    assert card["model_version"] == model_version(card["sha256"])


def test_card_describes_the_model(card):
    assert card["genres"] == ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal",
                              "pop", "reggae", "rock"]
    assert tuple(card["feature_names"]) == MODEL_FEATURE_NAMES
    assert card["feature_recipe_version"] == MODEL_RECIPE_VERSION
    assert card["sklearn_version"] == sklearn.__version__
    assert card["numpy_version"]
    assert 0.0 < card["recommended_threshold"] < 1.0 and card["threshold_reasoning"]
    assert card["training_command"].startswith("genre-desktop train ")
    for plot in card["plots"]:
        assert (models_dir() / plot).stat().st_size > 1000


def test_card_describes_the_tagger_and_the_electronic_rule(card):
    tagger = card["tagger"]
    assert sha256_file(models_dir() / tagger["file"]) == tagger["sha256"]
    assert "ISC" in tagger["licence"] and "musicnn" in tagger["provenance"]
    assert len(tagger["tags"]) == 50 and tagger["patches_per_track"] >= 1
    rule = card["electronic_rule"]
    assert rule["genre"] == "electronic" and 0.0 < rule["start"] < rule["full"] <= 1.0
    rates = rule["gtzan_clips_called_electronic"]
    for key in ("fault_filtered_test", "train_out_of_fold", "nested_cv_all_clips"):
        assert 0.0 <= rates[key] <= 0.03, key


def test_card_numbers_are_consistent(card):
    test = card["fault_filtered_test"]
    n_all = card["bundled_model_check"]["clips"]
    assert test["n"] == 290 and card["cv10"]["n"] == n_all == 733
    assert sum(map(sum, test["confusion"])) == 290
    assert np.trace(test["confusion"]) == round(test["accuracy"] * 290)
    assert sum(map(sum, card["cv10"]["confusion"])) == n_all
    assert np.trace(card["cv10"]["confusion"]) == round(card["cv10"]["accuracy"] * n_all)
    summary = card["summary"]
    assert summary["test_accuracy"] == test["accuracy"] and summary["test_ece"] == test["ece"]
    assert summary["cv10_accuracy"] == card["cv10"]["accuracy"]
    rows = card["coverage_at_thresholds_fault_filtered_test"]
    coverages = [r["coverage"] for r in rows]
    assert coverages == sorted(coverages, reverse=True)
    chosen = next(r for r in rows if r["threshold"] == card["recommended_threshold"])
    assert summary["coverage"] == chosen["coverage"]
    assert summary["accuracy_above_threshold"] == chosen["accuracy"]
    for goal in card["goals"].values():
        assert set(goal) == {"goal", "value", "met"}


def test_bundled_model_reproduces_its_card_from_the_csv(card, data, gtzan_dir):
    """The shipped file's predictions on the test split's rows give the card's numbers (the
    stack's own, before the electronic rule)."""
    model = joblib.load(models_dir() / MODEL_FILE)  # noqa: S301 (sha256 verified above)
    test = data.subset(data.mask_for(load_split(gtzan_dir / "splits", "test")))
    probabilities = model.predict_proba(test.X)
    predicted = np.asarray(model.classes_)[probabilities.argmax(axis=1)]
    check = card["bundled_model_check"]
    assert float(np.mean(predicted == test.y)) == pytest.approx(check["fault_filtered_test_accuracy"], abs=1e-6)
    assert float(probabilities.max(axis=1).mean()) == pytest.approx(check["mean_confidence"], abs=1e-6)
    # It was trained on these clips too, so it must do at least as well as the honest model did.
    assert check["fault_filtered_test_accuracy"] >= card["fault_filtered_test"]["accuracy"]


def test_model_is_the_documented_stack(card):
    model = joblib.load(models_dir() / MODEL_FILE)  # noqa: S301 (sha256 verified above)
    stack_pipeline = model.calibrated_classifiers_[0].estimator
    stack = stack_pipeline[-1]
    assert [name for name, _ in stack.estimators] == list(STACK_BASES)
    assert stack.passthrough is False and stack.cv.shuffle is False
    assert type(stack.final_estimator_).__name__ == "LogisticRegression"
    assert stack.final_estimator_.C == card["hyperparameters"]["meta"]["C"]
    assert stack.named_estimators_["tags_svm"][-1].C == card["hyperparameters"]["tags_svm"]["C"]
    assert model.method == "temperature"


def test_card_states_the_base_model_comparison_plainly(card):
    """The card states plainly how the stack compares with its base models."""
    comparison = card["base_model_comparison"]
    for metric in ("test_accuracy", "cv10_accuracy"):
        better = [n for n in BASE_MODELS if comparison[n][metric] > comparison["stack"][metric]]
        if better:
            assert "beat" in comparison["verdict"] and all(n in comparison["verdict"] for n in better)
        else:
            assert f"{metric}: the stack beats every base model" in comparison["verdict"]


def test_coverage_table_arithmetic(card):
    for row in card["coverage_at_thresholds_fault_filtered_test"]:
        assert row["coverage"] == pytest.approx(row["labelled"] / 290, abs=1e-4)
