"""Playlist rules and orders, on hand-made candidates (no library, no Qt)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from genre_desktop.core.playlists import (
    PlaylistCandidate,
    PlaylistRules,
    build_playlist,
    path_length,
    standardize,
    total_seconds,
)


def cand(track_id, genre="jazz", confidence=0.9, artist=None, duration=200.0, features=None):
    return PlaylistCandidate(
        track_id=track_id, path=f"/music/{track_id}.flac", title=f"Song {track_id}",
        artist=artist if artist is not None else f"Artist {track_id}", album=None,
        duration=duration, genre=genre, confidence=confidence, features=features,
    )


def ids(tracks):
    return [t.track_id for t in tracks]


# --- rules ----------------------------------------------------------------------------------------


def test_genre_filter_ignores_case_and_accepts_several_genres():
    pool = [cand(1, "jazz"), cand(2, "Blues"), cand(3, "rock"), cand(4, " JAZZ ")]
    assert sorted(ids(build_playlist(pool, PlaylistRules(["Jazz"])))) == [1, 4]
    assert sorted(ids(build_playlist(pool, PlaylistRules(["jazz", "blues"])))) == [1, 2, 4]


def test_custom_genre_from_a_user_label_matches():
    pool = [cand(1, "Lo-fi Study Beats", confidence=None), cand(2, "jazz")]
    assert ids(build_playlist(pool, PlaylistRules(["lo-fi study beats"]))) == [1]


def test_empty_genre_list_matches_every_genre():
    pool = [cand(1, "jazz"), cand(2, "rock"), cand(3, None)]
    assert sorted(ids(build_playlist(pool, PlaylistRules([])))) == [1, 2, 3]


def test_min_confidence_drops_unsure_tracks_but_keeps_user_labels():
    pool = [cand(1, confidence=0.95), cand(2, confidence=0.4), cand(3, confidence=None),
            cand(4, confidence=0.7)]
    chosen = build_playlist(pool, PlaylistRules(["jazz"], min_confidence=0.7))
    assert ids(chosen) == [3, 1, 4]  # the user-labelled track ranks as fully confident


def test_per_artist_cap_ignores_case_and_keeps_the_most_confident():
    pool = [cand(1, artist="Miles Davis", confidence=0.6), cand(2, artist="miles davis", confidence=0.9),
            cand(3, artist="MILES DAVIS ", confidence=0.8), cand(4, artist="Coltrane", confidence=0.5)]
    chosen = build_playlist(pool, PlaylistRules(["jazz"], per_artist=2))
    assert ids(chosen) == [2, 3, 4]


def test_tracks_without_artist_are_not_capped_together():
    pool = [cand(i, artist="") for i in range(5)] + [cand(10, artist="Same"), cand(11, artist="same")]
    chosen = build_playlist(pool, PlaylistRules(["jazz"], per_artist=1))
    assert sorted(ids(chosen)) == [0, 1, 2, 3, 4, 10]


def test_max_tracks_keeps_the_most_confident():
    pool = [cand(i, confidence=i / 10) for i in range(10)]
    assert ids(build_playlist(pool, PlaylistRules(["jazz"], max_tracks=3))) == [9, 8, 7]


def test_max_minutes_is_never_exceeded_and_shorter_tracks_fill_the_gap():
    pool = [cand(1, duration=240, confidence=0.9), cand(2, duration=300, confidence=0.8),
            cand(3, duration=120, confidence=0.7), cand(4, duration=None, confidence=0.99)]
    chosen = build_playlist(pool, PlaylistRules(["jazz"], max_minutes=6))
    assert ids(chosen) == [1, 3]  # 240 + 120 = 360 s; 300 s would overflow; unknown length skipped
    assert total_seconds(chosen) <= 6 * 60


@pytest.mark.parametrize("order", ["confidence", "shuffle", "smooth"])
def test_both_limits_hold_for_every_order(order):
    rng = np.random.default_rng(3)
    pool = [cand(i, duration=float(rng.integers(60, 400)), confidence=float(rng.random()),
                 artist=f"A{i % 7}", features=rng.normal(size=8)) for i in range(300)]
    rules = PlaylistRules(["jazz"], max_tracks=25, max_minutes=60, per_artist=4, order=order, seed=5)
    chosen = build_playlist(pool, rules)
    assert 0 < len(chosen) <= 25
    assert total_seconds(chosen) <= 3600
    assert len(set(ids(chosen))) == len(chosen)
    artists = [t.artist for t in chosen]
    assert max(artists.count(a) for a in artists) <= 4


def test_rules_reject_nonsense():
    with pytest.raises(ValueError):
        PlaylistRules(["jazz"], order="alphabetical")
    with pytest.raises(ValueError):
        PlaylistRules(["jazz"], min_confidence=1.5)
    with pytest.raises(ValueError):
        PlaylistRules(["jazz"], max_tracks=0)
    with pytest.raises(ValueError):
        PlaylistRules(["jazz"], max_minutes=-1)


def test_rules_round_trip_through_a_dict():
    rules = PlaylistRules(["jazz", "blues"], 0.5, 10, 30.0, "smooth", 2, 7)
    assert PlaylistRules.from_dict(rules.to_dict()) == rules


# --- orders ---------------------------------------------------------------------------------------


def test_confidence_order_is_descending_with_ties_broken_by_id_whatever_the_input_order():
    pool = [cand(5, confidence=0.8), cand(2, confidence=0.8), cand(9, confidence=0.95),
            cand(1, confidence=None), cand(7, confidence=0.3)]
    expected = [1, 9, 2, 5, 7]
    assert ids(build_playlist(pool, PlaylistRules(["jazz"]))) == expected
    assert ids(build_playlist(pool[::-1], PlaylistRules(["jazz"]))) == expected


def test_shuffle_is_reproducible_with_a_seed_and_differs_across_seeds():
    pool = [cand(i) for i in range(50)]
    first = ids(build_playlist(pool, PlaylistRules(["jazz"], order="shuffle", seed=42)))
    again = ids(build_playlist(pool[::-1], PlaylistRules(["jazz"], order="shuffle", seed=42)))
    other = ids(build_playlist(pool, PlaylistRules(["jazz"], order="shuffle", seed=43)))
    assert first == again
    assert first != other
    assert sorted(first) == sorted(other) == list(range(50))
    assert first != sorted(first)


def test_shuffle_with_a_limit_picks_a_seeded_random_subset():
    pool = [cand(i, confidence=i / 100) for i in range(100)]
    picks = {tuple(sorted(ids(build_playlist(pool, PlaylistRules(["jazz"], max_tracks=10,
                                                               order="shuffle", seed=s)))))
             for s in range(5)}
    assert len(picks) > 1


def clustered_pool(count=240, clusters=6, dims=12, seed=0):
    """Tracks in tight, well separated clusters, with confidences unrelated to the clusters."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=10.0, size=(clusters, dims))
    return [cand(i, confidence=float(rng.random()),
                 features=centres[i % clusters] + rng.normal(scale=0.5, size=dims))
            for i in range(count)]


