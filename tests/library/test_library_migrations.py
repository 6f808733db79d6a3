"""The library file: creation, pragmas, migrations, refusing a newer format."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from genre_desktop.library import migrations
from genre_desktop.library.db import connect
from genre_desktop.library.migrations import LibraryError, SchemaTooNewError, latest_version, migrate
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.paths import AppPaths


def test_fresh_database_has_schema_and_pragmas(db_path):
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"tracks", "windows", "predictions", "labels", "playlists", "playlist_tracks",
            "problems", "folders", "meta"} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_tracks_genre", "ix_tracks_confidence", "ix_tracks_title",
            "ix_tracks_fingerprint"} <= indexes
    conn.close()


def test_default_location_is_the_user_data_dir():
    path = AppPaths.default().library_db
    with LibraryWriter(path) as writer:
        assert writer.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == latest_version()
    assert path.is_file()


def test_reopening_is_idempotent(db_path):
    connect(db_path).close()
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    conn.close()


def test_newer_database_is_refused_and_left_untouched(db_path):
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE future(x)")
    raw.execute(f"PRAGMA user_version = {latest_version() + 5}")
    raw.commit()
    raw.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    with pytest.raises(SchemaTooNewError, match="newer version of Genre Desktop"):
        connect(db_path)
    with pytest.raises(SchemaTooNewError):
        connect(db_path, readonly=True)
    with pytest.raises(SchemaTooNewError):
        LibraryWriter(db_path)
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert not db_path.with_name(db_path.name + "-wal").exists()


def test_non_database_file_gives_a_clear_error(db_path):
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a Genre Desktop library|cannot be used"):
        connect(db_path)


def test_upgrade_keeps_data_and_runs_only_pending_steps(db_path):
    """A v1 library with data is upgraded by a later migration without losing anything."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    v1 = migrations.MIGRATIONS[:1]
    assert migrate(conn, migrations=v1) == 1
    conn.execute(
        "INSERT INTO tracks(path, size, mtime_ns, title, added_at, scanned_at) "
        "VALUES ('/m/a.mp3', 1, 2, 'A', 0, 0)"
    )
    conn.execute("INSERT INTO labels(track_id, genre, created_at) VALUES (1, 'jazz', 0)")
    v2_step = (
        "ALTER TABLE tracks ADD COLUMN rating INTEGER",
        "UPDATE tracks SET rating = 3",
    )
    upgraded = (*v1, (2, v2_step))
    assert migrate(conn, migrations=upgraded) == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT path, title, rating FROM tracks").fetchone() == ("/m/a.mp3", "A", 3)
    assert conn.execute("SELECT genre FROM labels").fetchone() == ("jazz",)
    assert migrate(conn, migrations=upgraded) == 2  # nothing left to do


def test_v1_library_upgrades_to_personal_model_sources_without_cascading(db_path):
    """The v2 rebuild of `tracks` keeps every row that references a track (windows,
    predictions, corrections, playlists) and then accepts the personal model as a source."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn, migrations=migrations.MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO tracks(path, size, mtime_ns, title, added_at, scanned_at, genre, genre_source) "
        "VALUES ('/m/a.mp3', 1, 2, 'A', 0, 0, 'jazz', 'you')"
    )
    conn.execute("INSERT INTO windows VALUES (1, 0, 0, 30, x'00', 'r')")
    conn.execute("INSERT INTO predictions VALUES (1, 'm', 'rock', 0.9, '{}', '[]', 0)")
    conn.execute("INSERT INTO labels(track_id, genre, created_at) VALUES (1, 'jazz', 0)")
    conn.execute("INSERT INTO playlists(name, rules, created_at, updated_at) VALUES ('p', '{}', 0, 0)")
    conn.execute("INSERT INTO playlist_tracks VALUES (1, 0, 1)")

    assert migrate(conn) == latest_version() >= 2

    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("SELECT title, genre, genre_source FROM tracks").fetchone() == ("A", "jazz", "you")
    for table in ("windows", "predictions", "labels", "playlist_tracks"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE track_id = 1").fetchone()[0] == 1
    assert conn.execute("SELECT decided_by FROM predictions").fetchone() == ("model",)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'tracks'")}
    assert {"ix_tracks_genre", "ix_tracks_source", "ix_tracks_fingerprint"} <= indexes
    conn.execute("UPDATE tracks SET genre_source = 'personal model'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE tracks SET genre_source = 'somebody'")
    # Foreign keys still act after the rebuild.
    conn.execute("DELETE FROM tracks")
    assert conn.execute("SELECT count(*) FROM windows").fetchone()[0] == 0


def test_a_failing_migration_leaves_the_previous_version(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrate(conn, migrations=migrations.MIGRATIONS[:1])
    broken = (*migrations.MIGRATIONS[:1], (2, ("ALTER TABLE tracks ADD COLUMN x", "THIS IS NOT SQL")))
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, migrations=broken)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = {r[1] for r in conn.execute("PRAGMA table_info(tracks)")}
    assert "x" not in columns


def test_readonly_connection_cannot_write(db_path):
    connect(db_path).close()
    conn = connect(db_path, readonly=True)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("INSERT INTO meta VALUES ('a', 'b')")
    conn.close()


def test_non_utf8_paths_round_trip(db_path):
    from genre_desktop.library.db import path_param, printable

    weird = "/music/caf\udce9/\udcff.mp3"  # bytes 0xE9 and 0xFF: not UTF-8
    with LibraryWriter(db_path) as writer:
        writer.call(lambda c: c.execute(
            "INSERT INTO tracks(path, size, mtime_ns, added_at, scanned_at) "
            "VALUES (CAST(? AS TEXT), 1, 1, 0, 0)", (path_param(weird),)))
        found = writer.call(lambda c: c.execute(
            "SELECT path FROM tracks WHERE path = CAST(? AS TEXT)", (path_param(weird),)).fetchone())
    assert found[0] == weird
    assert "\ufffd" in printable(weird)
