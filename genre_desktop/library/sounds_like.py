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
from genre_desktop.core.sounds_like.tags import (TAGS_END, TAGS_START, ShownTag, file_fields, find_tag,
                                                  search_key, shown_tags, thresholds_version)
from genre_desktop.library.writes import get_meta, set_meta

META_SOUND_TAGS = "sound_tags_thresholds"  # thresholds_version of the stored sound_tags rows


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


# --- the stored tags (sound_tags: what tag: searches and the table's column read) ----------------

def store_sound_tags(conn: sqlite3.Connection, track_ids: Sequence[int]) -> None:
    """Rewrite the shown tags of these tracks from their windows (in the writer's transaction)."""
    ids = [int(t) for t in track_ids]
    conn.execute("DELETE FROM sound_tags WHERE track_id IN (SELECT value FROM json_each(?))",
                 (json.dumps(ids),))
    vectors = track_vectors(conn, ids)
    conn.executemany(
        "INSERT INTO sound_tags(track_id, tag, probability, strength) VALUES (?, ?, ?, ?)",
        [(tid, t.key, t.probability, t.strength)
         for tid, tags in zip(vectors.ids, vectors.tags)
         for t in shown_tags(tags, THRESHOLDS, per_group=None)])


def refresh_sound_tags(conn: sqlite3.Connection, batch: int = 2000) -> int:
    """Redo every track's stored tags when they were made with other thresholds (or never, as in
    a library analysed before this table existed). Returns how many tracks were redone."""
    version = thresholds_version(THRESHOLDS)
    if get_meta(conn, META_SOUND_TAGS) == version:
        return 0
    ids = [r[0] for r in conn.execute(
        "SELECT DISTINCT track_id FROM windows WHERE embedding IS NOT NULL AND recipe_version = ?",
        (MODEL_RECIPE_VERSION,))]
    conn.execute("DELETE FROM sound_tags")
    for start in range(0, len(ids), batch):
        store_sound_tags(conn, ids[start:start + batch])
    set_meta(conn, META_SOUND_TAGS, version)
    return len(ids)


def file_sound_fields(conn: sqlite3.Connection, track_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Track id -> the mood and style values to write into its file: its stored shown tags of
    those groups, strongest first, at most three each (tracks with none are left out)."""
    rows = conn.execute(
        """SELECT track_id, tag FROM sound_tags WHERE track_id IN (SELECT value FROM json_each(?))
           ORDER BY track_id, strength DESC, tag""", (json.dumps([int(t) for t in track_ids]),))
    tags: dict[int, list[str]] = {}
    for track_id, key in rows:
        tag = find_tag(key)
        if tag is not None:
            tags.setdefault(track_id, []).append(tag)
    fields = {track_id: file_fields(names) for track_id, names in tags.items()}
    return {track_id: f for track_id, f in fields.items() if f}


def sound_tag_key(text: str) -> str:
    """What a search term after 'tag:' matches: the stored key of the tag it names, else the
    text itself made key-like (so an unknown tag simply finds nothing)."""
    tag = find_tag(text)
    return search_key(tag) if tag else text.strip().lower().replace(" ", "-")
