"""Per-track tags and embeddings from the stored windows, and the similarity index kept in step
with the library.

A track's tags are the mean of its windows' tag columns, its embedding the mean of its windows'
embeddings; only windows of today's recipe count (older ones have neither). Tracks analysed with
an older recipe have no vector until the next scan analyses them again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genre_desktop.core.feature_schema import EMBEDDING_SIZE, MODEL_RECIPE_VERSION
from genre_desktop.core.sounds_like.similarity import Neighbour, SimilarityIndex, centroid
from genre_desktop.core.sounds_like.tag_thresholds import THRESHOLDS
from genre_desktop.core.sounds_like.tags import TAGS_END, TAGS_START, ShownTag, shown_tags


@dataclass(frozen=True)
class TrackVectors:
    ids: list[int]
    tags: np.ndarray  # (n, 50) mean tag probabilities
    embeddings: np.ndarray  # (n, 200) mean embeddings


def track_vectors(conn: sqlite3.Connection, track_ids: Sequence[int] | None = None) -> TrackVectors:
    """Tags and embedding of the given tracks (all tracks when None) that have tagger windows."""
    sql = """SELECT track_id, features, embedding FROM windows
             WHERE recipe_version = ? AND embedding IS NOT NULL"""
    params: tuple = (MODEL_RECIPE_VERSION,)
    if track_ids is not None:
        sql += " AND track_id IN (SELECT value FROM json_each(?))"
        params += (json.dumps([int(t) for t in track_ids]),)
    ids, tags, embeddings = [], [], []
    for track_id, features, embedding in conn.execute(sql + " ORDER BY track_id, idx", params):
        ids.append(track_id)
        tags.append(np.frombuffer(features, dtype=np.float64)[TAGS_START:TAGS_END])
        embeddings.append(np.frombuffer(embedding, dtype=np.float32))
    if not ids:
        return TrackVectors([], np.zeros((0, TAGS_END - TAGS_START)), np.zeros((0, EMBEDDING_SIZE), np.float32))
    window_ids = np.asarray(ids)
    starts = np.flatnonzero(np.r_[True, window_ids[1:] != window_ids[:-1]])
    counts = np.diff(np.r_[starts, len(window_ids)])[:, None]
    return TrackVectors(
        window_ids[starts].tolist(),
        np.add.reduceat(np.vstack(tags), starts, axis=0) / counts,
        (np.add.reduceat(np.vstack(embeddings).astype(np.float64), starts, axis=0) / counts).astype(np.float32),
    )


class NotAnalysedError(LookupError):
    """The track has no tagger embedding yet (not scanned since the tagger came, or missing)."""


class SimilarTracks:
    """The similarity index over the library's tracks. ``sync`` brings it up to date cheaply:
    only tracks scanned since the last sync are read again; gone tracks leave; artists and genres
    are refreshed for all (a corrected genre changes "same genre"). Thread-safe."""

    def __init__(self) -> None:
        self.index = SimilarityIndex(EMBEDDING_SIZE)
        self._scanned_at: dict[int, float] = {}
        self._meta: dict[int, tuple[str | None, str | None]] = {}  # id -> (artist, genre)
        self._lock = threading.Lock()

    def sync(self, conn: sqlite3.Connection) -> int:
        """Bring the index up to date with the library; returns how many tracks were (re)read."""
        rows = conn.execute("SELECT id, scanned_at, artist, genre FROM tracks WHERE status = 'ok'").fetchall()
        with self._lock:
            present = {r[0] for r in rows}
            gone = [tid for tid in self._scanned_at if tid not in present]
            self.index.remove(gone)
            for tid in gone:
                del self._scanned_at[tid]
            changed = [r[0] for r in rows if self._scanned_at.get(r[0]) != r[1]]
            self._meta = {r[0]: (r[2], r[3]) for r in rows}
            if changed:
                vectors = track_vectors(conn, changed)
                self.index.remove(set(changed) - set(vectors.ids))  # re-scanned into an old recipe
                self.index.add(vectors.ids, vectors.embeddings)
                stamps = {r[0]: r[1] for r in rows}
                self._scanned_at.update({tid: stamps[tid] for tid in changed})
            ids = self.index.ids()
            self.index.set_labels(ids, [self._meta[t][0] for t in ids], [self._meta[t][1] for t in ids])
            return len(changed)

    def similar(self, track_ids: Sequence[int], limit: int = 25, *, same_genre: bool = False,
                per_artist: int | None = None) -> list[Neighbour]:
        """The tracks nearest to the given ones (to their centroid when several)."""
        with self._lock:
            known = [t for t in track_ids if t in self.index]
            if not known:
                raise NotAnalysedError("the selected tracks have not been analysed with the tagger yet: "
                                       "scan their folder again")
            query = centroid(np.vstack([self.index.vector(t) for t in known]))
            genres = {self._meta[t][1] for t in known if self._meta[t][1]} if same_genre else None
            return self.index.query(query, limit, exclude=track_ids, genres=genres,
                                    per_artist=per_artist)

    def track_info(self, track_id: int) -> tuple[str | None, str | None]:
        """(artist, genre) as of the last sync."""
        return self._meta.get(track_id, (None, None))


def shown_tags_of(conn: sqlite3.Connection, track_id: int) -> list[ShownTag] | None:
    """The Sounds-like tags of one track to show; None when it has no tagger windows yet."""
    vectors = track_vectors(conn, [track_id])
    return shown_tags(vectors.tags[0], THRESHOLDS) if vectors.ids else None
