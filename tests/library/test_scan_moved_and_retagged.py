"""A correction follows its file when the file is moved and retagged in one step (a tagger
that renames files as it writes tags): the file's whole-content fingerprint changed, but its
audio did not, and the scan recognises it by the hash of its audio."""

from __future__ import annotations

import shutil

import mutagen

from genre_desktop.library.db import connect
from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import set_labels


def _tracks(db):
    conn = connect(db, readonly=True)
    try:
        return {r["path"]: dict(r) for r in conn.execute("SELECT * FROM tracks")}
    finally:
        conn.close()


def test_a_correction_follows_a_file_moved_and_retagged(tmp_path, gtzan_clips):
    music = tmp_path / "Music"
    (music / "Inbox").mkdir(parents=True)
    song = music / "Inbox" / "track01.flac"
    shutil.copy(gtzan_clips[0], song)
    song.chmod(0o644)
    shutil.copy(gtzan_clips[1], music / "other.flac")
    db = tmp_path / "lib.sqlite3"
    assert scan_folders(db, [music], jobs=1, use_model=False).added == 2
    [track_id] = [t["id"] for p, t in _tracks(db).items() if p == str(song)]
    with LibraryWriter(db) as writer:
        writer.call(lambda c: set_labels(c, [track_id], "Delta Blues"))
    before = fingerprint(song)

    # Moved and retagged in one step.
    moved = music / "Artist" / "Album" / "01 Title.flac"
    moved.parent.mkdir(parents=True)
    shutil.move(song, moved)
    audio = mutagen.File(moved)
    audio["TITLE"], audio["ARTIST"] = "A Title Long Enough To Change The Size", "Someone"
    audio.save()
    assert fingerprint(moved) != before

    report = scan_folders(db, [music], jobs=1, use_model=False)
    assert (report.added, report.missing) == (0, 0)
    tracks = _tracks(db)
    assert set(tracks) == {str(moved), str(music / "other.flac")}
    row = tracks[str(moved)]
    assert row["id"] == track_id and row["status"] == "ok"
    assert (row["genre"], row["genre_source"]) == ("Delta Blues", "you")
    assert row["title"] == "A Title Long Enough To Change The Size"
