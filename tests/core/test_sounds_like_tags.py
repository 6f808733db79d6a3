"""Sounds like: tag groups and display, the thresholds fitted on GTZAN's train clips, the index."""

from __future__ import annotations

import numpy as np
import pytest

from genre_desktop.core.feature_schema import FEATURE_NAMES, TAGGER_TAGS
from genre_desktop.core.sounds_like.similarity import SimilarityIndex, unit_rows
from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import (TagGroup, display_name, file_fields, file_name, find_tag,
                                                  group_of, shown_tags, track_tags)
from genre_desktop.core.sounds_like.thresholds import GENRE_LIKE, choose_thresholds, tag_quality
from genre_desktop.core.training_data import load_model_table, load_split


@pytest.fixture(scope="module")
def gtzan_tables(gtzan_dir):
    table = load_model_table(gtzan_dir)
    parts = {name: table.subset(table.mask_for(load_split(gtzan_dir / "splits", name)))
             for name in ("train", "test")}
    return parts


def _tags(part):
    return part.X[:, len(FEATURE_NAMES):]


def test_every_tag_has_a_group_and_a_threshold():
    assert set(THRESHOLDS) == set(TAGGER_TAGS)
    assert group_of("chill") is TagGroup.MOOD and group_of("80s") is TagGroup.ERA
    assert group_of("instrumental") is TagGroup.VOICE and group_of("punk") is TagGroup.STYLE
    assert display_name("Hip-Hop") == "hip-hop" and display_name("female vocalist") == "female vocalists"
    assert find_tag("chill") == "chill" and find_tag("hip hop") == "Hip-Hop"
    assert find_tag("Female-Vocalists") == "female vocalists" and find_tag("polka") is None


def test_stored_thresholds_are_what_the_train_split_gives(gtzan_tables):
    train = gtzan_tables["train"]
    refit = choose_thresholds(_tags(train), train.y)
    for tag in TAGGER_TAGS:
        assert refit[tag] == pytest.approx(THRESHOLDS[tag], abs=1e-5), tag


def test_shown_genre_tags_are_mostly_right_on_the_unseen_test_split(gtzan_tables):
    test = gtzan_tables["test"]
    quality = tag_quality(_tags(test), test.y, THRESHOLDS)
    assert quality["genre_tag_precision"] >= 0.7
    assert quality["coverage_genre_tag"] >= 0.5
    assert quality["coverage_any_tag"] >= 0.9


def test_shown_tags_of_a_real_clip(gtzan_tables):
    train = gtzan_tables["train"]
    hiphop = _tags(train)[np.flatnonzero(train.y == "hiphop")]
    best = hiphop[np.argmax(hiphop[:, TAGGER_TAGS.index("Hip-Hop")])]
    shown = shown_tags(best, THRESHOLDS)
    assert shown and "hip-hop" in [t.name for t in shown]
    assert all(t.probability >= t.threshold for t in shown)
    strengths = [t.probability / t.threshold for t in shown]
    assert strengths == sorted(strengths, reverse=True)
    per_group = {g: sum(t.group is g for t in shown) for g in TagGroup}
    assert max(per_group.values()) <= 3


def test_track_tags_are_the_window_mean():
    rows = np.random.default_rng(0).random((3, 107))
    assert np.allclose(track_tags(rows), rows[:, 57:].mean(axis=0))
    with pytest.raises(ValueError):
        track_tags(np.zeros((2, 57)))


def test_genre_like_tags_name_gtzan_genres(gtzan_tables):
    genres = set(gtzan_tables["train"].y.tolist())
    assert all(g <= genres for g in GENRE_LIKE.values())


def _brute_force(vectors, query, exclude=()):
    scores = unit_rows(vectors) @ unit_rows(query)[0]
    order = [i for i in np.argsort(-scores, kind="stable") if i not in exclude]
    return order, 1.0 - scores


