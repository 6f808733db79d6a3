"""The personal model in core: fitting, the card, the blend, storage and its refusals."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os

import numpy as np
import pytest

from genre_desktop.core.personal import examples as px, model as personal_model, training as pt
from genre_desktop.core.model.blend import blend
from genre_desktop.core.model.classifier import GenreClassifier, load_classifier
from genre_desktop.core.model.sources import DecidedBy
from genre_desktop.core.personal.model import PersonalModelError
from genre_desktop.core.types import Window
from tests.personal.conftest import NEW_GENRE, SOURCE_GENRE, STRIDE, windows_of


@pytest.fixture(scope="module")
def examples(csv_data):
    """20 reggae clips the user calls 'dub', 3 rock clips, 1 classical clip; the other genres'
    clips are the unlabelled rest of the library (every STRIDE-th clip: many artists)."""
    rng = np.random.default_rng(1)
    names = list(csv_data.feature_names)
    library = {g: np.flatnonzero(csv_data.y == g)[::STRIDE] for g in csv_data.genres}
    labelled = ([(int(r), NEW_GENRE) for r in library[SOURCE_GENRE][:20]]
                + [(int(r), "rock") for r in library["rock"][:3]] + [(int(library["classical"][0]), "classical")])
    corrections = px.Examples.from_tracks((r, g, windows_of(csv_data.X[r], names, rng)) for r, g in labelled)
    taken = {r for r, _ in labelled}
    unlabelled = {int(r): windows_of(csv_data.X[r], names, rng) for g, rows in library.items()
                  if g != SOURCE_GENRE for r in rows if int(r) not in taken}
    return corrections, unlabelled


@pytest.fixture(scope="module")
def fitted(bundled, examples):
    corrections, _ = examples
    return pt.fit(bundled, corrections)


@pytest.fixture(scope="module")
def learned_dub(without_reggae, examples):
    """The same corrections, for a bundled model that never heard reggae."""
    fitted = pt.fit(without_reggae, examples[0])
    return without_reggae.with_personal(dataclasses.replace(fitted, card=dict(fitted.card, model_version="t")))


@pytest.fixture
def saved(fitted, personal_dir):
    personal_model.save(personal_dir, fitted)
    return personal_dir


def test_a_genre_the_bundled_model_lacks_becomes_predictable(without_reggae, learned_dub, csv_data):
    joined = learned_dub
    assert NEW_GENRE not in without_reggae.genres
    assert joined.genres == without_reggae.genres + (NEW_GENRE,)
    reggae = np.flatnonzero(csv_data.y == SOURCE_GENRE)
    unseen = csv_data.X[np.setdiff1d(reggae, reggae[::STRIDE])]
    tops = [joined.genres[i] for i in joined.predict_proba(unseen).argmax(axis=1)]
    assert tops.count(NEW_GENRE) / len(tops) > 0.5, tops  # most of them; the bundled model alone: none
    dub_row = unseen[[i for i, t in enumerate(tops) if t == NEW_GENRE][0]][None, :]
    prediction = joined.predict_track([Window(0, 30)], dub_row)
    assert prediction.genre == NEW_GENRE and prediction.decided_by == DecidedBy.PERSONAL.value
    assert prediction.model_version == "without-reggae+t"


def test_a_saved_model_joins_the_bundled_one_when_loaded(bundled, fitted, saved):
    joined = GenreClassifier.load(personal_dir=saved)
    assert joined.genres == bundled.genres + (NEW_GENRE,)
    assert joined.version == f"{bundled.version}+{joined.personal.version}"


def test_tracks_of_genres_the_user_never_touched_keep_the_bundled_answer(learned_dub, csv_data):
    joined = learned_dub
    untouched = [g for g in csv_data.genres if g not in (SOURCE_GENRE, "rock", "classical")]
    rows = np.flatnonzero(np.isin(csv_data.y, untouched))
    both, alone = joined.predict_windows(csv_data.X[rows])
    same = np.mean(np.array(joined.genres)[both.argmax(1)] == np.array(joined.bundled_genres)[alone.argmax(1)])
    assert same >= 0.98
    agreeing = rows[np.array(joined.genres)[both.argmax(1)] == np.array(joined.bundled_genres)[alone.argmax(1)]][:1]
    assert joined.decided_by(both[rows == agreeing[0]][0], alone[rows == agreeing[0]][0]) == DecidedBy.BUNDLED


def test_a_fix_or_two_of_a_known_genre_keeps_its_tracks(bundled, csv_data):
    """The user calls 6 disco clips 'nu-disco' and fixes one or two of the bundled model's
    mistakes in four genres it knows. So few corrections cannot take a genre's tracks away: each
    genre keeps its training examples, and the personal model counts only near the corrections."""
    rng = np.random.default_rng(4)
    names = list(csv_data.feature_names)
    library = {g: np.flatnonzero(csv_data.y == g)[::STRIDE] for g in csv_data.genres}
    fixes = {"jazz": 1, "pop": 2, "country": 1, "hiphop": 2}
    labelled = [(int(r), "nu-disco") for r in library["disco"][:6]]
    for genre, n in fixes.items():
        calls = np.array(bundled.genres)[bundled.predict_proba(csv_data.X[library[genre]]).argmax(axis=1)]
        labelled += [(int(r), genre) for r in library[genre][calls != genre][:n]]
    corrections = px.Examples.from_tracks((r, g, windows_of(csv_data.X[r], names, rng)) for r, g in labelled)
    taken = {r for r, _ in labelled}
    unlabelled = {int(r): windows_of(csv_data.X[r], names, rng) for rows in library.values() for r in rows
                  if int(r) not in taken}
    fitted = pt.fit(bundled, corrections)
    joined = bundled.with_personal(dataclasses.replace(fitted, card=dict(fitted.card, model_version="t")))
    for genre in fixes:
        rest = [r for r in library[genre] if int(r) not in taken]
        features = np.vstack([unlabelled[int(r)] for r in rest])

        def kept(model):
            tracks = model.predict_proba(features).reshape(len(rest), -1, len(model.genres)).mean(axis=1)
            return int(np.sum(np.array(model.genres)[tracks.argmax(axis=1)] == genre))
        assert kept(joined) >= kept(bundled) - 1, genre


def test_card_reports_examples_cross_validation_and_the_blend(bundled, fitted, examples):
    card = fitted.card
    assert card["bundled_model_version"] == bundled.version
    assert card["examples"][NEW_GENRE] == {"tracks": 20, "windows": 60}
    assert card["examples"]["classical"] == {"tracks": 1, "windows": 3}
    assert card["new_genres"] == [NEW_GENRE]
    cv = card["cross_validation"]
    assert cv["per_genre"]["classical"]["accuracy"] == pt.NOT_ENOUGH
    assert 0.0 <= cv["per_genre"][NEW_GENRE]["accuracy"] <= 1.0
    assert cv["tracks"] == 23 and cv["folds"] >= 2
    assert cv["accuracy"] > cv["bundled_accuracy"]  # the bundled model can never say 'dub'
    method = card["method"]
    assert method["correction_weight"] == pt.CORRECTION_WEIGHT and method["C"] == pt.REGULARIZATION_C
    assert method["reference_examples"] == len(bundled.reference_examples()[0]) > 700
    assert fitted.taught == ("classical", NEW_GENRE, "rock") and fitted.reach == pt.REACH
    assert len(fitted.examples) == 24 * 3 and fitted.examples.dtype == np.float32
    assert card["fitted_at"][:4] == str(datetime.date.today().year)


def test_blend_moves_only_the_taught_genres_and_only_with_local_evidence():
    bundled = np.array([[0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3]])  # genres a, b, c
    personal = np.array([[0.5, 0.1, 0.4], [0.0, 0.2, 0.8], [0.3, 0.3, 0.4]])  # genres b, a, new
    evidence = np.array([1.0, 0.0, 0.5])
    genres, mixed = blend(bundled, ("a", "b", "c"), personal, ("b", "a", "new"), ("b", "new"), evidence)
    assert genres == ("a", "b", "c", "new")
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0)
    # Full evidence: the taught genres b and new take the personal model's mass; a and c, never
    # taught, share the rest in the bundled model's proportions (6:1).
    np.testing.assert_allclose(mixed[0], [0.1 * 6 / 7, 0.5, 0.1 * 1 / 7, 0.4])
    np.testing.assert_allclose(mixed[1], [0.1, 0.1, 0.8, 0.0])  # no evidence: the bundled answer as it is
    view = np.array([0.3 * 0.4, 0.3, 0.3 * 0.6, 0.4])
    np.testing.assert_allclose(mixed[2], 0.5 * np.r_[bundled[2], 0.0] + 0.5 * view)
    with pytest.raises(ValueError):
        blend(bundled, ("a", "b", "c"), personal, ("b", "a", "new"), ("b",), np.array([1.5, 0, 0]))


def test_evidence_is_full_near_a_correction_and_none_far_from_every_one():
    reference = np.array([[float(i), 0.0] for i in range(10)])  # the 5th nearest of the origin: 4 away
    model = personal_model.PersonalModel(("a", "b"), np.zeros((2, 2)), np.zeros(2), ("b",),
                                         np.array([[0.0, 1.0]], dtype=np.float32), 0.5, {})
    rows = np.array([[0.0, 1.0], [0.0, 4.0], [40.0, 0.0]])
    evidence = model.evidence(rows, reference)
    assert evidence[0] == pytest.approx(1.0)  # on the corrected example
    assert evidence[1] == pytest.approx(2 - 3 / (0.5 * np.hypot(4, 4)))  # 3 from it, 5.7 from the 5th example
    assert evidence[2] == 0.0  # 40 from it, 35 from the 5th: the bundled model's answer stands
    np.testing.assert_allclose(personal_model.nearest_distance(rows[:1], reference, 5), [np.hypot(4, 1)])


def test_save_and_load_round_trip(fitted, saved, bundled, csv_data):
    loaded = personal_model.load(saved, bundled.version)
    assert loaded.genres == fitted.genres and loaded.taught == fitted.taught and loaded.reach == fitted.reach
    rows = bundled.scale(csv_data.X[:20])
    np.testing.assert_allclose(loaded.predict_scaled(rows), fitted.predict_scaled(rows))
    reference = bundled.reference_examples()[0]
    np.testing.assert_allclose(loaded.evidence(rows, reference), fitted.evidence(rows, reference), atol=1e-6)
    assert personal_model.load(saved.parent / "nothing-here", bundled.version) is None


def test_tampered_weights_are_refused_before_reading(saved, bundled):
    card = json.loads((saved / personal_model.CARD_FILE).read_text())
    weights = saved / card["model_file"]
    data = bytearray(weights.read_bytes())
    data[-40] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(PersonalModelError, match="do not match its card"):
        personal_model.load(saved, bundled.version)
    # A scan goes on with the bundled model alone.
    assert load_classifier(personal_dir=saved).personal is None


@pytest.mark.parametrize("key, value, reason", [
    ("bundled_model_version", "genre-stack-000000000000", "fitted against the bundled model"),
    ("feature_recipe_version", "some-other-recipe", "feature recipe"),
])
def test_a_model_fitted_for_another_bundled_model_or_recipe_is_refused(saved, bundled, key, value, reason):
    path = saved / personal_model.CARD_FILE
    card = json.loads(path.read_text())
    path.write_text(json.dumps(dict(card, **{key: value})))
    with pytest.raises(PersonalModelError, match=reason):
        GenreClassifier.load(personal_dir=saved)


def test_a_save_that_dies_before_its_card_leaves_the_old_model_whole(saved, fitted, bundled, monkeypatch):
    before = personal_model.load(saved, bundled.version)
    real_replace = os.replace

    def dying_replace(src, dst):
        if str(dst).endswith(personal_model.CARD_FILE):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(personal_model.os, "replace", dying_replace)
    with pytest.raises(OSError):
        personal_model.save(saved, dataclasses.replace(fitted, coef=fitted.coef * 2))
    monkeypatch.undo()
    after = personal_model.load(saved, bundled.version)
    assert after.version == before.version
    np.testing.assert_array_equal(after.coef, before.coef)


def test_learning_needs_corrections(bundled):
    with pytest.raises(pt.PersonalTrainingError, match="no corrected tracks"):
        pt.fit(bundled, px.Examples.from_tracks([]))
