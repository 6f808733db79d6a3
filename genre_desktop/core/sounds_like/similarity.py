"""Nearest tracks by the tagger's embedding: cosine distance over unit vectors, one matrix product.

The index keeps every track's unit embedding as a row of a float32 matrix that grows by doubling,
so adding tracks as a scan stores them costs one copy of the new rows; removing a track moves the
last row into its place. Beside each row: the track's artist (for "at most K per artist") and
genre (for "same genre only") as small integer codes, so a query filters without Python loops
over the library.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

_NO_CODE = -1  # no artist / no genre: never equal to another track's


@dataclass(frozen=True)
class Neighbour:
    track_id: int
    distance: float  # cosine distance, 0 (same direction) .. 2 (opposite)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


class _Codes:
    """Stable small integers for strings compared without case ('' and None get _NO_CODE)."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def code(self, value: str | None) -> int:
        key = (value or "").strip().casefold()
        if not key:
            return _NO_CODE
        return self._codes.setdefault(key, len(self._codes))


class SimilarityIndex:
    def __init__(self, dim: int, capacity: int = 1024) -> None:
        self.dim = dim
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._artists = np.full(capacity, _NO_CODE, dtype=np.int64)
        self._genres = np.full(capacity, _NO_CODE, dtype=np.int64)
        self._row: dict[int, int] = {}
        self._artist_codes, self._genre_codes = _Codes(), _Codes()

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._row

    def ids(self) -> list[int]:
        return self._ids[: len(self)].tolist()

    def add(self, track_ids: Sequence[int], vectors: np.ndarray,
            artists: Sequence[str | None] | None = None,
            genres: Sequence[str | None] | None = None) -> None:
        """Add tracks, or replace those already in the index."""
        rows = unit_rows(vectors)
        if rows.shape != (len(track_ids), self.dim):
            raise ValueError(f"expected {len(track_ids)} vectors of {self.dim} values, got {rows.shape}")
        new = [tid for tid in dict.fromkeys(int(t) for t in track_ids) if tid not in self._row]
        self._reserve(len(self) + len(new))
        for tid in new:
            self._row[tid] = len(self._row)
        at = np.array([self._row[int(t)] for t in track_ids], dtype=np.int64)
        self._vectors[at] = rows
        self._ids[at] = np.asarray(track_ids, dtype=np.int64)
        self.set_labels(track_ids, artists, genres)

    def set_labels(self, track_ids: Sequence[int], artists: Sequence[str | None] | None = None,
                   genres: Sequence[str | None] | None = None) -> None:
        """New artist/genre for tracks already in the index (a corrected genre)."""
        at = np.array([self._row[int(t)] for t in track_ids if int(t) in self._row], dtype=np.int64)
        known = [i for i, t in enumerate(track_ids) if int(t) in self._row]
        if artists is not None:
            self._artists[at] = [self._artist_codes.code(artists[i]) for i in known]
        if genres is not None:
            self._genres[at] = [self._genre_codes.code(genres[i]) for i in known]

    def remove(self, track_ids: Iterable[int]) -> None:
        for tid in track_ids:
            row = self._row.pop(int(tid), None)
            if row is None:
                continue
            last = len(self._row)  # the row count before this removal, minus one
            if row != last:
                for array in (self._vectors, self._ids, self._artists, self._genres):
                    array[row] = array[last]
                self._row[int(self._ids[row])] = row

    def vector(self, track_id: int) -> np.ndarray | None:
        row = self._row.get(int(track_id))
        return None if row is None else self._vectors[row].copy()

    def query(self, vector: np.ndarray, limit: int = 25, *, exclude: Iterable[int] = (),
              genres: Iterable[str] | None = None,
              per_artist: int | None = None) -> list[Neighbour]:
        """The ``limit`` nearest tracks to ``vector``, nearest first, leaving out ``exclude``;
        only tracks of ``genres`` when given; at most ``per_artist`` per artist (tracks without
        an artist are not capped)."""
        n = len(self)
        if n == 0 or limit <= 0:
            return []
        scores = self._vectors[:n] @ unit_rows(vector)[0]
        allowed = np.ones(n, dtype=bool)
        for tid in exclude:
            row = self._row.get(int(tid))
            if row is not None:
                allowed[row] = False
        if genres is not None:
            codes = [self._genre_codes.code(g) for g in genres]
            allowed &= np.isin(self._genres[:n], [c for c in codes if c != _NO_CODE])
        candidates = np.flatnonzero(allowed)
        return self._pick(candidates, scores[candidates], limit, per_artist)

    def _pick(self, rows: np.ndarray, scores: np.ndarray, limit: int,
              per_artist: int | None) -> list[Neighbour]:
        # Sort only the best few; widen (up to everything) when the artist cap skips too many.
        want = limit if per_artist is None else limit * 4
        while True:
            top = min(len(rows), want)
            best = np.argpartition(-scores, top - 1)[:top] if top < len(rows) else np.arange(len(rows))
            best = best[np.argsort(-scores[best], kind="stable")]
            picked: list[Neighbour] = []
            counts: dict[int, int] = {}
            for i in best:
                artist = int(self._artists[rows[i]])
                if per_artist is not None and artist != _NO_CODE:
                    if counts.get(artist, 0) >= per_artist:
                        continue
                    counts[artist] = counts.get(artist, 0) + 1
                picked.append(Neighbour(int(self._ids[rows[i]]), float(1.0 - scores[i])))
                if len(picked) == limit:
                    return picked
            if top == len(rows):
                return picked
            want *= 4

    def _reserve(self, needed: int) -> None:
        capacity = len(self._ids)
        if needed <= capacity:
            return
        capacity = max(needed, capacity * 2)
        n = len(self)
        self._vectors = _grown(self._vectors, capacity, n, 0.0)
        self._ids = _grown(self._ids, capacity, n, 0)
        self._artists = _grown(self._artists, capacity, n, _NO_CODE)
        self._genres = _grown(self._genres, capacity, n, _NO_CODE)


def _grown(array: np.ndarray, capacity: int, used: int, fill: float) -> np.ndarray:
    grown = np.full((capacity, *array.shape[1:]), fill, dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


def centroid(vectors: np.ndarray) -> np.ndarray:
    """The query vector for several tracks: the mean of their unit vectors."""
    return unit_rows(vectors).mean(axis=0)
