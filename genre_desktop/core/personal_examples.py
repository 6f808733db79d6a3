"""The personal model's examples: the user's corrections, plus anchors from their own library.

Examples (no Qt, no database: the library layer collects them):
- corrections: every analysed window of every track the user labelled, grouped by track;
- anchors: unlabelled tracks of the same library that the bundled model alone leans to (track
  confidence >= ANCHOR_CONFIDENCE), labelled with the bundled genre, at most ANCHORS_PER_GENRE of
  the surest per genre. A model fit on corrections alone knows only the user's genres and claims
  every track for one of them: with genres held out of GTZAN that cost 50-60 points on the genres
  the user never corrected (benchmarks/bench_personalize.py). Anchors show it what the bundled
  genres sound like in this very collection. A genre the user corrected keeps no anchors once
  it has OWN_EXAMPLES_ENOUGH corrected tracks (personal_training drops them): the corrections say
  it better, and its anchors carry the bundled model's mistakes (a new genre's tracks heard as
  'rock' become rock examples); dropping them gained 8-12 points on libraries of the user's genres
  and 2-3 on mixed ones. With one or two corrections a genre keeps its anchors: so few tracks
  cannot teach it, and without them a genre the bundled model knows well lost its tracks to the
  user's other genres (the screenshots' demo library, 10 clips a genre, 6 disco tracks called
  'electronic' and 1-2 fixes of five other genres: jazz, pop and country fell from 10 tracks to
  5-6 each; with their anchors they stay at 9-11).

Anchors can also mislead: in a library that holds only the user's genres, every anchor of another
genre is the bundled model's mistake (a new genre heard as an old one). other_genres_in_library
estimates whether the library holds other genres at all (core/other_genres.py: the library against
the bundled model's own training examples of those genres); core/personal_training.py turns it
into the weight of the other genres' anchors.
Earlier estimates compared how often the library and the corrections are surely called another
genre, then told the user's corrected tracks from those training examples and adjusted for how
often held-out corrections were taken for them; with a few corrections both rates were too noisy
(core/other_genres.py). Weighting each genre by the share of its calls the user kept, or a higher
anchor threshold (0.8), cost the untouched genres 7-30 points.

Public API: Examples, select_anchors, window_batches, other_genres_in_library, ANCHOR_CONFIDENCE,
ANCHORS_PER_GENRE, OWN_EXAMPLES_ENOUGH.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from genre_desktop.core.cancel import CancelToken
from genre_desktop.core.other_genres import other_genres_share, track_means

if TYPE_CHECKING:
    from genre_desktop.core.model.classifier import GenreClassifier

ANCHOR_CONFIDENCE = 0.35
ANCHORS_PER_GENRE = 250
OWN_EXAMPLES_ENOUGH = 3  # corrected tracks from which a genre learns from them alone
BATCH_WINDOWS = 20000


@dataclass(frozen=True)
class Examples:
    """Window features with a genre each, grouped by track."""

    features: np.ndarray  # (n_windows, n_features) raw features, FEATURE_NAMES order
    genres: np.ndarray  # (n_windows,) genre names
    tracks: np.ndarray  # (n_windows,) track ids (the groups)
    # anchors only: every track looked at (its mean window in the bundled model's scaled space)
    library: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

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
    def scanned(self) -> int:
        return len(self.library)

    @property
    def track_count(self) -> int:
        return len(np.unique(self.tracks))

    def without_genres(self, genres: Iterable[str]) -> "Examples":
        """These examples but those of ``genres`` (the library's track means are kept)."""
        keep = ~np.isin(self.genres, list(genres))
        return replace(self, features=self.features[keep], genres=self.genres[keep], tracks=self.tracks[keep])

    def concat(self, other: "Examples") -> "Examples":
        """These examples and other's (the library's track means are not carried over)."""
        if len(other) == 0:
            return self
        return Examples(np.vstack([self.features, other.features]), np.concatenate([self.genres, other.genres]),
                        np.concatenate([self.tracks, other.tracks]))

    def per_genre(self) -> dict[str, dict[str, int]]:
        """{genre: {"tracks": n, "windows": m}}, most tracks first."""
        counts = {}
        for genre in np.unique(self.genres):
            mask = self.genres == genre
            counts[str(genre)] = {"tracks": len(np.unique(self.tracks[mask])), "windows": int(mask.sum())}
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1]["tracks"], kv[0].lower())))


def select_anchors(bundled: "GenreClassifier",
                   unlabelled: Mapping[int, np.ndarray] | Iterable[Mapping[int, np.ndarray]],
                   cancel: CancelToken | None = None) -> Examples:
    """Unlabelled tracks (track id -> window features, or an iterable of such chunks, so that a
    large library is read piece by piece) the bundled model alone leans to; only the kept
    tracks' features stay in memory."""
    with threadpool_limits(1):
        return _select_anchors(bundled.bundled_only(), unlabelled, cancel)


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


def _select_anchors(plain: "GenreClassifier", unlabelled, cancel: CancelToken | None) -> Examples:
    chunks = [unlabelled] if isinstance(unlabelled, Mapping) else unlabelled
    surest: dict[str, list[tuple[float, int, np.ndarray]]] = {}  # per genre, a min-heap
    library: list[np.ndarray] = []
    for chunk in chunks:
        for batch in window_batches(chunk):
            if cancel is not None:
                cancel.check()
            windows = np.vstack([chunk[t] for t in batch])
            probs = plain.predict_proba(windows)
            scaled = plain.scale(windows)
            row = 0
            for track_id in batch:
                n = len(chunk[track_id])
                track = probs[row:row + n].mean(axis=0)
                library.append(scaled[row:row + n].mean(axis=0).astype(np.float32))
                row += n
                best = int(np.argmax(track))
                if track[best] < ANCHOR_CONFIDENCE:
                    continue
                heap = surest.setdefault(plain.genres[best], [])
                item = (float(track[best]), -int(track_id), chunk[track_id])  # ties: lower id wins
                if len(heap) < ANCHORS_PER_GENRE:
                    heapq.heappush(heap, item)
                elif item[:2] > heap[0][:2]:
                    heapq.heapreplace(heap, item)
    kept = Examples.from_tracks((-neg_id, genre, features) for genre, heap in surest.items()
                                for _, neg_id, features in sorted(heap, key=lambda i: i[:2], reverse=True))
    every = np.vstack(library) if library else np.zeros((0, 0), dtype=np.float32)
    return replace(kept, library=every)


def other_genres_in_library(bundled: "GenreClassifier", corrections: Examples, anchors: Examples) -> float | None:
    """core/other_genres.py's estimate of the share of the library's tracks (anchors.library) of
    genres the user never corrected; None where there is nothing to estimate."""
    if anchors.scanned == 0 or len(corrections) == 0:
        return None
    reference, reference_genres = bundled.reference_examples()
    return other_genres_share(reference, reference_genres, set(corrections.genres.tolist()),
                              track_means(bundled.scale(corrections.features), corrections.tracks), anchors.library)
