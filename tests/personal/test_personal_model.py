"""The personal model in core: fitting, the card, the blend, storage and its refusals."""

from __future__ import annotations

import datetime
import json
import os

import numpy as np
import pytest

from genre_desktop.core import personal_examples as px, personal_model, personal_training as pt
from genre_desktop.core import personal_validation as validation
from genre_desktop.core.model.blend import blend
from genre_desktop.core.model.classifier import GenreClassifier, load_classifier
from genre_desktop.core.model.sources import DecidedBy
from genre_desktop.core.personal_model import PersonalModelError
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
    corrections, unlabelled = examples
    return pt.fit(bundled, corrections, px.select_anchors(bundled, unlabelled))


@pytest.fixture
def saved(fitted, personal_dir):
    personal_model.save(personal_dir, fitted.genres, fitted.coef, fitted.intercept, fitted.weight, fitted.card)
    return personal_dir


def test_a_genre_the_bundled_model_lacks_becomes_predictable(bundled, fitted, saved, csv_data):
    joined = GenreClassifier.load(personal_dir=saved)
    assert NEW_GENRE not in bundled.genres
    assert joined.genres == bundled.genres + (NEW_GENRE,)
    reggae = np.flatnonzero(csv_data.y == SOURCE_GENRE)
    unseen = csv_data.X[np.setdiff1d(reggae, reggae[::STRIDE])]
    tops = [joined.genres[i] for i in joined.predict_proba(unseen).argmax(axis=1)]
    assert tops.count(NEW_GENRE) / len(tops) > 0.5, tops  # most of them; the bundled model alone: none
    dub_row = unseen[[i for i, t in enumerate(tops) if t == NEW_GENRE][0]][None, :]
    prediction = joined.predict_track([Window(0, 30)], dub_row)
    assert prediction.genre == NEW_GENRE and prediction.decided_by == DecidedBy.PERSONAL.value
    assert prediction.model_version == f"{bundled.version}+{joined.personal.version}"


def test_tracks_of_genres_the_user_never_touched_keep_the_bundled_answer(bundled, fitted, saved, csv_data):
    joined = GenreClassifier.load(personal_dir=saved)
    untouched = [g for g in csv_data.genres if g not in (SOURCE_GENRE, "rock", "classical")]
    rows = np.flatnonzero(np.isin(csv_data.y, untouched))[::3]
    both, alone = joined.predict_windows(csv_data.X[rows])
    same = np.mean(np.array(joined.genres)[both.argmax(1)] == np.array(bundled.genres)[alone.argmax(1)])
    assert same >= 0.9
    agreeing = rows[np.array(joined.genres)[both.argmax(1)] == np.array(bundled.genres)[alone.argmax(1)]][:1]
    assert joined.decided_by(both[rows == agreeing[0]][0], alone[rows == agreeing[0]][0]) == DecidedBy.BUNDLED


def test_a_fix_or_two_of_a_known_genre_keeps_its_tracks(bundled, csv_data):
    """The user calls 6 disco clips 'nu-disco' and fixes one or two of the bundled model's
    mistakes in four genres it knows. So few corrections cannot teach a genre: those genres keep
    their anchors, and the new genre does not take their tracks (without the anchors, hiphop here
    fell from 22 tracks to 10)."""
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
    fitted = pt.fit(bundled, corrections, px.select_anchors(bundled, unlabelled))
    assert set(fixes) <= set(fitted.card["anchors"]["per_genre"])
    joined = bundled.with_personal(personal_model.PersonalModel(fitted.genres, fitted.coef, fitted.intercept,
                                                                fitted.weight, dict(fitted.card, model_version="t")))
    for genre in fixes:
        rest = [r for r in library[genre] if int(r) not in taken]
        features = np.vstack([unlabelled[int(r)] for r in rest])

        def kept(model):
            tracks = model.predict_proba(features).reshape(len(rest), -1, len(model.genres)).mean(axis=1)
            return int(np.sum(np.array(model.genres)[tracks.argmax(axis=1)] == genre))
        assert kept(joined) >= kept(bundled) - 2, genre


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
    assert card["blend"]["weight"] in pt.BLEND_WEIGHTS and set(card["blend"]["candidates"]) == {
        f"{w:g}" for w in pt.BLEND_WEIGHTS}
    # Anchors: unlabelled tracks the bundled model leans to, of genres the user never corrected
    # (or corrected fewer than 3 times); its reggae lost every real reggae track to 'dub', so few are left there.
    anchors = card["anchors"]["per_genre"]
    assert sum(anchors.values()) == card["anchors"]["tracks"] > 0
    # Rock has 3 corrections and learns from them alone; classical's one keeps its anchors.
    assert px.OWN_EXAMPLES_ENOUGH == 3 and "rock" not in anchors and anchors["classical"] > 10
    assert anchors.get(SOURCE_GENRE, 0) < min(anchors[g] for g in ("blues", "jazz", "metal"))
    assert card["fitted_at"][:4] == str(datetime.date.today().year)


def test_blend_keeps_new_genres_undiluted_and_rows_normalised():
    bundled = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    personal = np.array([[0.5, 0.1, 0.4], [0.0, 0.2, 0.8]])  # genres: b, a, new
    genres, mixed = blend(bundled, ("a", "b", "c"), personal, ("b", "a", "new"), 0.5)
    assert genres == ("a", "b", "c", "new")
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0)
    np.testing.assert_allclose(mixed[:, 3], personal[:, 2])
    # Bundled genres share what is left, (1 - w) * bundled + w * personal, rescaled.
    share = np.array([0.5 * 0.7 + 0.5 * 0.1, 0.5 * 0.2 + 0.5 * 0.5, 0.5 * 0.1])
    np.testing.assert_allclose(mixed[0, :3], share / share.sum() * 0.6)
    with pytest.raises(ValueError):
        blend(bundled, ("a", "b", "c"), personal, ("b", "a", "new"), 1.5)


