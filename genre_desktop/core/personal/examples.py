"""The personal model's examples: every analysed window of every track the user corrected,
grouped by track (no Qt, no database: the library layer collects them).

Public API: Examples, window_batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

BATCH_WINDOWS = 20000


@dataclass(frozen=True)
class Examples:
    """Window features with a genre each, grouped by track."""

    features: np.ndarray  # (n_windows, n_features) raw features, FEATURE_NAMES order
    genres: np.ndarray  # (n_windows,) genre names
    tracks: np.ndarray  # (n_windows,) track ids (the groups)

    @classmethod
    def from_tracks(cls, items: Iterable[tuple[int, str, np.ndarray]]) -> "Examples":
        """(track id, genre, (n_windows, n_features) features) per track."""
        rows, genres, tracks = [], [], []
        for track_id, genre, features in items:
            block = np.atleast_2d(np.asarray(features, dtype=np.float64))
            rows.append(block)
            genres += [genre] * len(block)
            tracks += [int(track_id)] * len(block)
        if not rows:
            return cls(np.zeros((0, 0)), np.array([], dtype=str), np.array([], dtype=np.int64))
        return cls(np.vstack(rows), np.array(genres, dtype=str), np.array(tracks, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.genres)

    @property
    def track_count(self) -> int:
        return len(np.unique(self.tracks))

    def per_genre(self) -> dict[str, dict[str, int]]:
        """{genre: {"tracks": n, "windows": m}}, most tracks first."""
        counts = {}
        for genre in np.unique(self.genres):
            mask = self.genres == genre
            counts[str(genre)] = {"tracks": len(np.unique(self.tracks[mask])), "windows": int(mask.sum())}
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1]["tracks"], kv[0].lower())))


def window_batches(tracks: Mapping[int, np.ndarray], max_windows: int = BATCH_WINDOWS) -> Iterator[list[int]]:
    """Track ids in order, in batches of about max_windows windows (one predict call each: fast,
    bounded memory, and a cancel is honoured within a second or so)."""
    batch: list[int] = []
    windows = 0
    for track_id in tracks:
        batch.append(track_id)
        windows += len(tracks[track_id])
        if windows >= max_windows:
            yield batch
            batch, windows = [], 0
    if batch:
        yield batch
