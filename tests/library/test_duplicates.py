"""Possible duplicates on real files: an identical copy and a half-truncated copy are found,
a different song with the same title is not, and nothing is touched."""

from __future__ import annotations

import shutil

from genre_desktop.library.duplicates import SAME, TRUNCATED, find_duplicates
from genre_desktop.library.db import connect
from genre_desktop.library.scanner import scan_folders
from tests.corpus import load_clip, tag_file, write_audio


def write_duplicates(music) -> None:
    """song.mp3, an identical "song copy.mp3", "song (half).mp3" cut in half, and another.mp3."""
    # Tagged MP3s without the Xing header that states their length (as many older rips are):
    # one cut in half still reads as a whole, shorter song, so the scan imports it; only the
    # duplicates view can tell.
    for name, clip in (("song.mp3", 0), ("another.mp3", 1)):
        y, sr = load_clip("jazz", clip)
        write_audio(music / name, y, sr, "mp3")
        data = (music / name).read_bytes()
        (music / name).write_bytes(data.replace(b"Xing", b"\0\0\0\0", 1))
        tag_file(music / name, title="So What" if clip == 0 else "Blue in Green", artist="Miles Davis")
    shutil.copy(music / "song.mp3", music / "song copy.mp3")
    data = (music / "song.mp3").read_bytes()
    (music / "song (half).mp3").write_bytes(data[: len(data) // 2])


def test_identical_and_truncated_copies_are_flagged(tmp_path, db_path):
    music = tmp_path / "Music"
    music.mkdir()
    write_duplicates(music)
    before = {p.name: p.read_bytes() for p in music.iterdir()}
    report = scan_folders(db_path, [str(music)], jobs=1)
    conn = connect(db_path, readonly=True)
    try:
        found = find_duplicates(conn)
    finally:
        conn.close()
    kinds = {(g.kind, tuple(sorted(t.path.rsplit("/", 1)[1] for t in g.tracks))) for g in found}
    names_read = {p.name for p in music.iterdir()}
    assert (SAME, ("song copy.mp3", "song.mp3")) in kinds
    truncated = [g for g in found if g.kind == TRUNCATED]
    assert report.added == 4 and truncated, (kinds, report)
    shortest = [t.path.rsplit("/", 1)[1] for g in truncated for t in g.shorter]
    assert shortest == ["song (half).mp3"] * len(truncated)
    assert all("another.mp3" not in {t.path.rsplit("/", 1)[1] for t in g.tracks} for g in found)
    assert {p.name: p.read_bytes() for p in music.iterdir()} == before and names_read == set(before)
