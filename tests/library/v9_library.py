"""A library of format 9 (before typed genres had one spelling), made from a real scan, with
corrections typed in mixed spellings as that version stored them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from genre_desktop.library.migrations import MIGRATIONS, migrate
from genre_desktop.library.writes import refresh_derived, save_playlist
from tests.library.scan_helpers import scan

# (track index, typed genre) in the order typed. Format 9 kept a custom genre as typed (tidied
# by the window, not always by older versions), so one genre could have several spellings.
CORRECTIONS = (
    (0, "Lo-Fi"), (1, "lo fi"), (2, " LO-FI "), (0, "lofi"),  # track 0: relabelled, history of two
    (3, "shoegaze"), (4, "Shoegaze"), (5, "SHOEGAZE"),  # the first spelling wins, not the most used
    (1, "Electronic"), (2, "ELECTRONIC"),  # the vocabulary's genre
    (4, "Hip Hop"),  # the model's genre, as a version before the vocabulary stored it
    (5, None),  # a cleared correction
)
MAPPED_TAG, MAPPED_TO = "Chillhop", "LoFi"  # the user's genre mapping, spelled another way again
PLAYLIST_GENRES = ["lo fi", "Jazz", "Shoegaze", "Vaporwave"]


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def make_v9_library(db: Path, music: Path) -> list[int]:
    """A real schema-9 library: the tables of migrations 1-9 filled from a scan of `music` with
    today's code, then the corrections above, a genre mapping whose tag decides one track's genre,
    and a saved playlist, written by the app's own functions on the format-9 file. Returns the
    track ids in path order."""
    scanned = db.with_name(db.stem + "-today.sqlite3")
    scan(scanned, music)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, migrations=MIGRATIONS[:9])
    conn.execute("ATTACH DATABASE ? AS today", (str(scanned),))
    conn.execute("BEGIN")
    for table in ("meta", "folders", "tracks", "windows", "predictions", "sound_tags"):
        names = ", ".join(_columns(conn, "today", table))
        conn.execute(f"INSERT INTO main.{table}({names}) SELECT {names} FROM today.{table}")
    ids = [r[0] for r in conn.execute("SELECT id FROM main.tracks ORDER BY path")]
    for n, (index, genre) in enumerate(CORRECTIONS):
        conn.execute("""INSERT INTO labels(track_id, fingerprint, path, genre, source, created_at)
                        SELECT id, fingerprint, path, ?, 'user', ? FROM tracks WHERE id = ?""",
                     (genre, 1000.0 + n, ids[index]))
    conn.execute("INSERT INTO genre_map(tag_key, tag, genre, updated_at) VALUES ('chillhop', ?, ?, 1.0)",
                 (MAPPED_TAG, MAPPED_TO))
    # An unlabelled track whose model is unsure shows its file tag, counted as the mapped genre.
    conn.execute("UPDATE tracks SET tag_genre = ? WHERE id = ?", (MAPPED_TAG, ids[-1]))
    conn.execute("UPDATE predictions SET confidence = 0.01 WHERE track_id = ?", (ids[-1],))
    refresh_derived(conn)
    save_playlist(conn, "Evening", {"genres": PLAYLIST_GENRES, "min_confidence": 0.0}, ids[:2])
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE today")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
    conn.close()
    scanned.unlink()
    return ids
