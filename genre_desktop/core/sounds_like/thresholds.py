"""How the display thresholds are chosen, and how good the shown tags are.

Genre-like tags (those that name a GTZAN genre) are checked against GTZAN's labels: each gets
the lowest threshold at which, on the clips it is fitted on, at least TARGET_PRECISION of the
clips showing it are of a matching genre (and at least MIN_SHOWN clips show it); a tag that never
gets there is never shown. GTZAN has no mood, era or voice labels, so every other tag is shown as
often, relative to its own spread, as the calibrated genre-like tags are: its threshold is the
quantile of its values that leaves the median shown share of the genre-like tags above it.

Fitted on the fault-filtered TRAIN clips only (scripts/choose_tag_thresholds.py); measured on the
TEST clips (benchmarks/bench_similar.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genre_desktop.core.feature_schema import TAGGER_TAGS

TARGET_PRECISION = 0.75
MIN_SHOWN = 5
NEVER = 2.0  # above any probability: the tag is not shown

# Tag -> the GTZAN genres it counts as right for.
GENRE_LIKE: dict[str, frozenset[str]] = {
    "rock": frozenset({"rock", "metal"}),  # on GTZAN, metal is where the tagger hears rock
    "classic rock": frozenset({"rock"}),
    "alternative rock": frozenset({"rock"}),
    "indie rock": frozenset({"rock"}),
    "hard rock": frozenset({"rock", "metal"}),
    "punk": frozenset({"rock", "metal"}),
    "metal": frozenset({"metal"}),
    "heavy metal": frozenset({"metal"}),
    "Hip-Hop": frozenset({"hiphop"}),
    "jazz": frozenset({"jazz"}),
    "blues": frozenset({"blues"}),
    "country": frozenset({"country"}),
    "pop": frozenset({"pop"}),
    "indie pop": frozenset({"pop"}),
}


def calibrated_threshold(values: np.ndarray, right: np.ndarray,
                         target: float = TARGET_PRECISION, min_shown: int = MIN_SHOWN) -> float:
    """The lowest value t such that, of the clips with value >= t, at least ``target`` are right
    and there are at least ``min_shown`` of them; NEVER if there is no such t."""
    order = np.argsort(-values, kind="stable")
    v, hits = values[order], np.cumsum(right[order])
    shown = np.arange(1, len(v) + 1)
    ok = (hits / shown >= target) & (shown >= min_shown)
    # a cut must not split equal values: only the last of a run of ties is a real cut
    ok &= np.append(v[1:] < v[:-1], True)
    return float(v[np.flatnonzero(ok)[-1]]) if ok.any() else NEVER


def choose_thresholds(tags: np.ndarray, genres: Sequence[str]) -> dict[str, float]:
    """Per tag of TAGGER_TAGS: its display threshold, fitted on (clips, 50) ``tags``."""
    tags = np.asarray(tags, dtype=np.float64)
    genres = np.asarray(genres)
    chosen: dict[str, float] = {}
    shares = []
    for i, tag in enumerate(TAGGER_TAGS):
        if tag in GENRE_LIKE:
            right = np.isin(genres, sorted(GENRE_LIKE[tag]))
            chosen[tag] = calibrated_threshold(tags[:, i], right)
            if chosen[tag] < NEVER:
                shares.append(float(np.mean(tags[:, i] >= chosen[tag])))
    share = float(np.median(shares))
    for i, tag in enumerate(TAGGER_TAGS):
        if tag not in chosen:
            chosen[tag] = float(np.quantile(tags[:, i], 1.0 - share))
    return {tag: chosen[tag] for tag in TAGGER_TAGS}


def tag_quality(tags: np.ndarray, genres: Sequence[str],
                thresholds: dict[str, float]) -> dict[str, float]:
    """Precision of the shown genre-like tags against the labels, and coverage: the share of
    clips with at least one shown tag, and with at least one shown genre-like tag."""
    tags = np.asarray(tags, dtype=np.float64)
    genres = np.asarray(genres)
    limits = np.array([thresholds[t] for t in TAGGER_TAGS])
    shown = tags >= limits
    genre_like = np.array([t in GENRE_LIKE for t in TAGGER_TAGS])
    right = np.zeros_like(shown)
    for i, tag in enumerate(TAGGER_TAGS):
        if tag in GENRE_LIKE:
            right[:, i] = np.isin(genres, sorted(GENRE_LIKE[tag]))
    n_shown = int(shown[:, genre_like].sum())
    return {
        "genre_tag_precision": float((shown & right)[:, genre_like].sum() / n_shown) if n_shown else 0.0,
        "genre_tags_shown": n_shown,
        "coverage_any_tag": float(shown.any(axis=1).mean()),
        "coverage_genre_tag": float(shown[:, genre_like].any(axis=1).mean()),
        "clips": int(len(tags)),
    }
