"""Files that cannot be written are reported with a reason a user can act on and left exactly as
they were: read-only, locked, vanished, in an unwritable folder, an unsupported format, a broken
tag; a file changed after the write is not undone."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from contextlib import contextmanager

import mutagen
import pytest

from genre_desktop.library.db import connect
from genre_desktop.library.tag_batch import (
    TagChange, WriteOptions, last_batch, plan, plan_changes, undo_last_batch, write_changes,
)
from tests.corpus import write_audio
from tests.tagging.conftest import add_tracks, copy_file, label, leftovers, run
from tests.tagging.tag_checks import genres_in


def _journal_states(db_path) -> list[tuple[str, str | None, bool]]:
    conn = connect(db_path, readonly=True)
    try:
        rows = conn.execute("SELECT state, note, old_middle IS NOT NULL FROM tag_writes ORDER BY id").fetchall()
        return [tuple(r) for r in rows]
    finally:
        conn.close()


def _one_file(originals, tmp_path, writer, fmt="mp3", genre="Jazz"):
    music = tmp_path / "music"
    path = copy_file(originals[fmt], music)
    [tid] = add_tracks(writer, [path])
    label(writer, [tid], genre)
    return music, path, tid


def _write_planned(writer, read_conn, options=WriteOptions()):
    return run(write_changes(writer, plan_changes(read_conn, options), options))[0]


@contextmanager
def _immutable(path):
    """chattr +i: even an administrator cannot change the file or the folder's entries."""
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("cannot make a file immutable here (chattr)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_file_is_reported_and_untouched(originals, tmp_path, writer, read_conn, db_path):
    music, path, _ = _one_file(originals, tmp_path, writer)
    path.chmod(0o444)
    before, mode = path.read_bytes(), path.stat().st_mode
    result = _write_planned(writer, read_conn)
    assert result.written == [] and result.failed == [(str(path), "the file is read-only")]
    assert path.read_bytes() == before and path.stat().st_mode == mode
    assert leftovers(music) == []
    assert _journal_states(db_path) == [("failed", "the file is read-only", False)]
    assert last_batch(read_conn) is None


def test_locked_file_is_reported_and_untouched(originals, tmp_path, writer, read_conn):
    music, path, _ = _one_file(originals, tmp_path, writer)
    before = path.read_bytes()
    with _immutable(path):
        result = _write_planned(writer, read_conn)
    assert result.written == [] and result.failed == [(str(path), "the file is read-only")]
    assert path.read_bytes() == before and leftovers(music) == []


@contextmanager
def _unwritable_folder(folder):
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
    else:  # permissions do not stop an administrator
        with _immutable(folder):
            yield


def test_file_in_an_unwritable_folder_is_reported_and_untouched(originals, tmp_path, writer, read_conn):
    music, path, _ = _one_file(originals, tmp_path, writer)
    before = path.read_bytes()
    with _unwritable_folder(music):
        result = _write_planned(writer, read_conn)
    assert result.failed == [(str(path), "its folder is not writable")]
    assert result.written == [] and path.read_bytes() == before and leftovers(music) == []


def test_file_that_vanished_after_planning_is_reported(originals, tmp_path, writer, read_conn, db_path):
    music, path, _ = _one_file(originals, tmp_path, writer)
    changes = plan_changes(read_conn, WriteOptions())
    path.unlink()
    result = run(write_changes(writer, changes, WriteOptions()))[0]
    assert result.failed == [(str(path), "the file is gone")] and not path.exists()
    assert leftovers(music) == []


def test_missing_track_and_gone_file_are_skipped_with_reasons(originals, tmp_path, writer, read_conn):
    music = tmp_path / "music"
    kept, marked, gone = (copy_file(originals["flac"], music, f"{n}.flac") for n in ("kept", "marked", "gone"))
    ids = add_tracks(writer, [kept, marked, gone])
    label(writer, ids, "Jazz")
    writer.call(lambda c: c.execute("UPDATE tracks SET status = 'missing' WHERE id = ?", (ids[1],)))
    gone.unlink()
    report = plan(read_conn, WriteOptions())
    assert [c.path for c in report.changes] == [str(kept)]
    assert dict(report.skipped) == {
        str(marked): "the file is missing (the last scan did not find it)",
        str(gone): "the file is gone",
    }
    missing_change = TagChange(ids[1], str(marked), None, "Jazz", "you", None)
    result = run(write_changes(writer, [missing_change], WriteOptions()))[0]
    assert result.skipped == [(str(marked), "the file is missing (the last scan did not find it)")]
    assert genres_in(marked) == []


def test_unsupported_format_and_broken_tag_are_reported(clip, tmp_path, writer, read_conn):
    music = tmp_path / "music"
    music.mkdir()
    wav = write_audio(music / "plain.wav", *clip, "wav")
    broken = music / "broken.mp3"
    broken.write_bytes(b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + b"\xff" * 64)  # a tag larger than the file
    befores = {p: p.read_bytes() for p in (wav, broken)}
    ids = add_tracks(writer, [wav, broken])
    label(writer, ids, "Jazz")
    report = plan(read_conn, WriteOptions())
    reasons = dict(report.skipped)
    assert report.changes == [] and set(reasons) == {str(wav), str(broken)}
    assert reasons[str(wav)] == "writing genre tags into WAVE files is not supported"
    assert reasons[str(broken)].startswith("its tags cannot be read")

    forced = [TagChange(i, str(p), None, "Jazz", "you", None) for i, p in zip(ids, (wav, broken))]
    result = run(write_changes(writer, forced, WriteOptions()))[0]
    assert result.written == [] and [p for p, _ in result.failed] == [str(wav), str(broken)]
    assert [reason for _, reason in result.failed] == [reasons[str(wav)], reasons[str(broken)]]
    assert {p: p.read_bytes() for p in (wav, broken)} == befores and leftovers(music) == []


def test_a_genre_that_appeared_after_planning_is_kept(originals, tmp_path, writer, read_conn):
    _, path, _ = _one_file(originals, tmp_path, writer, fmt="flac")
    changes = plan_changes(read_conn, WriteOptions())
    audio = mutagen.File(path)
    audio["GENRE"] = "Bossa Nova"
    audio.save()
    result = run(write_changes(writer, changes, WriteOptions()))[0]
    assert result.skipped == [(str(path), "it has a genre tag of its own now (Bossa Nova)")]
    assert genres_in(path) == ["Bossa Nova"]


def test_undo_leaves_a_file_changed_since_and_goes_on(originals, tmp_path, writer, read_conn, db_path):
    music = tmp_path / "music"
    edited, other = copy_file(originals["m4a"], music, "edited.m4a"), copy_file(originals["m4a"], music, "other.m4a")
    original_other = other.read_bytes()
    ids = add_tracks(writer, [edited, other])
    label(writer, ids, "Jazz")
    _write_planned(writer, read_conn)
    audio = mutagen.File(edited)
    audio["\xa9nam"] = ["Renamed in another player"]
    audio.save()
    edited_bytes = edited.read_bytes()

    result = run(undo_last_batch(writer))[0]
    assert result.written == [str(other)] and result.failed[0][0] == str(edited)
    assert "changed after the genre was written" in result.failed[0][1]
    assert edited.read_bytes() == edited_bytes and other.read_bytes() == original_other
    assert [s for s, _, _ in _journal_states(db_path)] == ["changed", "undone"]
    assert last_batch(read_conn) is None  # nothing left that undo could do


def test_undo_of_a_read_only_file_is_kept_for_later(originals, tmp_path, writer, read_conn, db_path):
    _, path, _ = _one_file(originals, tmp_path, writer, fmt="ogg")
    original = path.read_bytes()
    _write_planned(writer, read_conn)
    written = path.read_bytes()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    refused = run(undo_last_batch(writer))[0]
    assert refused.failed == [(str(path), "the file is read-only")] and path.read_bytes() == written
    assert last_batch(read_conn).files == 1
    path.chmod(0o644)
    assert run(undo_last_batch(writer))[0].written == [str(path)]
    assert path.read_bytes() == original
