"""The personalisation harness runs in CI on its real path: one simulated user per cell, through
the app's scan, label, learn and re-predict (benchmarks/bench_personalize.py --pool real)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def real_table(tmp_path_factory, gtzan_dir):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_personalize
        from genre_desktop.core.training_data import load_model_table

        return bench_personalize.simulate_real(load_model_table(gtzan_dir), draws=1, repeats=1,
                                               cache=tmp_path_factory.mktemp("bench-personalize"))
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_every_library_mix_and_k_is_reported(real_table):
    from personalize_real import KS

    assert {(row["library"], row["k"]) for row in real_table} == {
        (mix, k) for mix in ("users only", "others 1/5", "others 1/2") for k in KS}
    for row in real_table:
        assert 0.0 <= row["user genres"] <= 1.0 and 0.0 <= row["flips with one more"] <= 1.0
        assert ("untouched change" in row) == (row["library"] != "users only")


def test_corrections_help_the_users_genres_and_leave_the_others(real_table):
    """Two of the user's four genres are new to the bundled model: it gets them all wrong, and
    seven corrections each must teach them. The genres the user never touched must not lose more
    than one track of their 10-40 (a single user; bench_personalize.py reports 18 per cell)."""
    for row in real_table:
        if row["k"] == 7:
            assert row["user genres"] >= row["bundled on user genres"] + 0.15, row
        if "untouched change" in row:
            assert row["untouched change"] >= -0.1, row