def test_the_blend_weight_is_chosen_on_the_users_labels_not_on_the_anchors():
    # One corrected 'b' track the bundled model hears as 'a'; anchors of 'a' and 'c' (the bundled
    # model's own calls) that the personal model hears as 'b'. Scored on everything, the anchors
    # would pick the lowest weight, which gets the user's track wrong.
    genres = ("a", "b", "c")
    bundled = np.array([[0.9, 0.1, 0.0], [0.6, 0.4, 0.0], [0.0, 0.4, 0.6]])
    personal = np.array([[0.1, 0.9, 0.0], [0.2, 0.8, 0.0], [0.0, 0.8, 0.2]])
    held = validation.HeldOut(personal, genres, bundled, genres, np.array(["b", "a", "c"]), np.array([1, 2, 3]), 5)
    weight, scores = validation.choose_weight(held, np.array([True, False, False]))
    assert weight == 0.7 and scores["0.7"] == scores["1"] == 1.0 and scores["0.5"] == 0.0
    assert validation.choose_weight(held, np.ones(3, bool))[0] == 0.15


@pytest.mark.parametrize(("share", "per_genre", "trust"), [
    (0.12, 3, 1.0),  # the top of the ramp
    (0.08, 10, 0.5),  # halfway up
    (0.06, 10, 0.25),
    (0.0, 3, pt.MIN_OTHER_WEIGHT),  # reads none, but 3 corrections a genre keep the floor
    (0.0, 10, 0.0),  # reads none, and 10 a genre are enough to believe it
])
def test_the_other_genres_trust_follows_the_estimate_above_the_floor(share, per_genre, trust):
    corrections = px.Examples.from_tracks((i, "a" if i < per_genre else "b", np.zeros((1, 4)))
                                          for i in range(2 * per_genre))
    assert pt._other_genres_trust(share, corrections) == pytest.approx(trust)
    assert pt._other_genres_trust(None, corrections) == 1.0


def test_save_and_load_round_trip(fitted, saved, bundled, csv_data):
    loaded = personal_model.load(saved, bundled.version)
    assert loaded.genres == fitted.genres and loaded.weight == fitted.weight
    rows = bundled.scale(csv_data.X[:20])
    np.testing.assert_allclose(loaded.predict_scaled(rows), personal_model.PersonalModel(
        fitted.genres, fitted.coef, fitted.intercept, fitted.weight, {}).predict_scaled(rows))
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
        personal_model.save(saved, fitted.genres, fitted.coef * 2, fitted.intercept, fitted.weight, fitted.card)
    monkeypatch.undo()
    after = personal_model.load(saved, bundled.version)
    assert after.version == before.version
    np.testing.assert_array_equal(after.coef, before.coef)


def test_learning_needs_corrections(bundled, examples):
    _, unlabelled = examples
    with pytest.raises(pt.PersonalTrainingError, match="no corrected tracks"):
        pt.fit(bundled, px.Examples.from_tracks([]), px.select_anchors(bundled, unlabelled))


def test_other_genres_anchors_count_in_full_only_where_the_library_holds_those_genres(bundled, csv_data, fitted):
    """A library of the user's genres alone (dub and rock, 40 corrections of each from across the
    genre): the bundled model's sure 'reggae' calls are the user's dub, so reggae's anchors weigh
    less, and with that many corrections nothing keeps them up. With 3 corrections a genre the
    estimate is less sure, so they keep MIN_OTHER_WEIGHT. In the mixed library of the fixture,
    the other genres' anchors keep their full weight."""
    rng = np.random.default_rng(2)
    names = list(csv_data.feature_names)
    reggae, rock = (rng.permutation(np.flatnonzero(csv_data.y == g)) for g in (SOURCE_GENRE, "rock"))
    labelled = [(int(r), NEW_GENRE) for r in reggae[:40]] + [(int(r), "rock") for r in rock[:40]]
    corrections = px.Examples.from_tracks((r, g, windows_of(csv_data.X[r], names, rng)) for r, g in labelled)
    unlabelled = {int(r): windows_of(csv_data.X[r], names, rng) for r in np.concatenate([reggae[40:], rock[40:]])}
    anchors = px.select_anchors(bundled, unlabelled)
    assert anchors.scanned == len(unlabelled) and anchors.per_genre()[SOURCE_GENRE]["tracks"] > 20
    users_only = pt.fit(bundled, corrections, anchors).card["anchors"]
    mixed = fitted.card["anchors"]
    assert users_only["other_genres_in_library"] < sum(pt.OTHER_GENRES_RAMP) / 2
    assert users_only["other_genres_weight_floor"] == 0.0
    assert users_only["other_genres_weight_factor"] < pt.MIN_OTHER_WEIGHT
    three_each = px.Examples.from_tracks((r, g, windows_of(csv_data.X[r], names, rng))
                                         for r, g in labelled[:3] + labelled[40:43])
    few = pt.fit(bundled, three_each, anchors).card["anchors"]
    assert few["other_genres_weight_floor"] == pt.MIN_OTHER_WEIGHT
    assert pt.MIN_OTHER_WEIGHT <= few["other_genres_weight_factor"] <= 1.0
    assert mixed["other_genres_in_library"] >= pt.OTHER_GENRES_RAMP[1]
    assert mixed["other_genres_weight_factor"] == 1.0
