"""Window choice: where a track is listened to."""

from __future__ import annotations

import math

import pytest

from genre_desktop.core.segments import (
    MIN_TRACK_SECONDS,
    WINDOW_SECONDS,
    TooShort,
    choose_windows,
)
from genre_desktop.core.types import Window


def _check_invariants(duration: float, windows: list[Window], count: int) -> None:
    assert 1 <= len(windows) <= count
    for w in windows:
        assert 0.0 <= w.start < w.end <= duration
        assert w.duration == pytest.approx(min(WINDOW_SECONDS, duration))
    for a, b in zip(windows, windows[1:]):
        assert a.end <= b.start + 1e-9, "windows overlap"


def test_exactly_30_seconds_is_one_whole_window():
    assert choose_windows(30.0) == [Window(0.0, 30.0)]


@pytest.mark.parametrize("duration", [5.0, 12.5, 29.99])
def test_short_track_is_one_window_covering_it(duration):
    assert choose_windows(duration) == [Window(0.0, duration)]


def test_31_seconds_is_one_centred_full_window():
    (w,) = choose_windows(31.0)
    assert w.start == pytest.approx(0.5) and w.end == pytest.approx(30.5)


def test_60_seconds_skips_the_edges_and_fits_one_window():
    # body = [6, 54] holds one 30 s window without overlap; it sits in the middle
    (w,) = choose_windows(60.0)
    assert (w.start, w.end) == (pytest.approx(15.0), pytest.approx(45.0))


def test_four_minutes_gives_three_windows_spread_over_the_body():
    windows = choose_windows(240.0)
    assert [(w.start, w.end) for w in windows] == [
        (pytest.approx(24.0), pytest.approx(54.0)),
        (pytest.approx(105.0), pytest.approx(135.0)),
        (pytest.approx(186.0), pytest.approx(216.0)),
    ]


def test_one_hour_stays_inside_the_body():
    windows = choose_windows(3600.0)
    assert len(windows) == 3
    assert windows[0].start == pytest.approx(360.0)  # first 10% skipped
    assert windows[-1].end == pytest.approx(3240.0)  # last 10% skipped
    assert windows[1].start + WINDOW_SECONDS / 2 == pytest.approx(1800.0)


def test_count_one_takes_the_middle():
    (w,) = choose_windows(240.0, count=1)
    assert (w.start + w.end) / 2 == pytest.approx(120.0)


def test_count_is_an_upper_bound_when_the_body_is_short():
    # 75 s: body [7.5, 67.5] = 60 s holds exactly two windows, back to back
    windows = choose_windows(75.0, count=5)
    assert [(w.start, w.end) for w in windows] == [
        (pytest.approx(7.5), pytest.approx(37.5)),
        (pytest.approx(37.5), pytest.approx(67.5)),
    ]


def test_under_five_seconds_is_too_short_with_a_readable_reason():
    with pytest.raises(TooShort) as err:
        choose_windows(4.9)
    assert "4.9 s" in str(err.value) and "5 s" in str(err.value)
    assert isinstance(err.value, ValueError)
    assert choose_windows(MIN_TRACK_SECONDS) == [Window(0.0, MIN_TRACK_SECONDS)]


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_invalid_durations_are_rejected(bad):
    with pytest.raises(ValueError):
        choose_windows(bad)


def test_count_must_be_positive():
    with pytest.raises(ValueError):
        choose_windows(100.0, count=0)


@pytest.mark.parametrize("duration", [5.0, 30.0, 30.001, 33.3, 45.0, 66.7, 90.0, 100.0,
                                      181.0, 240.0, 599.9, 3600.0, 36000.0])
@pytest.mark.parametrize("count", [1, 2, 3, 4, 8])
def test_invariants_and_determinism(duration, count):
    windows = choose_windows(duration, count)
    _check_invariants(duration, windows, count)
    assert windows == choose_windows(duration, count)
    if duration > WINDOW_SECONDS:
        body_start = min(0.1 * duration, (duration - WINDOW_SECONDS) / 2)
        assert windows[0].start >= body_start - 1e-9
        assert windows[-1].end <= duration - body_start + 1e-9
