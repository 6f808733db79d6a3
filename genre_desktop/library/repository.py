"""Named queries over the library. Sorting, filtering and searching all happen in SQL (the
search box's answers come from memory while the user types: track_search.py).

Reads go through LibraryReader on any connection (usually a read connection of the GUI);
writes are the functions re-exported from writes.py, run through LibraryWriter.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from genre_desktop.core.sounds_like.tags import name_of_key
from genre_desktop.core.types import Window, WindowPrediction
from genre_desktop.library.records import (  # noqa: F401  (public API)
    SOURCE_MODEL,
    SOURCE_PERSONAL,
    SOURCE_TAG,
    SOURCE_USER,
    UNCERTAIN,
    LabelEntry,
    PlaylistInfo,
    Problem,
    TrackDetail,
    TrackRow,
)
from genre_desktop.library.sounds_like import sound_tag_key, track_vectors
from genre_desktop.library.writes import (  # noqa: F401  (public API)
    add_folder,
    canonical_genre,
    delete_playlist,
    effective_threshold,
    refresh_derived,
    remove_folder,
    save_playlist,
    set_labels,
    set_threshold,
)

if TYPE_CHECKING:
    from genre_desktop.core.playlists import PlaylistCandidate

# Each sort key's ORDER BY terms (the id is appended last, so equal keys keep a stable order).
# They match the indexes in migrations.py term for term.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title COLLATE NOCASE",),
    "artist": ("artist COLLATE NOCASE", "album COLLATE NOCASE"),
    "album": ("album COLLATE NOCASE",),
    "duration": ("duration",),
    "genre": ("genre COLLATE NOCASE", "title COLLATE NOCASE"),
    "confidence": ("confidence",),
    "source": ("genre_source", "confidence"),
    "tag_genre": ("tag_genre COLLATE NOCASE",),
    "sounds_like": ("(SELECT tag FROM sound_tags WHERE track_id = tracks.id ORDER BY strength DESC LIMIT 1)",),
}

_SORTS_INDEXED_WITH_GENRE = frozenset({"title", "genre", "confidence"})  # (status, genre, key) indexes

# Unsure = the model (or the file tag standing in for it) is below the threshold; a user's
# label is never unsure.
_UNCERTAIN_SQL = "(genre_source IN ('model', 'personal model', 'file tag') AND confidence < :threshold)"

# The table's Sounds-like cell: the three strongest stored tags.
_SOUNDS_LIKE_SQL = """(SELECT group_concat(tag, ' ') FROM (SELECT tag FROM sound_tags
    WHERE track_id = tracks.id ORDER BY strength DESC LIMIT 3))"""

_ROW_COLUMNS = (
    "id, path, title, artist, album, duration, genre, genre_source, confidence, tag_genre, "
    f"status, {_UNCERTAIN_SQL} AS uncertain, year, {_SOUNDS_LIKE_SQL} AS sounds_like"
)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


FTS_MIN_CHARS = 3  # the trigram index finds terms of 3 characters or more
# Driving a search from the index pays while it matches few tracks: past this many, walking the
# sort key's index and testing each row is cheaper than fetching and sorting every match.
INDEX_DRIVES_BELOW = 15_000


def _like_clause(key: str) -> str:
    return "(" + " OR ".join(f"{c} LIKE :{key} ESCAPE '\\'"
                             for c in ("title", "artist", "album", "genre", "path")) + ")"


def _fts_query(terms: Sequence[str]) -> str:
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _to_row(r: sqlite3.Row) -> TrackRow:
    return TrackRow(
        id=r["id"], path=r["path"], title=r["title"], artist=r["artist"], album=r["album"],
        duration=r["duration"], genre=r["genre"], genre_source=r["genre_source"],
        confidence=r["confidence"], tag_genre=r["tag_genre"], status=r["status"],
        uncertain=bool(r["uncertain"]), year=r["year"],
        sounds_like=", ".join(name_of_key(k) for k in (r["sounds_like"] or "").split()),
    )


class LibraryReader:
    """Read-only queries. `threshold` decides which rows count as uncertain; None uses the
    library's stored threshold (the one the derived genre column was computed with)."""

    def __init__(self, conn: sqlite3.Connection, threshold: float | None = None) -> None:
        self.conn = conn
        self._threshold = threshold
        self._has_index: bool | None = None

    @property
    def threshold(self) -> float:
        return self._threshold if self._threshold is not None else effective_threshold(self.conn)

    def track_ids(
        self,
        *,
        genre: str | None = None,
        search: str = "",
        uncertain_only: bool = False,
        include_missing: bool = False,
        sort: str = "title",
        descending: bool = False,
    ) -> list[int]:
        """Ids of the matching tracks in display order. `genre` may be UNCERTAIN ('Uncertain')."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}; use one of {sorted(SORT_KEYS)}")
        clauses: list[str] = []
        params: dict[str, object] = {"threshold": self.threshold}
        if not include_missing:
            clauses.append("status = 'ok'")
        if genre == UNCERTAIN:
            uncertain_only = True
        elif genre is not None:
            clauses.append("genre = :genre COLLATE NOCASE")
            params["genre"] = genre
        if uncertain_only:
            clauses.append(_UNCERTAIN_SQL)
        selective = self._search_clauses(search, params, clauses)
        where = " AND ".join(clauses) or "1"
        direction = "DESC" if descending else "ASC"
        terms = [*SORT_KEYS[sort], "id"]
        if selective or uncertain_only or (genre is not None and sort not in _SORTS_INDEXED_WITH_GENRE):
            # A filter that keeps a fraction of the library is cheaper through its own index and
            # a sort of what is left than a walk of the sort key's index over every row: the
            # unary + stops SQLite from using the sort key's index.
            terms[0] = "+" + terms[0]
        order = ", ".join(f"{term} {direction}" for term in terms)
        sql = f"SELECT id FROM tracks WHERE {where} ORDER BY {order}"
        return [r[0] for r in self.conn.execute(sql, params)]

    @property
    def has_search_index(self) -> bool:
        """The library has its full-text index (not when SQLite lacks FTS5's trigram tokenizer)."""
        if self._has_index is None:
            self._has_index = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'tracks_fts'").fetchone() is not None
        return self._has_index

    def index_narrows(self, search: str) -> bool:
        """Whether an index finds this search's tracks among few (a tag: term, or words the
        full-text index finds in fewer than INDEX_DRIVES_BELOW tracks): a quick query."""
        return self._search_clauses(search, {}, [])

    def _search_clauses(self, search: str, params: dict[str, object], clauses: list[str]) -> bool:
        """Add the clauses of a search: each word must appear in the title, artist, album, genre
        or path (any case, anywhere in a word), and each tag:NAME be one of the track's shown
        Sounds-like tags (tag:chill, tag:female-vocalists). Returns whether an index drives the
        query (the tags', or the full-text one when its words match few tracks); otherwise every
        word is tested with LIKE."""
        words = search.split()
        tags = [w for w in words if w[:4].lower() == "tag:"]
        for n, term in enumerate(tags):
            params[f"t{n}"] = sound_tag_key(term[4:])
            clauses.append(f"id IN (SELECT track_id FROM sound_tags WHERE tag = :t{n})")
        terms = [w for w in words if w[:4].lower() != "tag:"]
        text_terms = len(terms)
        indexed = [t for t in terms if len(t) >= FTS_MIN_CHARS]
        if indexed and self.has_search_index:
            params["fts"] = _fts_query(indexed)
            found = self.conn.execute(
                "SELECT count(*) FROM (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH :fts LIMIT :cap)",
                {"fts": params["fts"], "cap": INDEX_DRIVES_BELOW},
            ).fetchone()[0]
            if found < INDEX_DRIVES_BELOW:
                clauses.append("id IN (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH :fts)")
                terms = [t for t in terms if len(t) < FTS_MIN_CHARS]
        for n, term in enumerate(terms):
            params[f"s{n}"] = _like_pattern(term)
            clauses.append(_like_clause(f"s{n}"))
        return bool(tags) or len(terms) < text_terms

    def rows(self, ids: Sequence[int]) -> dict[int, TrackRow]:
        if not ids:
            return {}
        sql = f"SELECT {_ROW_COLUMNS} FROM tracks WHERE id IN (SELECT value FROM json_each(:ids))"
        cursor = self.conn.execute(sql, {"ids": json.dumps(list(ids)), "threshold": self.threshold})
        return {r["id"]: _to_row(r) for r in cursor}

    def row(self, track_id: int) -> TrackRow | None:
        return self.rows([track_id]).get(track_id)

    def track_count(self, include_missing: bool = False) -> int:
        where = "1" if include_missing else "status = 'ok'"
        return int(self.conn.execute(f"SELECT count(*) FROM tracks WHERE {where}").fetchone()[0])

    def detail(self, track_id: int) -> TrackDetail | None:
        row = self.row(track_id)
        if row is None:
            return None
        extra = self.conn.execute(
            "SELECT size, codec, samplerate, channels, fingerprint FROM tracks WHERE id = ?",
            (track_id,),
        ).fetchone()
        pred = self.conn.execute(
            "SELECT model_version, probabilities, window_probabilities FROM predictions "
            "WHERE track_id = ?",
            (track_id,),
        ).fetchone()
        probabilities: dict[str, float] = {}
        windows: list[WindowPrediction] = []
        if pred is not None:
            probabilities = json.loads(pred["probabilities"])
            for w in json.loads(pred["window_probabilities"]):
                windows.append(WindowPrediction(Window(w["start"], w["end"]), w["genre"], w["probabilities"]))
        return TrackDetail(
            row=row, probabilities=probabilities, windows=windows,
            model_version=None if pred is None else pred["model_version"],
            labels=self.label_history(track_id), size=extra["size"], codec=extra["codec"],
            samplerate=extra["samplerate"], channels=extra["channels"],
            fingerprint=extra["fingerprint"],
        )

    def label_history(self, track_id: int) -> list[LabelEntry]:
        cursor = self.conn.execute(
            "SELECT genre, source, created_at FROM labels WHERE track_id = ? ORDER BY id", (track_id,)
        )
        return [LabelEntry(r["genre"], r["source"], r["created_at"]) for r in cursor]

    def genre_counts(self) -> dict[str, int]:
        """Tracks per effective genre (present files only), plus UNCERTAIN for unsure ones."""
        counts: dict[str, int] = {}
        cursor = self.conn.execute(
            "SELECT min(genre) AS genre, count(*) AS n FROM tracks "
            "WHERE status = 'ok' AND genre IS NOT NULL GROUP BY genre COLLATE NOCASE ORDER BY 1 COLLATE NOCASE"
        )
        for r in cursor:
            counts[r["genre"]] = int(r["n"])
        uncertain = self.conn.execute(
            f"SELECT count(*) FROM tracks WHERE status = 'ok' AND {_UNCERTAIN_SQL}",
            {"threshold": self.threshold},
        ).fetchone()[0]
        counts[UNCERTAIN] = int(uncertain)
        return counts

    def problems(self) -> list[Problem]:
        """The files that could not be analysed, but for those the user chose to ignore."""
        cursor = self.conn.execute(
            "SELECT path, reason, seen_at FROM problems WHERE path NOT IN (SELECT path FROM ignored_problems) "
            "ORDER BY path")
        return [Problem(r["path"], r["reason"], r["seen_at"]) for r in cursor]

    def ignored_problem_count(self) -> int:
        return int(self.conn.execute(
            "SELECT count(*) FROM problems WHERE path IN (SELECT path FROM ignored_problems)").fetchone()[0])

    def folders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM folders ORDER BY path")]

    def playlists(self) -> list[PlaylistInfo]:
        cursor = self.conn.execute(
            """SELECT p.id, p.name, p.rules,
                      (SELECT count(*) FROM playlist_tracks AS pt WHERE pt.playlist_id = p.id) AS n
               FROM playlists AS p ORDER BY p.name COLLATE NOCASE"""
        )
        return [PlaylistInfo(r["id"], r["name"], json.loads(r["rules"]), int(r["n"])) for r in cursor]

    def playlist_track_ids(self, playlist_id: int) -> list[int]:
        cursor = self.conn.execute(
            "SELECT track_id FROM playlist_tracks WHERE playlist_id = ? ORDER BY position", (playlist_id,)
        )
        return [r[0] for r in cursor]

    def sound_tag_counts(self) -> dict[str, int]:
        """Present tracks showing each stored Sounds-like tag, by search key."""
        cursor = self.conn.execute("""SELECT tag, count(*) FROM sound_tags
                                      WHERE track_id IN (SELECT id FROM tracks WHERE status = 'ok') GROUP BY tag""")
        return {tag: int(n) for tag, n in cursor}

    def playlist_candidates(
        self, genres: Sequence[str], min_confidence: float = 0.0
    ) -> list["PlaylistCandidate"]:
        """Present tracks whose effective genre is one of `genres` (all when empty) and that the
        user labelled or the model scored at least `min_confidence`. Each candidate's features
        are the mean of its analysed windows (None if it has none)."""
        from genre_desktop.core.playlists import PlaylistCandidate

        params: dict[str, object] = {"min": float(min_confidence)}
        where = ["status = 'ok'", "genre IS NOT NULL", "(confidence IS NULL OR confidence >= :min)"]
        if genres:
            where.append("lower(genre) IN (SELECT lower(value) FROM json_each(:genres))")
            params["genres"] = json.dumps([g.strip() for g in genres])
        cursor = self.conn.execute(
            f"""SELECT id, path, title, artist, album, duration, genre, confidence FROM tracks
                WHERE {' AND '.join(where)} ORDER BY id""",
            params,
        )
        rows = cursor.fetchall()
        features = self._mean_features([r["id"] for r in rows])
        tagged = track_vectors(self.conn, [r["id"] for r in rows])
        embeddings = dict(zip(tagged.ids, tagged.embeddings))
        return [
            PlaylistCandidate(
                track_id=r["id"], path=r["path"], title=r["title"], artist=r["artist"],
                album=r["album"], duration=r["duration"], genre=r["genre"],
                confidence=r["confidence"], features=features.get(r["id"]),
                embedding=embeddings.get(r["id"]),
            )
            for r in rows
        ]

    def _mean_features(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        sums: dict[int, tuple[np.ndarray, int]] = {}
        cursor = self.conn.execute(
            "SELECT track_id, features FROM windows WHERE track_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
        for track_id, blob in cursor:
            vec = np.frombuffer(blob, dtype=np.float64)
            total, n = sums.get(track_id, (np.zeros_like(vec), 0))
            sums[track_id] = (total + vec, n + 1)
        return {tid: total / n for tid, (total, n) in sums.items()}
