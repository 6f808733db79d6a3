"""The bundled model and its card: checked before unpickling, consistent, and reproducible
from the CSV."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
import sklearn

from genre_desktop.core import features
from genre_desktop.core.classifier import GenreClassifier
from genre_desktop.core.model_card import CARD_FILE, MODEL_FILE, model_version, sha256_file
from genre_desktop.core.training_data import load_features_csv, load_split
from genre_desktop.paths import models_dir


@pytest.fixture(scope="module")
def card() -> dict:
    return json.loads((models_dir() / CARD_FILE).read_text())


@pytest.fixture(scope="module")
def data(gtzan_dir):
    return load_features_csv(gtzan_dir / "features_30_sec.csv")


def test_sha256_matches_before_unpickling(card):
    # Checked here on the bytes alone; only then does anything unpickle the file.
    assert sha256_file(models_dir() / MODEL_FILE) == card["sha256"]
    assert card["model_version"] == model_version(card["sha256"])


def test_card_describes_the_model(card):
    assert card["genres"] == ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal",
                              "pop", "reggae", "rock"]
    assert tuple(card["feature_names"]) == features.FEATURE_NAMES
    assert card["feature_recipe_version"] == features.RECIPE_VERSION
    assert card["sklearn_version"] == sklearn.__version__
    assert card["numpy_version"]
    assert 0.0 < card["recommended_threshold"] < 1.0 and card["threshold_reasoning"]
    assert card["training_command"].startswith("genre-desktop train ")
    for plot in card["plots"]:
        assert (models_dir() / plot).stat().st_size > 1000


def test_card_numbers_are_consistent(card):
    test = card["fault_filtered_test"]
    assert test["n"] == 290 and card["cv10"]["n"] == 1000
    assert sum(map(sum, test["confusion"])) == 290
    assert np.trace(test["confusion"]) == round(test["accuracy"] * 290)
    assert sum(map(sum, card["cv10"]["confusion"])) == 1000
    assert np.trace(card["cv10"]["confusion"]) == round(card["cv10"]["accuracy"] * 1000)
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
    """The shipped file's predictions on the test split's CSV rows give the card's numbers."""
    classifier = GenreClassifier.load()  # sha256-checked
    test = data.subset(data.mask_for(load_split(gtzan_dir / "splits", "test")))
    probabilities = classifier.predict_proba(test.X)
    predicted = np.asarray(classifier.genres)[probabilities.argmax(axis=1)]
    check = card["bundled_model_check"]
    assert float(np.mean(predicted == test.y)) == pytest.approx(check["fault_filtered_test_accuracy"], abs=1e-6)
    assert float(probabilities.max(axis=1).mean()) == pytest.approx(check["mean_confidence"], abs=1e-6)
    # It was trained on these clips too, so it must do at least as well as the honest model did.
    assert check["fault_filtered_test_accuracy"] >= card["fault_filtered_test"]["accuracy"]


def test_model_is_the_documented_stack(card):
    model = joblib.load(models_dir() / MODEL_FILE)  # noqa: S301 (sha256 verified above)
    stack_pipeline = model.calibrated_classifiers_[0].estimator
    stack = stack_pipeline[-1]
    assert [name for name, _ in stack.estimators] == ["knn", "svm", "mlp"]
    assert stack.passthrough is True
    assert type(stack.final_estimator_).__name__ == "LogisticRegression"
    assert stack.final_estimator_.C == card["hyperparameters"]["meta"]["C"]
    assert stack.named_estimators_["svm"].C == card["hyperparameters"]["svm"]["C"]
    assert model.method == "temperature"


def test_card_states_the_base_model_comparison_plainly(card):
    """The card states plainly how the stack compares with its base models."""
    comparison = card["base_model_comparison"]
    for metric in ("test_accuracy", "cv10_accuracy"):
        better = [n for n in ("knn", "svm", "mlp") if comparison[n][metric] > comparison["stack"][metric]]
        if better:
            assert "beat" in comparison["verdict"] and all(n in comparison["verdict"] for n in better)
        else:
            assert f"{metric}: the stack beats every base model" in comparison["verdict"]


def test_coverage_table_arithmetic(card):
    for row in card["coverage_at_thresholds_fault_filtered_test"]:
        assert row["coverage"] == pytest.approx(row["labelled"] / 290, abs=1e-4)