def test_index_finds_the_same_neighbours_as_brute_force():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(500, 16))
    index = SimilarityIndex(16, capacity=8)  # grows several times
    index.add(list(range(100, 400)), vectors[:300])
    index.add(list(range(400, 600)), vectors[300:])
    query = rng.normal(size=16)
    got = index.query(query, 10, exclude=[100 + 7])
    order, distances = _brute_force(vectors, query, exclude={7})
    assert [n.track_id for n in got] == [100 + i for i in order[:10]]
    assert [n.distance for n in got] == pytest.approx([distances[i] for i in order[:10]], abs=1e-5)


def test_index_remove_and_replace():
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(50, 8))
    index = SimilarityIndex(8, capacity=4)
    index.add(list(range(50)), vectors)
    index.remove([0, 10, 49, 999])
    assert len(index) == 47 and 10 not in index and 11 in index
    assert np.allclose(index.vector(11), unit_rows(vectors[11])[0])
    # a track analysed again: its new vector replaces the old one
    index.add([11], -vectors[11:12])
    assert len(index) == 47
    assert index.query(-vectors[11], 1)[0].track_id == 11
    assert index.query(-vectors[11], 1)[0].distance == pytest.approx(0.0, abs=1e-5)
    survivors = [i for i in range(50) if i not in (0, 10, 49)]
    assert sorted(index.ids()) == survivors


def test_index_caps_artists_and_filters_genre():
    # tracks 0-9 by one artist all close to the query, 10-19 by ten artists farther away
    base = np.array([1.0, 0.0, 0.0])
    near = base + 0.01 * np.arange(10)[:, None] * np.array([0.0, 1.0, 0.0])
    far = base + 0.5 + 0.01 * np.arange(10)[:, None] * np.array([0.0, 0.0, 1.0])
    index = SimilarityIndex(3)
    artists = ["Same"] * 10 + [f"Other {i}" for i in range(10)]
    genres = ["jazz"] * 5 + ["rock"] * 15
    index.add(list(range(20)), np.vstack([near, far]), artists, genres)
    capped = index.query(base, 5, per_artist=2)
    assert [n.track_id for n in capped][:2] == [0, 1]
    assert sum(n.track_id < 10 for n in capped) == 2 and len(capped) == 5
    assert [n.track_id for n in index.query(base, 10, genres=["JAZZ"])] == [0, 1, 2, 3, 4]
    index.set_labels([0], genres=["rock"])
    assert 0 not in [n.track_id for n in index.query(base, 10, genres=["jazz"])]
    # tracks without an artist are never capped together
    index.add([20, 21, 22], np.vstack([base, base, base]), [None, "", None])
    assert {20, 21, 22} <= {n.track_id for n in index.query(base, 5, per_artist=1)}


def test_index_rejects_vectors_of_the_wrong_size():
    index = SimilarityIndex(4)
    with pytest.raises(ValueError):
        index.add([1, 2], np.zeros((2, 5)))
    assert index.query(np.ones(4), 5) == []


def test_sounds_like_core_and_library_code_never_load_qt():
    import subprocess
    import sys

    code = ("import sys, genre_desktop.core.sounds_like.similarity, genre_desktop.library.sounds_like, "
            "genre_desktop.commands.similar; print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_file_fields_are_the_shown_moods_and_styles_in_file_spelling(gtzan_tables):
    assert [file_name(t) for t in ("easy listening", "Hip-Hop", "rnb", "Mellow", "female vocalist", "00s")] == [
        "Easy Listening", "Hip-Hop", "R&B", "Mellow", "Female Vocalists", "00s"]
    tags = _tags(gtzan_tables["test"])
    capped = 0
    for row in tags:
        shown, every = shown_tags(row, THRESHOLDS), shown_tags(row, THRESHOLDS, per_group=None)
        fields = file_fields(t.tag for t in every)
        for field, group in (("mood", TagGroup.MOOD), ("style", TagGroup.STYLE)):
            names = [file_name(t.tag) for t in shown if t.group is group]
            assert fields.get(field, []) == names and len(names) <= 3
            capped += sum(t.group is group for t in every) > 3
    assert capped > 0  # some clips have more than three of a group above threshold: the cap is exercised
