"""One file, one track: a symbolic link and a hard link to a file in the library's folder are
listed as its aliases, the file is analysed once, its genre is written once, and undo gives
back the original bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from genre_desktop.library.db import connect
from genre_desktop.library.scanner import scan_folders
from genre_desktop.library.tag_batch import WriteOptions, plan_changes, undo_last_batch, write_changes
from genre_desktop.library.writer import LibraryWriter
from genre_desktop.library.writes import set_labels
from tests.tagging.conftest import run


def _rows(db, sql):
    conn = connect(db, readonly=True)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_links_to_a_file_are_aliases_of_one_track(tmp_path, gtzan_clips):
    music = tmp_path / "Music"
    (music / "b").mkdir(parents=True)
    real = music / "a-song.flac"
    shutil.copy(gtzan_clips[0], real)
    (music / "b" / "link.flac").symlink_to(real)
    os.link(real, music / "hard.flac")
    other = music / "other.flac"
    shutil.copy(gtzan_clips[1], other)
    for path in (real, other):
        path.chmod(0o644)  # the shared clips are read-only
    original = real.read_bytes()
    db = tmp_path / "lib.sqlite3"

    report = scan_folders(db, [music], jobs=1, use_model=False)
    assert (report.scanned, report.added, report.failed) == (2, 2, [])
    assert sorted(p for (p,) in _rows(db, "SELECT path FROM tracks")) == [str(real), str(other)]
    aliases = [(str(music / "b" / "link.flac"), str(real)), (str(music / "hard.flac"), str(real))]
    assert _rows(db, "SELECT path, target FROM aliases ORDER BY path") == aliases
    assert report.aliases == aliases

    again = scan_folders(db, [music], jobs=1, use_model=False)  # stable: nothing new, nothing missing
    assert (again.scanned, again.unchanged, again.added, again.missing) == (2, 2, 0, 0)

    with LibraryWriter(db) as writer:
        writer.call(lambda c: set_labels(c, [t for (t,) in c.execute("SELECT id FROM tracks")], "Blues"))
        conn = connect(db, readonly=True)
        options = WriteOptions(replace_existing=True)
        changes = plan_changes(conn, options)
        conn.close()
        result = run(write_changes(writer, changes, options))[0]
        assert sorted(result.written) == [str(real), str(other)] and result.failed == []
        assert len(_rows(db, "SELECT id FROM tag_writes WHERE state = 'written'")) == 2
        undone = run(undo_last_batch(writer))[0]
        assert undone.failed == []
    assert real.read_bytes() == original and (music / "hard.flac").read_bytes() == original


def test_the_command_line_lists_the_aliases(tmp_path, gtzan_clips):
    root = Path(__file__).resolve().parents[2]
    music = tmp_path / "Music"
    music.mkdir()
    real = music / "song.flac"
    shutil.copy(gtzan_clips[0], real)
    (music / "z-link.flac").symlink_to(real)
    done = subprocess.run(
        [sys.executable, "-m", "genre_desktop", "scan", str(music), "--db", str(tmp_path / "lib.sqlite3"),
         "--jobs", "1", "--no-model"],
        capture_output=True, text=True, cwd=root, timeout=300, env=dict(os.environ, PYTHONPATH=str(root)))
    assert done.returncode == 0, done.stderr
    assert "1 audio files found" in done.stdout and "1 added" in done.stdout
    assert f"  = {music / 'z-link.flac'}: another name of {real} (one track)" in done.stdout.splitlines()
