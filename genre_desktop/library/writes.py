"""Write functions, each `fn(conn, ...)`, meant to run through LibraryWriter (one transaction).

`refresh_derived` is the single place that computes a track's effective genre, its source and
its confidence from labels, predictions and the file tag; every write that touches one of those
calls it for the tracks concerned.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from genre_desktop.core.genre_vocabulary import canonical, genre_key, label_key, map_genre, tidy
from genre_desktop.library.db import path_param

DEFAULT_THRESHOLD = 0.5
META_THRESHOLD = "threshold"  # the user's choice; absent = follow the model's recommendation
META_MODEL_THRESHOLD = "model_threshold"
META_MODEL_GENRES = "model_genres"
META_MODEL_VERSION = "model_version"


# --- meta -----------------------------------------------------------------------------------

def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def effective_threshold(conn: sqlite3.Connection) -> float:
    """The user's threshold if set, else the model card's recommendation, else 0.5."""
    for key in (META_THRESHOLD, META_MODEL_THRESHOLD):
        value = get_meta(conn, key)
        if value is not None:
            return float(value)
    return DEFAULT_THRESHOLD


def model_genres(conn: sqlite3.Connection) -> list[str]:
    return json.loads(get_meta(conn, META_MODEL_GENRES) or "[]")


def user_mapping(conn: sqlite3.Connection) -> dict[str, str]:
    """The user's genre mapping: tag key -> canonical genre (library/genre_map.py edits it)."""
    return {key: genre for key, genre in conn.execute("SELECT tag_key, genre FROM genre_map")}


def canonical_genre(name: str | None, known: Sequence[str]) -> str | None:
    """Trim a typed or tagged genre; spell it like the model does when it is one of its genres
    ('Hip-Hop' -> 'hiphop'). Anything else (a custom genre) is kept as typed. Spelling only:
    mapping subgenres to genres is core.genre_vocabulary's job."""
    text = tidy(name)
    if text is None:
        return None
    key = genre_key(text)
    return next((genre for genre in known if genre_key(genre) == key), text)


def typed_genre(conn: sqlite3.Connection, text: str | None, follow_mapping: bool = True) -> str | None:
    """The genre a user means by a typed name: the user's mapping (when followed) or a genre the
    model or the vocabulary knows ('Hip Hop' -> 'hiphop'); else a genre of the user's own, spelled
    as the library's first label of it spells it ('lo fi' -> 'Lo-Fi'), or as typed (tidied)."""
    mapping = user_mapping(conn) if follow_mapping else None
    genre, origin = map_genre(text, model_genres(conn), mapping, typed=True)
    if genre is None or origin != "unmapped":
        return genre
    key = label_key(genre)
    for (spelling,) in conn.execute(
            "SELECT genre FROM labels WHERE genre IS NOT NULL GROUP BY genre ORDER BY min(id)"):
        if label_key(spelling) == key:
            return spelling
    return genre


# --- derived columns ------------------------------------------------------------------------

_REFRESH_SQL = """
UPDATE tracks AS t SET genre = x.genre, genre_source = x.source, confidence = x.conf
FROM (
  SELECT d.id,
         CASE WHEN d.label IS NOT NULL THEN d.label
              WHEN d.pgenre IS NOT NULL AND d.pconf >= :threshold THEN d.pgenre
              WHEN d.tag IS NOT NULL THEN d.tag
              ELSE d.pgenre END AS genre,
         CASE WHEN d.label IS NOT NULL THEN 'you'
              WHEN d.pgenre IS NOT NULL AND d.pconf >= :threshold THEN d.decided_by
              WHEN d.tag IS NOT NULL THEN 'file tag'
              WHEN d.pgenre IS NOT NULL THEN d.decided_by
              ELSE NULL END AS source,
         CASE WHEN d.label IS NOT NULL THEN NULL ELSE d.pconf END AS conf
  FROM (
    SELECT tr.id AS id,
           (SELECT l.genre FROM labels AS l WHERE l.track_id = tr.id ORDER BY l.id DESC LIMIT 1) AS label,
           p.genre AS pgenre, p.confidence AS pconf, tc.genre AS tag,
           -- 'model' or 'personal model': which of them decided the prediction
           p.decided_by AS decided_by
    FROM tracks AS tr
    LEFT JOIN predictions AS p ON p.track_id = tr.id
    LEFT JOIN temp.tag_canon AS tc ON tc.tag = tr.tag_genre
    WHERE {where}
  ) AS d
) AS x
WHERE t.id = x.id
  -- Rewriting an unchanged row still rewrites its index entries: skip those.
  AND (t.genre IS NOT x.genre OR t.genre_source IS NOT x.source OR t.confidence IS NOT x.conf)
"""


def refresh_derived(conn: sqlite3.Connection, track_ids: Iterable[int] | None = None) -> None:
    """Recompute genre, genre_source and confidence of these tracks (all when None)."""
    params: dict[str, Any] = {"threshold": effective_threshold(conn)}
    if track_ids is None:
        where = "1"
    else:
        ids = list(track_ids)
        if not ids:
            return
        where = "tr.id IN (SELECT value FROM json_each(:ids))"
        params["ids"] = json.dumps(ids)
    # The file tag stands in for an unsure model, shown as its canonical genre ("Alt. Rock" -> rock).
    known, mapping = model_genres(conn), user_mapping(conn)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS tag_canon(tag TEXT PRIMARY KEY, genre TEXT)")
    conn.execute("DELETE FROM temp.tag_canon")
    tags = conn.execute(
        f"SELECT DISTINCT tag_genre FROM tracks AS tr WHERE tag_genre IS NOT NULL AND {where}", params
    ).fetchall()
    conn.executemany(
        "INSERT INTO temp.tag_canon(tag, genre) VALUES (?, ?)",
        [(row[0], canonical(row[0], known, mapping)) for row in tags],
    )
    conn.execute(_REFRESH_SQL.format(where=where), params)


