"""Numbered schema migrations, tracked by SQLite's PRAGMA user_version.

Each migration runs in its own transaction together with the user_version bump, so a crash
leaves the file either fully at version N-1 or fully at N. A file whose version is higher than
the newest migration here was written by a newer Genre Desktop: it is refused and left untouched.
To change the schema, append a new (version, steps) pair; never edit a released one. A step is
an SQL statement, or a function of the connection for what SQL alone cannot say.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)


class LibraryError(Exception):
    """The library database cannot be used; str(e) says why in plain words."""


class SchemaTooNewError(LibraryError):
    """The file was written by a newer version of the app."""


V1_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)""",
    """CREATE TABLE folders(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at REAL NOT NULL)""",
    """CREATE TABLE tracks(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        fingerprint TEXT,
        duration REAL,
        samplerate INTEGER,
        channels INTEGER,
        codec TEXT,
        title TEXT,
        artist TEXT,
        album TEXT,
        year INTEGER,
        tag_genre TEXT,
        status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing')),
        added_at REAL NOT NULL,
        scanned_at REAL NOT NULL,
        -- Derived from labels/predictions/tag by repository.refresh_derived(); kept on the row
        -- so that sorting and filtering 100k tracks is an indexed SQL query.
        genre TEXT,
        genre_source TEXT CHECK (genre_source IN ('you', 'model', 'file tag')),
        confidence REAL)""",
    """CREATE TABLE windows(
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        features BLOB NOT NULL,
        recipe_version TEXT NOT NULL,
        PRIMARY KEY (track_id, idx))""",
    """CREATE TABLE predictions(
        track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
        model_version TEXT NOT NULL,
        genre TEXT NOT NULL,
        confidence REAL NOT NULL,
        probabilities TEXT NOT NULL,
        window_probabilities TEXT NOT NULL,
        predicted_at REAL NOT NULL)""",
    # Corrections: append-only history. A row is never updated except to re-link track_id
    # when a track row is re-created for the same content (matched by fingerprint).
    """CREATE TABLE labels(
        id INTEGER PRIMARY KEY,
        track_id INTEGER REFERENCES tracks(id) ON DELETE SET NULL,
        fingerprint TEXT,
        path TEXT,
        genre TEXT,
        source TEXT NOT NULL DEFAULT 'user',
        created_at REAL NOT NULL)""",
    """CREATE TABLE playlists(
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        rules TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL)""",
    """CREATE TABLE playlist_tracks(
        playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        PRIMARY KEY (playlist_id, position))""",
    """CREATE TABLE problems(
        path TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        size INTEGER,
        mtime_ns INTEGER,
        seen_at REAL NOT NULL)""",
    # Indexes for what the library view sorts and filters on. Views show present files
    # (status = 'ok'), so status leads: each sort walks its index with no temporary sort.
    "CREATE INDEX ix_tracks_title ON tracks(status, title COLLATE NOCASE)",
    "CREATE INDEX ix_tracks_artist ON tracks(status, artist COLLATE NOCASE, album COLLATE NOCASE)",
    "CREATE INDEX ix_tracks_album ON tracks(status, album COLLATE NOCASE)",
    "CREATE INDEX ix_tracks_genre ON tracks(status, genre COLLATE NOCASE, title COLLATE NOCASE)",
    "CREATE INDEX ix_tracks_genre_confidence ON tracks(status, genre COLLATE NOCASE, confidence)",
    "CREATE INDEX ix_tracks_confidence ON tracks(status, confidence)",
    "CREATE INDEX ix_tracks_duration ON tracks(status, duration)",
    "CREATE INDEX ix_tracks_source ON tracks(status, genre_source, confidence)",
    "CREATE INDEX ix_tracks_tag_genre ON tracks(status, tag_genre COLLATE NOCASE)",
    "CREATE INDEX ix_tracks_fingerprint ON tracks(fingerprint)",
    "CREATE INDEX ix_labels_track ON labels(track_id, id)",
    "CREATE INDEX ix_labels_fingerprint ON labels(fingerprint)",
    "CREATE INDEX ix_predictions_model ON predictions(model_version)",
    "CREATE INDEX ix_playlist_tracks_track ON playlist_tracks(track_id)",
)


def _tracks_indexes() -> tuple[str, ...]:
    return tuple(s for s in V1_SCHEMA if s.startswith("CREATE INDEX ix_tracks_"))


