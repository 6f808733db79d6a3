"""After a tag write (and after its undo) the library already knows each file's new size, time,
fingerprint and genre tag, so a rescan with the real scanner and model re-analyses nothing."""

from __future__ import annotations

import mutagen

from genre_desktop.library.db import connect
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.tag_batch import WriteOptions, plan_changes, undo_last_batch, write_changes
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import remove_folder, set_labels
from tests.tagging.conftest import FORMATS, make_file, run

WHAT_A_SCAN_WRITES = "id, path, size, mtime_ns, fingerprint, tag_genre, scanned_at"


def _snapshot(db_path) -> tuple[dict, list]:
    conn = connect(db_path, readonly=True)
    try:
        tracks = {r["path"]: dict(r) for r in conn.execute(f"SELECT {WHAT_A_SCAN_WRITES} FROM tracks")}
        windows = [tuple(r) for r in conn.execute("SELECT * FROM windows ORDER BY track_id, idx")]
        return tracks, windows
    finally:
        conn.close()


def _rescan(db_path, music):
    report = scan_folders(db_path, [music], jobs=1)
    assert report.failed == []
    return report


def test_rescan_after_writing_and_after_undo_reanalyses_nothing(clip, tmp_path):
    music, db_path = tmp_path / "music", tmp_path / "library.sqlite3"
    paths = [make_file(music, f"piece-{fmt}", fmt, clip) for fmt in FORMATS]
    first = _rescan(db_path, music)
    assert (first.added, first.scanned) == (len(paths), len(paths))
    tracks_before, windows_before = _snapshot(db_path)

    with LibraryWriter(db_path) as writer:
        ids = [t["id"] for t in tracks_before.values()]
        writer.call(lambda c: set_labels(c, ids, "Jazz"))
        conn = connect(db_path, readonly=True)
        changes = plan_changes(conn, WriteOptions())
        conn.close()
        result = run(write_changes(writer, changes, WriteOptions()))[0]
    assert sorted(result.written) == sorted(map(str, paths)) and result.failed == []
    tracks_written, windows_written = _snapshot(db_path)
    for path, row in tracks_written.items():
        before = tracks_before[path]
        assert row["tag_genre"] == "jazz" and row["scanned_at"] == before["scanned_at"]
        assert (row["size"], row["mtime_ns"], row["fingerprint"]) != (before["size"], before["mtime_ns"], before["fingerprint"])
    assert windows_written == windows_before

    again = _rescan(db_path, music)
    assert (again.added, again.updated, again.unchanged, again.missing) == (0, 0, len(paths), 0)
    assert _snapshot(db_path) == (tracks_written, windows_before)

    with LibraryWriter(db_path) as writer:
        assert len(run(undo_last_batch(writer))[0].written) == len(paths)
    tracks_undone, _ = _snapshot(db_path)
    assert {p: (r["size"], r["fingerprint"], r["tag_genre"]) for p, r in tracks_undone.items()} == \
        {p: (r["size"], r["fingerprint"], r["tag_genre"]) for p, r in tracks_before.items()}
    after_undo = _rescan(db_path, music)
    assert (after_undo.added, after_undo.updated, after_undo.unchanged) == (0, 0, len(paths))

    # The same rescan does notice a tag changed behind the library's back.
    audio = mutagen.File(paths[1])
    audio["GENRE"] = "Changed elsewhere"
    audio.save()
    noticed = _rescan(db_path, music)
    assert (noticed.updated, noticed.unchanged) == (1, len(paths) - 1)


def test_corrections_come_back_after_removing_and_re_adding_a_written_folder(clip, tmp_path):
    """Writing a tag changes the file's fingerprint; the corrections must follow it, since the
    fingerprint is how they find their track again once the folder is added back."""
    music, db_path = tmp_path / "music", tmp_path / "library.sqlite3"
    for fmt in ("mp3", "flac"):
        make_file(music, f"piece-{fmt}", fmt, clip)
    _rescan(db_path, music)
    with LibraryWriter(db_path) as writer:
        ids = writer.call(lambda c: [r[0] for r in c.execute("SELECT id FROM tracks")])
        writer.call(lambda c: set_labels(c, ids, "Jazz"))
        conn = connect(db_path, readonly=True)
        changes = plan_changes(conn, WriteOptions())
        conn.close()
        assert len(run(write_changes(writer, changes, WriteOptions()))[0].written) == 2
        assert writer.call(lambda c: remove_folder(c, str(music))) == 2

    _rescan(db_path, music)
    conn = connect(db_path, readonly=True)
    try:
        rows = conn.execute("SELECT genre, genre_source FROM tracks").fetchall()
    finally:
        conn.close()
    assert [tuple(r) for r in rows] == [("jazz", "you"), ("jazz", "you")]
