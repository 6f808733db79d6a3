"""How much of a library is of genres the user never corrected (core/other_genres.py), on real
GTZAN feature rows: the reference is the train+valid split, the user's music the artist-disjoint
test split, so no reference example is a copy of a library track."""

from __future__ import annotations

import numpy as np
import pytest

from genre_desktop.core.genre_model import fitted_preprocessing, reference_examples
from genre_desktop.core.other_genres import ShareEstimate, other_genres_share, track_means
from genre_desktop.core.personal_training import SHARE_RAMP
from genre_desktop.core.training_data import load_split

USER_GENRES = ("classical", "metal", "pop", "reggae")


@pytest.fixture(scope="module")
def split_rows(bundled, csv_data, gtzan_dir):
    scaled = bundled.scale(csv_data.X)
    train = csv_data.mask_for(load_split(gtzan_dir / "splits", "train") | load_split(gtzan_dir / "splits", "valid"))
    test = csv_data.mask_for(load_split(gtzan_dir / "splits", "test"))
    return scaled[train], csv_data.y[train], scaled[test], csv_data.y[test]


def estimate(split_rows, k: int, mixed: bool, seed: int) -> tuple[ShareEstimate, float]:
    reference, reference_genres, rows, genres = split_rows
    rng = np.random.default_rng(seed)
    corrected = np.concatenate([rng.choice(np.flatnonzero(genres == g), k, replace=False) for g in USER_GENRES])
    rest = np.setdiff1d(np.arange(len(genres)), corrected)
    if not mixed:
        rest = rest[np.isin(genres[rest], USER_GENRES)]
    share = other_genres_share(reference, reference_genres, USER_GENRES, rows[corrected], genres[corrected], rows[rest])
    return share, float(np.mean(~np.isin(genres[rest], USER_GENRES)))


def both(estimates) -> tuple[np.ndarray, np.ndarray]:
    return np.array([e.held_out for e in estimates]), np.array([e.blended for e in estimates])


@pytest.mark.parametrize("k", [3, 10])
def test_a_library_of_the_users_genres_alone_has_little_other_music(split_rows, k):
    estimates = [estimate(split_rows, k, mixed=False, seed=seed)[0] for seed in range(5)]
    held_out, blended = both(estimates)
    assert held_out.mean() < 0.1 and held_out.max() < 0.3, held_out
    # The blended estimate reads higher, but never enough to trust the other genres in full.
    assert (blended >= held_out).all() and blended.max() < SHARE_RAMP[1], blended


@pytest.mark.parametrize(("k", "lowest_mean"), [(3, 0.3), (10, 0.5)])
def test_a_library_with_other_genres_is_seen_to_hold_them(split_rows, k, lowest_mean):
    """About 70% of this library is other genres. Three corrections a genre are a noisy basis
    (one draw here gives 0.08): the held-out estimate errs low, and it steadies with more
    corrections. The blended one does not err low: it alone trusts the other genres in full."""
    results = [estimate(split_rows, k, mixed=True, seed=seed) for seed in range(5)]
    estimates, truth = zip(*results)
    held_out, blended = both(estimates)
    assert 0.6 < np.mean(truth) < 0.8
    assert held_out.mean() > lowest_mean and held_out.max() < 0.85, held_out
    if k == 10:
        assert held_out.min() > 0.3, held_out
    assert blended.min() > SHARE_RAMP[1] and blended.max() < 0.85, blended


def test_nothing_to_compare_gives_no_estimate(split_rows):
    reference, reference_genres, rows, genres = split_rows
    user = tuple(np.unique(reference_genres))  # the bundled model knows no other genre
    assert other_genres_share(reference, reference_genres, user, rows[:5], genres[:5], rows[5:]) is None
    assert other_genres_share(reference, reference_genres, USER_GENRES, rows[:5], genres[:5], rows[:0]) is None


def test_track_means_average_each_tracks_windows():
    scaled = np.array([[1.0, 2.0], [3.0, 4.0], [10.0, 10.0]])
    np.testing.assert_array_equal(track_means(scaled, np.array([7, 7, 2])), [[10.0, 10.0], [2.0, 3.0]])


def test_reference_examples_are_the_scaled_training_table(bundled, csv_data):
    features, genres = reference_examples(bundled._model)
    expected = fitted_preprocessing(bundled._model).transform(csv_data.X)
    assert features.shape == expected.shape
    order = lambda X, y: sorted(zip(y.tolist(), map(tuple, np.round(X, 9))))  # noqa: E731
    assert order(features, genres) == order(expected, csv_data.y)
