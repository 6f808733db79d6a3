"""Playlist rules with Sounds-like tags, and the smooth order by the tagger's embedding."""

from __future__ import annotations

import numpy as np
import pytest

from genre_desktop.core.playlists import (PlaylistCandidate, PlaylistRules, build_playlist, path_length,
                                          suggested_name)
from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import TagGroup, group_of, shown_tags, showable_tags
from genre_desktop.core.training_data import load_model_table


@pytest.fixture(scope="module")
def gtzan_rows(gtzan_dir):
    table = load_model_table(gtzan_dir)
    return table.X, table.y


def cand(track_id, features=None, embedding=None, genre="jazz", artist=None):
    return PlaylistCandidate(track_id, f"/m/{track_id}.flac", f"T{track_id}", artist, None, 200.0,
                             genre, 0.9, features=features, embedding=embedding)


def test_tag_rules_keep_tracks_showing_every_tag_and_none_of_the_excluded(gtzan_rows):
    X, y = gtzan_rows
    jazz = X[y == "jazz"][:60]
    candidates = [cand(i, row) for i, row in enumerate(jazz)] + [cand(99, X[0][:57])]  # 99: no tagger
    shown = {i: {t.key for t in shown_tags(row[57:], THRESHOLDS, per_group=None)} for i, row in enumerate(jazz)}
    common = max({k for keys in shown.values() for k in keys},
                 key=lambda k: (sum(k in keys for keys in shown.values()) < 60,
                                sum(k in keys for keys in shown.values())))
    excluded = "instrumental"
    rules = PlaylistRules(genres=["jazz"], tags=[common], without_tags=[excluded])
    got = {c.track_id for c in build_playlist(candidates, rules)}
    expected = {i for i, keys in shown.items() if common in keys and excluded not in keys}
    assert got == expected and 0 < len(got) < 60 and 99 not in got
    # the names a person types are accepted and stored as keys
    assert PlaylistRules(genres=[], tags=["Mellow", "female vocalist"]).tags == ["mellow", "female-vocalists"]
    again = PlaylistRules.from_dict(rules.to_dict())
    assert again.tags == [common] and again.without_tags == [excluded]
    assert PlaylistRules.from_dict({"genres": ["jazz"]}).tags == []  # rules saved before tags
    with pytest.raises(ValueError, match="not a Sounds-like tag"):
        PlaylistRules(genres=["jazz"], tags=["polka"])


def test_the_suggested_name_says_the_rules_in_words():
    assert suggested_name(PlaylistRules(genres=[])) == "All genres"
    assert suggested_name(PlaylistRules(genres=["blues", "jazz"])) == "blues + jazz"
    assert suggested_name(PlaylistRules(genres=list("abcd"))) == "a + b + c …"
    rules = PlaylistRules(genres=["jazz"], tags=["Mellow", "instrumental"])
    assert suggested_name(rules) == "jazz · mellow · no vocals"  # instrumental is how "no vocals" is asked
    rules = PlaylistRules(genres=[], tags=["80s"], without_tags=["female vocalist", "male-vocalists"])
    assert suggested_name(rules) == "80s · no female vocalists, male vocalists"


def test_tag_rules_offer_every_tag_that_can_be_shown_once_by_group():
    tags = showable_tags(THRESHOLDS)
    assert len(tags) == len(set(tags))
    assert "female vocalist" not in tags and "female vocalists" in tags  # one spelling
    assert not {"alternative rock", "classic rock", "indie pop"} & set(tags)  # never shown
    assert {t for t, threshold in THRESHOLDS.items() if threshold < 1} - set(tags) == {"female vocalist"}
    order = [list(TagGroup).index(group_of(t)) for t in tags]
    assert order == sorted(order)


def test_smooth_order_follows_the_embedding_when_every_track_has_one():
    rng = np.random.default_rng(4)
    angles = rng.permutation(np.linspace(0, 2 * np.pi, 40, endpoint=False))
    circle = np.c_[np.cos(angles), np.sin(angles), np.zeros((40, 198))]
    candidates = [cand(i, rng.normal(size=107), circle[i] * (1 + i % 3)) for i in range(40)]  # scale is ignored
    ordered = build_playlist(candidates, PlaylistRules(genres=["jazz"], order="smooth"))
    unit = circle[:, :2]
    along = path_length(unit, [c.track_id for c in ordered])
    assert along < 1.3 * 2 * np.pi  # about once round the circle
    as_given = path_length(unit, list(range(40)))
    assert along < as_given / 3
    # with one track lacking an embedding, the features decide (noise here): a much longer walk
    mixed = candidates[:-1] + [cand(39, candidates[-1].features, None)]
    by_features = build_playlist(mixed, PlaylistRules(genres=["jazz"], order="smooth"))
    assert path_length(unit, [c.track_id for c in by_features]) > 2 * along
