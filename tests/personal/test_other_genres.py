"""Whether a library holds genres the user never corrected (core/other_genres.py), on real GTZAN
feature rows: the reference is the train+valid split, the user's music the artist-disjoint test
split, so no reference example is a copy of a library track."""

from __future__ import annotations

import numpy as np
import pytest

from genre_desktop.core.other_genres import _best_bin, other_genres_share
from genre_desktop.core.personal_training import OTHER_GENRES_RAMP
from genre_desktop.core.training_data import load_split

USER_GENRES = ("classical", "metal", "pop", "reggae")
SEEDS = range(5)


@pytest.fixture(scope="module")
def split_rows(bundled, csv_data, gtzan_dir):
    scaled = bundled.scale(csv_data.X)
    train = csv_data.mask_for(load_split(gtzan_dir / "splits", "train") | load_split(gtzan_dir / "splits", "valid"))
    test = csv_data.mask_for(load_split(gtzan_dir / "splits", "test"))
    return scaled[train], csv_data.y[train], scaled[test], csv_data.y[test]


def estimate(split_rows, k: int, others: str, seed: int) -> tuple[float, float]:
    """(estimate, true share) for a user who corrected k tracks of each USER_GENRES; the library
    holds the rest of their genres and, of the other genres, none, a fifth of the library, or all."""
    reference, reference_genres, rows, genres = split_rows
    rng = np.random.default_rng(seed)
    corrected = np.concatenate([rng.choice(np.flatnonzero(genres == g), k, replace=False) for g in USER_GENRES])
    rest = np.setdiff1d(np.arange(len(genres)), corrected)
    mine, other = rest[np.isin(genres[rest], USER_GENRES)], rest[~np.isin(genres[rest], USER_GENRES)]
    library = {"none": mine, "a fifth": np.r_[mine, rng.choice(other, len(mine) // 4, replace=False)], "all": rest}[others]
    share = other_genres_share(reference, reference_genres, USER_GENRES, rows[corrected], rows[library])
    return share, float(np.mean(~np.isin(genres[library], USER_GENRES)))


@pytest.mark.parametrize("k", [3, 10])
def test_a_library_of_the_users_genres_alone_reads_below_the_ramp(split_rows, k):
    estimates = np.array([estimate(split_rows, k, "none", seed)[0] for seed in SEEDS])
    assert estimates.max() < OTHER_GENRES_RAMP[0], estimates


# In the bundled model v2's space (the tagger's 50 tag probabilities) the estimate reads lower
# than in the audio features' space it was tuned in: libraries two-thirds of other genres read
# 0.05-0.08 and a fifth of other genres 0-0.09, inside the ramp, so those genres' anchors count
# only partly. Kept as strict expected failures: they say what the estimate misses today and
# fail loudly if it starts to pass.
V2_SPACE_READS_LOW = pytest.mark.xfail(strict=True, reason="the estimate reads low in the tag space")


@V2_SPACE_READS_LOW
@pytest.mark.parametrize("k", [3, 10])
def test_a_library_mostly_of_other_genres_reads_above_the_ramp_and_below_the_truth(split_rows, k):
    estimates, truth = map(np.array, zip(*(estimate(split_rows, k, "all", seed) for seed in SEEDS)))
    assert 0.6 < truth.mean() < 0.75
    assert estimates.min() >= OTHER_GENRES_RAMP[1] and (estimates < truth).all(), estimates


@V2_SPACE_READS_LOW
@pytest.mark.parametrize("k", [3, 10])
def test_a_fifth_of_other_genres_is_mostly_seen(split_rows, k):
    """The hard case: the estimate misses 1 library in 5 here (reads 0); the others read above the
    bottom of the ramp, so their genres' anchors count."""
    estimates, truth = map(np.array, zip(*(estimate(split_rows, k, "a fifth", seed) for seed in SEEDS)))
    assert 0.15 < truth.mean() < 0.25
    assert (estimates > OTHER_GENRES_RAMP[0]).sum() >= 4 and estimates.max() < 0.3, estimates


def test_the_best_bin_finds_the_share_of_a_known_mixture():
    """Within a few points, and from below: it takes the smallest of many noisy ratios."""
    rng = np.random.default_rng(0)
    reference = rng.uniform(0.5, 1.0, 20000)
    library = np.r_[rng.uniform(0.5, 1.0, 3000), rng.uniform(0.0, 0.45, 7000)]  # 30% like the reference
    assert 0.25 < _best_bin(library, reference) <= 0.3
    assert _best_bin(rng.uniform(0.0, 0.45, 1000), reference) == 0.0


def test_nothing_to_compare_gives_no_estimate(split_rows):
    reference, reference_genres, rows, _ = split_rows
    user = tuple(np.unique(reference_genres))  # the bundled model knows no other genre
    assert other_genres_share(reference, reference_genres, user, rows[:5], rows[5:]) is None
    assert other_genres_share(reference, reference_genres, USER_GENRES, rows[:5], rows[:0]) is None