def set_threshold(conn: sqlite3.Connection, threshold: float | None) -> None:
    """The user's uncertainty threshold (None: follow the model's). Recomputes every track."""
    old = effective_threshold(conn)
    set_meta(conn, META_THRESHOLD, None if threshold is None else repr(float(threshold)))
    if effective_threshold(conn) != old:
        refresh_derived(conn)


def set_model_info(
    conn: sqlite3.Connection, version: str, genres: Sequence[str], recommended_threshold: float
) -> None:
    """Remember what the current model knows; recompute everything when that changed."""
    before = (get_meta(conn, META_MODEL_VERSION), model_genres(conn), effective_threshold(conn))
    set_meta(conn, META_MODEL_VERSION, version)
    set_meta(conn, META_MODEL_GENRES, json.dumps(list(genres)))
    set_meta(conn, META_MODEL_THRESHOLD, repr(float(recommended_threshold)))
    if (get_meta(conn, META_MODEL_VERSION), model_genres(conn), effective_threshold(conn)) != before:
        refresh_derived(conn)


# --- corrections ----------------------------------------------------------------------------

def current_labels(conn: sqlite3.Connection, track_ids: Sequence[int]) -> dict[int, str | None]:
    """The latest user label of each track (None: never labelled, or the label was cleared)."""
    rows = conn.execute(
        """SELECT t.value AS id,
                  (SELECT l.genre FROM labels AS l WHERE l.track_id = t.value
                    ORDER BY l.id DESC LIMIT 1) AS genre
           FROM json_each(?) AS t""",
        (json.dumps(list(track_ids)),),
    ).fetchall()
    return {int(r[0]): r[1] for r in rows}


def set_labels(
    conn: sqlite3.Connection, track_ids: Sequence[int], genre: str | None
) -> dict[int, str | None]:
    """Label tracks with a genre (any name, see typed_genre; None clears the correction).

    Appends to the label history, never rewrites it. Returns each track's previous label so
    the caller can undo by calling set_labels again with those values.
    """
    genre = typed_genre(conn, genre)
    previous = current_labels(conn, track_ids)
    now = time.time()
    # Only real changes are recorded (clearing only matters where a label is in force).
    changed = [tid for tid, old in previous.items() if old != genre]
    conn.executemany(
        """INSERT INTO labels(track_id, fingerprint, path, genre, source, created_at)
           SELECT id, fingerprint, path, ?, 'user', ? FROM tracks WHERE id = ?""",
        [(genre, now, tid) for tid in changed],
    )
    refresh_derived(conn, changed)
    return previous


# --- folders and playlists ------------------------------------------------------------------

def folder_bounds(folder: str) -> tuple[bytes, bytes]:
    """[low, high) path range of everything inside `folder`, for an indexed range query."""
    root = path_param(os.path.abspath(folder)).rstrip(os.sep.encode()) + os.sep.encode()
    return root, root[:-1] + bytes([root[-1] + 1])


def add_folder(conn: sqlite3.Connection, path: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO folders(path, added_at) VALUES (CAST(? AS TEXT), ?)",
        (path_param(os.path.abspath(path)), time.time()),
    )


def remove_folder(conn: sqlite3.Connection, path: str) -> int:
    """Forget a folder and the tracks only it covered. Returns how many tracks were dropped.

    Labels are kept (their track link becomes NULL) and re-attach by fingerprint if the same
    file is added again later.
    """
    folder = os.path.abspath(path)
    conn.execute("DELETE FROM folders WHERE path = CAST(? AS TEXT)", (path_param(folder),))
    others = [row[0] for row in conn.execute("SELECT path FROM folders")]
    low, high = folder_bounds(folder)
    ids = [
        row[0] for row in conn.execute(
            "SELECT id, path FROM tracks WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)",
            (low, high),
        )
        if not any(_inside(row[1], other) for other in others)
    ]
    conn.execute("DELETE FROM tracks WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
    conn.execute(
        "DELETE FROM problems WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)", (low, high)
    )
    conn.execute("DELETE FROM aliases WHERE path >= CAST(? AS TEXT) AND path < CAST(? AS TEXT)", (low, high))
    return len(ids)


def _inside(path: str, folder: str) -> bool:
    root = folder.rstrip(os.sep) + os.sep
    return path.startswith(root)


def save_playlist(
    conn: sqlite3.Connection, name: str, rules: dict[str, Any], track_ids: Sequence[int]
) -> int:
    """Create or replace the playlist called `name`; returns its id."""
    now = time.time()
    pid = conn.execute(
        """INSERT INTO playlists(name, rules, created_at, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at
           RETURNING id""",
        (name, json.dumps(rules, default=str), now, now),
    ).fetchone()[0]
    conn.execute("DELETE FROM playlist_tracks WHERE playlist_id = ?", (pid,))
    conn.executemany(
        "INSERT INTO playlist_tracks(playlist_id, position, track_id) VALUES (?, ?, ?)",
        [(pid, pos, tid) for pos, tid in enumerate(track_ids)],
    )
    return int(pid)


def delete_playlist(conn: sqlite3.Connection, playlist_id: int) -> None:
    conn.execute("DELETE FROM playlists WHERE id = ?", (playlist_id,))
