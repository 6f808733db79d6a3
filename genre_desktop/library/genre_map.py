"""The library's tag genres and the canonical genre each is counted as; the user's edits to that
mapping (the genre_map table). Each write function runs through LibraryWriter."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

from genre_desktop.core.genre_vocabulary import genre_key, map_genre, tidy
from genre_desktop.library.writes import model_genres, refresh_derived, typed_genre, user_mapping


@dataclass(frozen=True)
class TagGenre:
    tag: str  # as the files spell it (the most common spelling of its key)
    tracks: int
    genre: str | None  # the canonical genre it counts as
    origin: str  # 'you' | 'model' | 'default' | 'unmapped'

    @property
    def unmapped(self) -> bool:
        return self.origin == "unmapped"


def tag_genres(conn: sqlite3.Connection) -> list[TagGenre]:
    """Every genre tag of the present tracks, one per key, most tracks first."""
    known, mapping = model_genres(conn), user_mapping(conn)
    by_key: dict[str, tuple[str, int, int]] = {}  # key -> (spelling, its count, total)
    cursor = conn.execute(
        "SELECT tag_genre, count(*) FROM tracks WHERE status = 'ok' AND tag_genre IS NOT NULL "
        "GROUP BY tag_genre"
    )
    for raw, n in cursor:
        text = tidy(raw)
        if text is None:
            continue
        key = genre_key(text) or text
        spelling, best, total = by_key.get(key, (text, 0, 0))
        by_key[key] = (text if n > best else spelling, max(n, best), total + n)
    result = []
    for spelling, _best, total in by_key.values():
        genre, origin = map_genre(spelling, known, mapping)
        result.append(TagGenre(spelling, total, genre, origin))
    return sorted(result, key=lambda t: (-t.tracks, t.tag.lower()))


def set_mapping(conn: sqlite3.Connection, tags: Sequence[str], genre: str | None) -> dict[str, str | None]:
    """Map these tag genres to `genre` (None: back to the default mapping), a typed genre spelled
    as a correction of it would be. Returns what each key was mapped to by the user before (for
    undo), and recomputes the tracks concerned."""
    keys = {genre_key(t): tidy(t) for t in tags if tidy(t)}
    before = user_mapping(conn)
    previous = {key: before.get(key) for key in keys}
    target = typed_genre(conn, genre, follow_mapping=False)  # 'Chillwave' may become its own genre
    if target is None:
        conn.executemany("DELETE FROM genre_map WHERE tag_key = ?", [(k,) for k in keys])
    else:
        now = time.time()
        conn.executemany(
            "INSERT INTO genre_map(tag_key, tag, genre, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(tag_key) DO UPDATE SET genre = excluded.genre, updated_at = excluded.updated_at",
            [(key, tag, target, now) for key, tag in keys.items()],
        )
    _refresh_tagged(conn, keys)
    return previous


def restore_mapping(conn: sqlite3.Connection, previous: dict[str, str | None]) -> None:
    """Undo set_mapping: put back each key's earlier user mapping (or none)."""
    now = time.time()
    for key, genre in previous.items():
        if genre is None:
            conn.execute("DELETE FROM genre_map WHERE tag_key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO genre_map(tag_key, tag, genre, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(tag_key) DO UPDATE SET genre = excluded.genre, updated_at = excluded.updated_at",
                (key, key, genre, now),
            )
    _refresh_tagged(conn, previous)


def _refresh_tagged(conn: sqlite3.Connection, keys) -> None:
    ids = _ids_with_keys(conn, set(keys))
    if ids:
        refresh_derived(conn, ids)


def _ids_with_keys(conn: sqlite3.Connection, keys: set[str]) -> list[int]:
    rows = conn.execute("SELECT id, tag_genre FROM tracks WHERE tag_genre IS NOT NULL")
    return [track_id for track_id, tag in rows if genre_key(tag) in keys]