def adjacent_distance(tracks):
    points = standardize(np.stack([t.features for t in tracks]))
    return path_length(points, range(len(tracks)))


def test_smooth_order_has_less_adjacent_distance_than_confidence_and_random_orders():
    pool = clustered_pool()
    smooth = build_playlist(pool, PlaylistRules(["jazz"], order="smooth"))
    by_confidence = build_playlist(pool, PlaylistRules(["jazz"], order="confidence"))
    assert sorted(ids(smooth)) == sorted(ids(by_confidence))
    assert smooth[0].track_id == by_confidence[0].track_id  # starts at the most confident
    smooth_length = adjacent_distance(smooth)
    assert smooth_length < 0.5 * adjacent_distance(by_confidence)
    for seed in range(10):
        shuffled = build_playlist(pool, PlaylistRules(["jazz"], order="shuffle", seed=seed))
        assert smooth_length < 0.5 * adjacent_distance(shuffled)


def test_smooth_order_visits_each_cluster_in_one_run():
    pool = clustered_pool(count=120, clusters=4)
    smooth = build_playlist(pool, PlaylistRules(["jazz"], order="smooth"))
    cluster_changes = sum(1 for a, b in zip(smooth, smooth[1:]) if a.track_id % 4 != b.track_id % 4)
    assert cluster_changes == 3


def test_smooth_order_puts_tracks_without_features_last():
    pool = clustered_pool(count=30)
    pool += [cand(100, confidence=0.99), cand(101, confidence=0.98, features=np.full(12, np.nan)),
             cand(102, confidence=0.97, features=np.zeros(5))]
    smooth = build_playlist(pool, PlaylistRules(["jazz"], order="smooth"))
    assert ids(smooth)[-3:] == [100, 101, 102]
    assert len(smooth) == 33


def test_smooth_order_handles_tiny_and_degenerate_inputs():
    assert build_playlist([], PlaylistRules(["jazz"], order="smooth")) == []
    one = [cand(1, features=np.ones(4))]
    assert ids(build_playlist(one, PlaylistRules(["jazz"], order="smooth"))) == [1]
    same = [cand(i, features=np.ones(4)) for i in range(6)]  # every distance is 0
    assert sorted(ids(build_playlist(same, PlaylistRules(["jazz"], order="smooth")))) == list(range(6))


def test_smooth_order_of_five_thousand_tracks_is_fast_and_deterministic():
    rng = np.random.default_rng(1)
    centres = rng.normal(scale=4.0, size=(10, 57))
    pool = [cand(i, confidence=float(rng.random()), features=centres[i % 10] + rng.normal(size=57))
            for i in range(5000)]
    rules = PlaylistRules(["jazz"], order="smooth")
    started = time.perf_counter()
    first = build_playlist(pool, rules)
    elapsed = time.perf_counter() - started
    assert sorted(ids(first)) == list(range(5000))
    assert elapsed < 15.0, f"smooth order of 5,000 tracks took {elapsed:.1f} s"
    assert ids(build_playlist(pool, rules)) == ids(first)


def test_candidates_compare_and_hash_without_looking_at_features():
    a = cand(1, features=np.ones(3))
    b = cand(1, features=np.zeros(3))
    assert a == b and hash(a) == hash(b)
