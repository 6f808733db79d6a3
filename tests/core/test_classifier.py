"""GenreClassifier: verified loading, refusals with clear reasons, track predictions, blending."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genre_desktop.core.feature_schema import TAGGER_TAGS
from genre_desktop.core.model.classifier import GenreClassifier, ModelError, aggregate_windows
from genre_desktop.core.model.sources import DecidedBy
from genre_desktop.core.model_card import CARD_FILE, MODEL_FILE, read_card
from genre_desktop.core.training_data import load_model_table
from genre_desktop.core.types import Window
from genre_desktop.paths import models_dir

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def classifier() -> GenreClassifier:
    return GenreClassifier.load()


@pytest.fixture(scope="module")
def csv_data(gtzan_dir):
    return load_model_table(gtzan_dir)


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A writable copy of the bundled model folder (model, tagger and card)."""
    folder = tmp_path / "models"
    folder.mkdir()
    for name in (MODEL_FILE, CARD_FILE, read_card(models_dir())["tagger"]["file"]):
        shutil.copy2(models_dir() / name, folder / name)
    return folder


def _edit_card(folder: Path, **changes) -> None:
    card = json.loads((folder / CARD_FILE).read_text())
    card.update(changes)
    (folder / CARD_FILE).write_text(json.dumps(card))


class _Trap:
    """Unpickling this writes a marker file: proof that a pickle was (not) run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "unpickled"))


def test_loads_bundled_model_with_card_facts(classifier):
    card = json.loads((models_dir() / CARD_FILE).read_text())
    assert classifier.genres == tuple(card["genres"]) + ("electronic",)
    assert classifier.version == card["model_version"]
    assert classifier.recommended_threshold == card["recommended_threshold"]
    assert 0.0 < classifier.recommended_threshold < 1.0


def test_tampered_model_is_refused_before_unpickling(model_copy, tmp_path):
    marker = tmp_path / "marker.txt"
    (model_copy / MODEL_FILE).write_bytes(pickle.dumps(_Trap(marker)))
    with pytest.raises(ModelError, match="does not match its card"):
        GenreClassifier.load(model_copy)
    assert not marker.exists(), "the file was unpickled before its sha256 was checked"


def test_one_flipped_byte_is_refused(model_copy):
    path = model_copy / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        GenreClassifier.load(model_copy)


def test_missing_model_file_and_card_are_clear(model_copy, tmp_path):
    (model_copy / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match="missing"):
        GenreClassifier.load(model_copy)
    with pytest.raises(ModelError, match="no model card"):
        GenreClassifier.load(tmp_path / "nowhere")


def test_card_from_other_sklearn_is_refused(model_copy):
    _edit_card(model_copy, sklearn_version="0.24.2")
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2 but .* is installed"):
        GenreClassifier.load(model_copy)


def test_card_with_other_features_is_refused(model_copy):
    card = json.loads((model_copy / CARD_FILE).read_text())
    _edit_card(model_copy, feature_names=card["feature_names"][::-1])
    with pytest.raises(ModelError, match="other features"):
        GenreClassifier.load(model_copy)
    _edit_card(model_copy, feature_names=card["feature_names"], feature_recipe_version="other-recipe")
    with pytest.raises(ModelError, match="feature recipe"):
        GenreClassifier.load(model_copy)


def test_card_naming_a_path_is_refused(model_copy):
    _edit_card(model_copy, model_file="../../etc/passwd")
    with pytest.raises(ModelError, match="odd model file"):
        GenreClassifier.load(model_copy)


def test_tampered_tagger_or_card_without_tagger_is_refused(model_copy):
    card = json.loads((model_copy / CARD_FILE).read_text())
    tagger_file = model_copy / card["tagger"]["file"]
    data = bytearray(tagger_file.read_bytes())
    data[len(data) // 3] ^= 0x01
    tagger_file.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="tagger .* does not match its card"):
        GenreClassifier.load(model_copy)
    _edit_card(model_copy, tagger=None)
    with pytest.raises(ModelError, match="does not describe its tagger"):
        GenreClassifier.load(model_copy)


def test_loading_imports_neither_qt_nor_matplotlib():
    code = (
        "import sys; from genre_desktop.core.model.classifier import GenreClassifier; "
        "GenreClassifier.load(); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'matplotlib')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_predict_proba_shape_and_validation(classifier, csv_data):
    p = classifier.predict_proba(csv_data.X[:5])
    assert p.shape == (5, len(classifier.genres))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    with pytest.raises(ValueError, match="features"):
        classifier.predict_proba(np.zeros((2, 57)))  # the audio features alone are not enough
    bad = csv_data.X[:1].copy()
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        classifier.predict_proba(bad)


def test_predict_track_is_mean_of_windows(classifier, csv_data):
    rows = csv_data.X[[0, 1, 2]]  # three blues clips standing in for three windows
    windows = [Window(0.0, 30.0), Window(30.0, 60.0), Window(60.0, 90.0)]
    per_window = classifier.predict_proba(rows)
    track = classifier.predict_track(windows, rows)
    expected = per_window.mean(axis=0)
    assert track.genre == classifier.genres[int(np.argmax(expected))]
    assert track.confidence == pytest.approx(expected.max())
    assert sum(track.probabilities.values()) == pytest.approx(1.0)
    assert [w.window for w in track.windows] == windows
    assert [w.genre for w in track.windows] == [classifier.genres[i] for i in per_window.argmax(1)]
    assert track.model_version == classifier.version
    assert track.uncertain == (track.confidence < classifier.recommended_threshold)
    assert classifier.predict_track(windows, rows, threshold=0.0).uncertain is False
    assert classifier.predict_track(windows, rows, threshold=1.01).uncertain is True
    with pytest.raises(ValueError, match="windows"):
        classifier.predict_track(windows[:2], rows)


def test_aggregate_windows_is_the_mean():
    p = np.array([[0.6, 0.4], [0.2, 0.8]])
    np.testing.assert_allclose(aggregate_windows(p), [0.4, 0.6])


def test_electronic_is_named_only_where_the_tagger_hears_it(classifier, csv_data):
    """The rule on real GTZAN rows: a clip whose electronic-family tags are raised far above
    anything GTZAN holds becomes electronic; the clips as they are almost never do."""
    rows = csv_data.X.copy()
    plain = classifier.predict_proba(rows)
    named = plain.argmax(axis=1) == classifier.genres.index("electronic")
    assert named.mean() <= 0.03
    loud = rows.copy()
    column = 57 + TAGGER_TAGS.index("electronic")
    loud[:, column] = 0.95
    electric = classifier.predict_proba(loud)
    assert (electric.argmax(axis=1) == classifier.genres.index("electronic")).mean() > 0.9
    assert electric[:, -1].max() <= classifier.card["electronic_rule"]["ceiling"] + 1e-9
    # The GTZAN genres keep the stack's own proportions under the rule.
    ratio = electric[:, :-1] / electric[:, :-1].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ratio, classifier._model.predict_proba(loud), atol=1e-9)


def test_decided_by_is_a_stable_key(classifier, csv_data):
    track = classifier.predict_track([Window(0.0, 30.0)], csv_data.X[:1])
    assert track.decided_by == DecidedBy.BUNDLED.value == "model"