# v2: a personal model trained on the user's corrections can decide a track's genre. The
# tracks table is rebuilt to widen genre_source's CHECK (SQLite cannot alter a constraint);
# migrate() turns foreign keys off around it so that the rebuild cascades nothing.
V2_PERSONAL_MODEL: tuple[str, ...] = (
    """CREATE TABLE tracks_v2(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        fingerprint TEXT,
        duration REAL,
        samplerate INTEGER,
        channels INTEGER,
        codec TEXT,
        title TEXT,
        artist TEXT,
        album TEXT,
        year INTEGER,
        tag_genre TEXT,
        status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing')),
        added_at REAL NOT NULL,
        scanned_at REAL NOT NULL,
        genre TEXT,
        genre_source TEXT CHECK (genre_source IN ('you', 'model', 'personal model', 'file tag')),
        confidence REAL)""",
    "INSERT INTO tracks_v2 SELECT * FROM tracks",
    "DROP TABLE tracks",
    "ALTER TABLE tracks_v2 RENAME TO tracks",
    *_tracks_indexes(),
    # Which model's answer a prediction is: 'model' (bundled) or 'personal model'.
    "ALTER TABLE predictions ADD COLUMN decided_by TEXT NOT NULL DEFAULT 'model'",
)

# v3: a journal of the genre tags written into music files, so that every write can be undone
# byte for byte (library/tag_journal.py). A batch is one run of "write genres"; each of its
# files has a row that goes planned -> pending (the old bytes are stored, the file is not yet
# replaced) -> written, and later undoing -> undone. The old bytes are the part of the old file
# that differs from the new one: same_head and same_tail bytes at either end are equal.
V3_TAG_JOURNAL: tuple[str, ...] = (
    """CREATE TABLE tag_batches(
        id INTEGER PRIMARY KEY,
        created_at REAL NOT NULL,
        options TEXT NOT NULL,
        undone_at REAL)""",
    """CREATE TABLE tag_writes(
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES tag_batches(id) ON DELETE CASCADE,
        track_id INTEGER REFERENCES tracks(id) ON DELETE SET NULL,
        path TEXT NOT NULL,
        old_genre TEXT,
        new_genre TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('planned', 'pending', 'written', 'failed',
            'abandoned', 'undoing', 'undone', 'changed')),
        note TEXT,
        old_size INTEGER,
        old_mtime_ns INTEGER,
        old_sha256 TEXT,
        new_size INTEGER,
        new_mtime_ns INTEGER,
        new_sha256 TEXT,
        same_head INTEGER,
        same_tail INTEGER,
        old_middle BLOB,
        updated_at REAL NOT NULL,
        written_at REAL,
        undone_at REAL)""",
    "CREATE INDEX ix_tag_writes_batch ON tag_writes(batch_id, state)",
    "CREATE INDEX ix_tag_writes_state ON tag_writes(state)",
)

# v4: one file, one track. `aliases` lists the other names of a file the library already has as
# a track (symbolic or hard links: same device and inode), so it is analysed and written once.
# tracks.audio_sha256 is the hash of the audio alone (audio_payload: tags left out), so a file
# moved and retagged in one step is still recognised and keeps its corrections.
V4_ALIASES_AND_AUDIO_HASH: tuple[str, ...] = (
    """CREATE TABLE aliases(
        path TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        seen_at REAL NOT NULL)""",
    "ALTER TABLE tracks ADD COLUMN audio_sha256 TEXT",
    "CREATE INDEX ix_tracks_audio_sha256 ON tracks(audio_sha256) WHERE audio_sha256 IS NOT NULL",
)

# v5, genre model v2: a window's features row now holds the 57 audio features and the tagger's
# 50 tag probabilities (windows.recipe_version tells which); the tagger's 200-value embedding of
# the window is kept beside it. Rows of the old recipe stay until their track is analysed again.
V5_TAGGER: tuple[str, ...] = ("ALTER TABLE windows ADD COLUMN embedding BLOB",)

# v6: the user's own genre mapping (core/genre_vocabulary.py): a file tag genre, by its key
# ("altrock"), shown and counted as a canonical genre ("rock"). The tag is kept as first seen.
V6_GENRE_MAP: tuple[str, ...] = (
    """CREATE TABLE genre_map(
        tag_key TEXT PRIMARY KEY,
        tag TEXT NOT NULL,
        genre TEXT NOT NULL,
        updated_at REAL NOT NULL)""",
)

# v7: a full-text index for the library's search box. The trigram tokenizer finds any run of 3+
# characters anywhere in a word, as the LIKE '%term%' search it replaces did, through an index.
# It holds no copy of the text (content='tracks'); triggers keep it in step with the rows.
_FTS_COLUMNS = "title, artist, album, genre, path"
_FTS_NEW = "new.title, new.artist, new.album, new.genre, new.path"
_FTS_OLD = "old.title, old.artist, old.album, old.genre, old.path"


def trigram_search_available() -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34+). Without it the library
    works as before: search uses LIKE only."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


