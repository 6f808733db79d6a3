"""Library format 10: the spellings of one typed genre, already stored, become one.

Corrections typed before format 10 were kept as typed, so 'electronic', 'Electronic ' and
'ELECTRONIC' could be three genres. Now a typed genre is spelled as the library first spelled it
(library.writes.typed_genre); this step merges what is stored by the same rule:
- a spelling that names a genre the model (meta model_genres) or the vocabulary knows becomes
  that genre ('Hip Hop' -> 'hiphop', 'Electronic' -> 'electronic');
- the other spellings with one label_key become the spelling of the key's earliest label row.
Label rows are rewritten in place, never deleted (the history stays as long as it was). What
derives from them follows: the shown genre of tracks the user labelled, the user's genre mapping
and the tracks whose file tag it maps, and the genres of saved playlists' rules. Predictions
stay the model's answers; the personal model learns the merged names at its next fit.

It runs inside the migration's transaction (migrations.py), on the tables of format 9 only, and
rewrites nothing when run again.
"""

from __future__ import annotations

import json
import sqlite3

from genre_desktop.core.genre_vocabulary import canonical, genre_key, label_key, map_genre, tidy


def merge_spellings(conn: sqlite3.Connection) -> None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'model_genres'").fetchone()
    known = json.loads(row[0]) if row and row[0] else []
    first: dict[str, str] = {}  # label_key -> the spelling of the key's earliest label
    renames: dict[str, str] = {}
    for (stored,) in conn.execute(
            "SELECT genre FROM labels WHERE genre IS NOT NULL GROUP BY genre ORDER BY min(id)").fetchall():
        merged = _merged(stored, known, first, learn=True)
        if merged != stored:
            renames[stored] = merged
    for old, new in renames.items():
        conn.execute("UPDATE labels SET genre = ? WHERE genre = ?", (new, old))
        conn.execute("UPDATE tracks SET genre = ? WHERE genre_source = 'you' AND genre = ?", (new, old))
    _merge_mapping(conn, known, first)
    _merge_playlists(conn, known, first)


def _merged(stored: str, known: list[str], first: dict[str, str], learn: bool = False) -> str:
    """The one spelling of a stored genre; with `learn`, an unknown key takes this spelling."""
    text = tidy(stored)
    if text is None:
        return stored  # a blank label is nobody's genre: left as it was
    genre, origin = map_genre(text, known, typed=True)
    if origin != "unmapped":
        return genre
    key = label_key(text)
    return first.setdefault(key, text) if learn else first.get(key, stored)


def _merge_mapping(conn: sqlite3.Connection, known: list[str], first: dict[str, str]) -> None:
    mapping = dict(conn.execute("SELECT tag_key, genre FROM genre_map").fetchall())
    changed = {key: _merged(genre, known, first) for key, genre in mapping.items()}
    changed = {key: genre for key, genre in changed.items() if genre != mapping[key]}
    if not changed:
        return
    conn.executemany("UPDATE genre_map SET genre = ? WHERE tag_key = ?",
                     [(genre, key) for key, genre in changed.items()])
    mapping.update(changed)
    # The shown genre of a track its file tag decides, as refresh_derived computes it.
    rows = conn.execute("SELECT id, tag_genre FROM tracks WHERE genre_source = 'file tag'").fetchall()
    conn.executemany("UPDATE tracks SET genre = ? WHERE id = ?",
                     [(canonical(tag, known, mapping), track_id) for track_id, tag in rows
                      if tag is not None and genre_key(tag) in changed])


def _merge_playlists(conn: sqlite3.Connection, known: list[str], first: dict[str, str]) -> None:
    for playlist_id, text in conn.execute("SELECT id, rules FROM playlists").fetchall():
        try:
            rules = json.loads(text)
        except ValueError:
            continue  # not ours to repair
        genres = rules.get("genres") if isinstance(rules, dict) else None
        if not isinstance(genres, list):
            continue
        merged = [_merged(g, known, first) if isinstance(g, str) else g for g in genres]
        if merged != genres:
            rules["genres"] = merged
            conn.execute("UPDATE playlists SET rules = ? WHERE id = ?", (json.dumps(rules), playlist_id))
