"""The personal model's examples: the user's corrections, plus anchors from their own library.

Examples (no Qt, no database: the library layer collects them):
- corrections: every analysed window of every track the user labelled, grouped by track;
- anchors: unlabelled tracks of the same library that the bundled model alone leans to (track
  confidence >= ANCHOR_CONFIDENCE), labelled with the bundled genre, at most ANCHORS_PER_GENRE of
  the surest per genre. A model fit on corrections alone knows only the user's genres and claims
  every track for one of them: with genres held out of GTZAN that cost 50-60 points on the genres
  the user never corrected (benchmarks/bench_personalize.py). Anchors show it what the bundled
  genres sound like in this very collection.

Anchors can also mislead: in a library that holds only the user's genres, every anchor of another
genre is the bundled model's mistake (a new genre heard as an old one). genuine_anchor_share
estimates how many of the sure calls of the other genres are right, by comparing how often the
library is surely called another genre with how often the user's corrected tracks are (taken
DOUBT_Z standard errors lower: with 3 corrections per genre the rate is noisy, and an unlucky draw
dropped real genres, costing the untouched genres 4-10 points). Below FULL_TRUST_SHARE the other
genres' weight shrinks in proportion, to 0 when the corrections explain every such call. Chosen on
simulated users of other held-out genres than the benchmark's, then measured on the benchmark
(csv-test, 6 draws x 3): all-touched library 0.39/0.45/0.50 -> 0.42/0.51/0.65 (K = 3/5/10), mixed
library unchanged (0.51/0.55/0.58; untouched genres -1.1/-0.8/-1.3 points). Without the doubt
margin the all-touched library reached 0.57/0.62/0.72, but the mixed one's untouched genres lost 7
points at K = 3. The margin is costly where the user's music is rarely called another genre: a
library of dub (GTZAN reggae) and rock with 40 corrections of each keeps 0.87 of the weight.
Weighting each genre by the share of its calls the user kept, or a higher anchor
threshold (0.8), cost the untouched genres 7-30 points: a library that really holds a genre is
told apart only by how many of its tracks are called so.

Public API: Examples, select_anchors, window_batches, genuine_anchor_share, ANCHOR_CONFIDENCE,
ANCHORS_PER_GENRE, DOUBT_Z, FULL_TRUST_SHARE.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from genre_desktop.core.cancel import CancelToken

if TYPE_CHECKING:
    from genre_desktop.core.classifier import GenreClassifier

ANCHOR_CONFIDENCE = 0.35
ANCHORS_PER_GENRE = 250
BATCH_WINDOWS = 20000
DOUBT_Z = 1.5  # f_user is taken 1.5 standard errors lower: few corrections must not drop real genres
FULL_TRUST_SHARE = 0.4  # estimated share of genuine anchors from which other genres' anchors weigh in full


@dataclass(frozen=True)
class Examples:
    """Window features with a genre each, grouped by track."""

    features: np.ndarray  # (n_windows, n_features) raw features, FEATURE_NAMES order
    genres: np.ndarray  # (n_windows,) genre names
    tracks: np.ndarray  # (n_windows,) track ids (the groups)
    # anchors only: tracks looked at, and per bundled genre how many it was sure of (before the cap)
    scanned: int = 0
    sure_calls: Mapping[str, int] = field(default_factory=dict)

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

    def concat(self, other: "Examples") -> "Examples":
        """These examples and other's (the anchor-only counts are not carried over)."""
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
    sure_calls: dict[str, int] = {}
    scanned = 0
    for chunk in chunks:
        for batch in window_batches(chunk):
            if cancel is not None:
                cancel.check()
            probs = plain.predict_proba(np.vstack([chunk[t] for t in batch]))
            row = 0
            for track_id in batch:
                n = len(chunk[track_id])
                track = probs[row:row + n].mean(axis=0)
                row += n
                scanned += 1
                best = int(np.argmax(track))
                if track[best] < ANCHOR_CONFIDENCE:
                    continue
                sure_calls[plain.genres[best]] = sure_calls.get(plain.genres[best], 0) + 1
                heap = surest.setdefault(plain.genres[best], [])
                item = (float(track[best]), -int(track_id), chunk[track_id])  # ties: lower id wins
                if len(heap) < ANCHORS_PER_GENRE:
                    heapq.heappush(heap, item)
                elif item[:2] > heap[0][:2]:
                    heapq.heapreplace(heap, item)
    kept = Examples.from_tracks((-neg_id, genre, features) for genre, heap in surest.items()
                                for _, neg_id, features in sorted(heap, key=lambda i: i[:2], reverse=True))
    return replace(kept, scanned=scanned, sure_calls=sure_calls)


def genuine_anchor_share(bundled_probs: np.ndarray, bundled_genres, corrections: Examples,
                         anchors: Examples) -> float | None:
    """Estimated share of the library's sure calls of genres the user never corrected that are
    right (None: nothing to estimate). bundled_probs: the bundled model's, per correction window.
    The corrections show how often the user's own music is surely called another genre (f_user,
    averaged over the user's genres); the library, how often any unlabelled track is (f_library).
    If a share s of the library is the user's genres and other genres are called as themselves,
    f_library = s * f_user + (1 - s), so the genuine share is (1 - s) / f_library."""
    user_genres = set(corrections.genres.tolist())
    sure_other = sum(n for g, n in anchors.sure_calls.items() if g not in user_genres)
    if anchors.scanned == 0 or sure_other == 0:
        return None
    f_library = sure_other / anchors.scanned
    called_other: dict[str, list[bool]] = {}
    for track in np.unique(corrections.tracks):
        rows = corrections.tracks == track
        mean = bundled_probs[rows].mean(axis=0)
        best = int(np.argmax(mean))
        surely_other = mean[best] >= ANCHOR_CONFIDENCE and str(bundled_genres[best]) not in user_genres
        called_other.setdefault(str(corrections.genres[rows][0]), []).append(bool(surely_other))
    f_user = float(np.mean([np.mean(v) for v in called_other.values()]))
    f_user -= DOUBT_Z * np.sqrt(f_user * (1 - f_user) / sum(len(v) for v in called_other.values()))
    other_share = max(0.0, f_library - f_user) / max(1.0 - f_user, 1e-9)
    return float(min(1.0, other_share / f_library))