V7_SEARCH_INDEX: tuple[str, ...] = () if not trigram_search_available() else (
    f"""CREATE VIRTUAL TABLE tracks_fts USING fts5({_FTS_COLUMNS},
        content='tracks', content_rowid='id', tokenize='trigram')""",
    "INSERT INTO tracks_fts(tracks_fts) VALUES ('rebuild')",
    f"""CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
        INSERT INTO tracks_fts(rowid, {_FTS_COLUMNS}) VALUES (new.id, {_FTS_NEW}); END""",
    f"""CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
        INSERT INTO tracks_fts(tracks_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', old.id, {_FTS_OLD}); END""",
    f"""CREATE TRIGGER tracks_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON tracks BEGIN
        INSERT INTO tracks_fts(tracks_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', old.id, {_FTS_OLD});
        INSERT INTO tracks_fts(rowid, {_FTS_COLUMNS}) VALUES (new.id, {_FTS_NEW}); END""",
)

# v8: problems the user chose to ignore stay out of the Problems list (and its count). A table
# of its own, so the problems table the scanner writes keeps its shape.
V8_IGNORED_PROBLEMS: tuple[str, ...] = (
    """CREATE TABLE ignored_problems(
        path TEXT PRIMARY KEY,
        ignored_at REAL NOT NULL)""",
)

# v9: the Sounds-like tags each track shows (library/sounds_like.py), kept in SQL so that a
# search like tag:chill and the table's Sounds-like column are indexed queries. Derived from the
# windows: rows are rewritten when a track is analysed and whenever the display thresholds change.
V9_SOUND_TAGS: tuple[str, ...] = (
    """CREATE TABLE sound_tags(
        track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        probability REAL NOT NULL,
        strength REAL NOT NULL,
        PRIMARY KEY (track_id, tag)) WITHOUT ROWID""",
    "CREATE INDEX ix_sound_tags_tag ON sound_tags(tag, track_id)",
)

Step = str | Callable[[sqlite3.Connection], None]


def _merge_spellings(conn: sqlite3.Connection) -> None:
    from genre_desktop.library.merge_spellings import merge_spellings  # it imports writes, which imports db

    merge_spellings(conn)


# v10: one typed genre, one spelling. Corrections stored as 'Electronic', 'electronic ' and
# 'ELECTRONIC' become one genre, spelled as first typed (library/merge_spellings.py); no table changes.
V10_ONE_SPELLING: tuple[Step, ...] = (_merge_spellings,)

# (version, steps). Append only.
MIGRATIONS: tuple[tuple[int, Sequence[Step]], ...] = (
    (1, V1_SCHEMA), (2, V2_PERSONAL_MODEL), (3, V3_TAG_JOURNAL), (4, V4_ALIASES_AND_AUDIO_HASH),
    (5, V5_TAGGER), (6, V6_GENRE_MAP), (7, V7_SEARCH_INDEX), (8, V8_IGNORED_PROBLEMS),
    (9, V9_SOUND_TAGS), (10, V10_ONE_SPELLING),
)


def latest_version(migrations: Sequence[tuple[int, Sequence[Step]]] = MIGRATIONS) -> int:
    return migrations[-1][0] if migrations else 0


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_not_newer(conn: sqlite3.Connection, where: str, newest: int) -> int:
    """Return the file's schema version; raise SchemaTooNewError before anything is written."""
    try:
        found = user_version(conn)
    except sqlite3.DatabaseError as exc:
        raise LibraryError(f"{where} is not a Genre Desktop library ({exc})") from exc
    if found > newest:
        raise SchemaTooNewError(
            f"{where} was written by a newer version of Genre Desktop (library format {found}; "
            f"this version understands up to {newest}). It was left unchanged: update Genre "
            f"Desktop or choose another library file."
        )
    return found


def migrate(
    conn: sqlite3.Connection,
    where: str = "the library",
    migrations: Sequence[tuple[int, Sequence[Step]]] = MIGRATIONS,
) -> int:
    """Apply every pending migration, each in its own transaction. Returns the new version.

    The connection must be in autocommit mode (isolation_level=None) so that the explicit
    BEGIN/COMMIT here are the only transaction boundaries.
    """
    newest = latest_version(migrations)
    current = check_not_newer(conn, where, newest)
    for version, steps in migrations:
        if version <= current:
            continue
        # A table rebuild must not cascade: foreign keys stay off until the step has
        # committed (the pragma is ignored inside a transaction), and are checked before it does.
        foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            _apply(conn, version, steps)
        finally:
            conn.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
        log.info("Library %s migrated to format %d", where, version)
        current = version
    return current


def _apply(conn: sqlite3.Connection, version: int, steps: Sequence[Step]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-check inside the lock: another process may have migrated meanwhile.
        if user_version(conn) >= version:
            conn.execute("ROLLBACK")
            return
        for step in steps:
            if callable(step):
                step(conn)
            else:
                conn.execute(step)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise LibraryError(f"library format {version} would break {len(broken)} references")
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
