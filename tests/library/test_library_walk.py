"""The folder walk: links, loops, odd entries and odd names."""

from __future__ import annotations

import os

import pytest

from genre_desktop.library.fingerprint import fingerprint
from genre_desktop.library.walk import FolderProblem, FoundFile, walk_folders


def _walk(*roots):
    items = list(walk_folders([str(r) for r in roots]))
    files = {i.path: i for i in items if isinstance(i, FoundFile)}
    problems = {i.path: i.reason for i in items if isinstance(i, FolderProblem)}
    return files, problems


def test_finds_audio_by_extension_any_case(tmp_path):
    (tmp_path / "a.MP3").write_bytes(b"x")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "b.Flac").write_bytes(b"xy")
    (tmp_path / "cover.jpg").write_bytes(b"x")
    (tmp_path / "notes.txt").write_bytes(b"x")
    files, problems = _walk(tmp_path)
    assert set(files) == {str(tmp_path / "a.MP3"), str(tmp_path / "sub" / "deeper" / "b.Flac")}
    assert files[str(tmp_path / "sub" / "deeper" / "b.Flac")].size == 2 and not problems


def test_links_followed_once_and_loops_stopped(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "song.ogg").write_bytes(b"x")
    (tmp_path / "again").symlink_to(real, target_is_directory=True)
    (real / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "link.ogg").symlink_to(real / "song.ogg")
    files, _ = _walk(tmp_path)
    # The folder is reached twice (directly and through "again") but walked once.
    songs = [p for p in files if p.endswith("song.ogg")]
    assert len(songs) == 1
    assert str(tmp_path / "link.ogg") in files and files[str(tmp_path / "link.ogg")].problem is None


def test_entries_that_are_not_files_are_reported_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.mp3")
    (tmp_path / "dangling.mp3").symlink_to(tmp_path / "nowhere.mp3")
    (tmp_path / "folder.mp3").mkdir()
    files, _ = _walk(tmp_path)
    assert "not a regular file" in files[str(tmp_path / "pipe.mp3")].problem
    assert "not found" in files[str(tmp_path / "dangling.mp3")].problem
    assert str(tmp_path / "folder.mp3") not in files


def test_non_utf8_names_round_trip_to_open(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9 \xff.flac"
    with open(raw, "wb") as fh:
        fh.write(b"data")
    files, _ = _walk(tmp_path)
    (path,) = files
    with open(path, "rb") as fh:  # the str form opens the same file
        assert fh.read() == b"data"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_a_problem(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.mp3").write_bytes(b"x")
    locked.chmod(0)
    try:
        files, problems = _walk(tmp_path)
    finally:
        locked.chmod(0o755)
    assert "permission denied" in problems[str(locked)] and not files


def test_missing_root_is_a_problem(tmp_path):
    _, problems = _walk(tmp_path / "gone")
    assert "cannot be read" in problems[str(tmp_path / "gone")]


def test_fingerprint_tells_content_apart_and_ignores_names(tmp_path):
    big = os.urandom(500_000)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_bytes(big)
    b.write_bytes(big)
    c.write_bytes(big[:250_000] + b"\0" + big[250_001:])  # one byte changed, in the middle
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    assert len(fingerprint(small)) == 32
